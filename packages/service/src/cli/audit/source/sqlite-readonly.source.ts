import { accessSync, constants, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EventMetadata, GlobalPosition, StoredEvent } from '../../../event-store/event-store.port';
import { AuditUsageError } from '../errors';
import type { AuditRecord, AuditSource, MissingPositions } from './audit-source';

/**
 * Reads the SQLite event store's `events` table directly, on a connection opened with
 * `readonly: true`. The service's `SqliteEventStore.open` creates the schema and switches the
 * journal mode, i.e. it writes; an audit must not, so this module has its own queries over the
 * same schema (position, event_id, stream_id, revision, type, data, metadata).
 */
interface EventRow {
  position: bigint;
  event_id: string;
  stream_id: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
}

const REQUIRED_COLUMNS = ['position', 'event_id', 'stream_id', 'revision', 'type', 'data', 'metadata'];
const COLUMNS = REQUIRED_COLUMNS.join(', ');
const DEFAULT_PAGE = 2_000;

/** Opens `file` read-only; fails with a one-line {@link AuditUsageError} if it is not a readable event store. */
export function openSqliteAuditSource(file: string, options: { readonly pageSize?: number } = {}): AuditSource {
  checkReadableFile(file);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new AuditUsageError(`cannot open SQLite file ${file}: ${(error as Error).message}`);
  }
  try {
    const columns = db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all() as string[];
    const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
    if (columns.length === 0) throw new AuditUsageError(`${file} is not a support-sla event store (it has no events table)`);
    if (missing.length > 0) throw new AuditUsageError(`${file} is not a support-sla event store (events table lacks ${missing.join(', ')})`);
  } catch (error) {
    db.close();
    if (error instanceof AuditUsageError) throw error;
    throw new AuditUsageError(`cannot read SQLite file ${file}: ${(error as Error).message}`);
  }
  return new SqliteAuditSource(db, file, options.pageSize ?? DEFAULT_PAGE);
}

function checkReadableFile(file: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AuditUsageError(
      code === 'ENOENT' ? `no such SQLite file: ${file}` : `cannot read SQLite file ${file}: ${code ?? (error as Error).message}`,
    );
  }
  if (!isFile) throw new AuditUsageError(`not a file: ${file}`);
}

class SqliteAuditSource implements AuditSource {
  readonly description: string;
  readonly densePositions = true;
  private readonly statements;

  constructor(
    private readonly db: Database.Database,
    file: string,
    private readonly pageSize: number,
  ) {
    this.description = `SQLite file ${file}`;
    const prepare = (sql: string): Database.Statement => db.prepare(sql).safeIntegers(true);
    this.statements = {
      page: prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      stream: prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? ORDER BY revision`),
      bounds: prepare('SELECT count(*) AS count, min(position) AS first, max(position) AS last FROM events'),
      byNumber: prepare(
        "SELECT stream_id, data FROM events WHERE type = 'TicketOpened' AND json_valid(data) AND json_extract(data, '$.ticketNumber') = ? COLLATE NOCASE ORDER BY position LIMIT 1",
      ),
    };
  }

  async *readAll(): AsyncIterable<AuditRecord> {
    let after = 0n;
    for (;;) {
      const rows = this.run(() => this.statements.page.all(after, this.pageSize)) as EventRow[];
      for (const row of rows) yield toRecord(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < this.pageSize) return;
      after = last.position;
    }
  }

  async readStream(streamId: string): Promise<readonly AuditRecord[]> {
    return (this.run(() => this.statements.stream.all(streamId)) as EventRow[]).map(toRecord);
  }

  async progressScale(): Promise<{ total: number; unitsAt: (position: GlobalPosition) => number }> {
    const { count, first } = this.bounds();
    // Positions are dense, so an event's position (from the first one) counts the events read.
    return { total: Number(count), unitsAt: (p) => Number(p.commit - (first ?? 1n)) + 1 };
  }

  async findTicketIdByNumber(ticketNumber: string): Promise<string | undefined> {
    const row = this.run(() => this.statements.byNumber.get(ticketNumber)) as { stream_id: string; data: string } | undefined;
    if (row === undefined) return undefined;
    const data = JSON.parse(row.data) as { ticketId?: unknown };
    return typeof data.ticketId === 'string' ? data.ticketId : undefined;
  }

  async missingTail(): Promise<MissingPositions | undefined> {
    // sqlite_sequence remembers the largest AUTOINCREMENT key ever handed out, even after the
    // row holding it is deleted; it only exists once a row was inserted.
    const hasSequence = this.run(() => this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get()) !== undefined;
    if (!hasSequence) return undefined;
    const seq = this.run(() => this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").safeIntegers(true).get()) as
      | { seq: bigint }
      | undefined;
    if (seq === undefined) return undefined;
    const last = this.bounds().last ?? 0n;
    return seq.seq > last ? { from: last + 1n, to: seq.seq } : undefined;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  private bounds(): { count: bigint; first: bigint | null; last: bigint | null } {
    return this.run(() => this.statements.bounds.get()) as { count: bigint; first: bigint | null; last: bigint | null };
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof Database.SqliteError) throw new AuditUsageError(`cannot read ${this.description}: ${error.message}`);
      throw error;
    }
  }
}

function toRecord(row: EventRow): AuditRecord {
  const position = { commit: row.position, prepare: row.position };
  const base = { streamId: row.stream_id, revision: row.revision, position };
  let data: unknown;
  let metadata: EventMetadata;
  try {
    data = JSON.parse(row.data) as unknown;
  } catch {
    return { ...base, event: undefined, problem: 'its stored data is not valid JSON' };
  }
  try {
    metadata = JSON.parse(row.metadata) as EventMetadata;
  } catch {
    return { ...base, event: undefined, problem: 'its stored metadata is not valid JSON' };
  }
  if (typeof metadata !== 'object' || metadata === null) return { ...base, event: undefined, problem: 'its stored metadata is not an object' };
  const event: StoredEvent = { id: row.event_id, streamId: row.stream_id, revision: row.revision, position, type: row.type, data, metadata };
  return { ...base, event };
}
