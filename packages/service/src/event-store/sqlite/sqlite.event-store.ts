import Database from 'better-sqlite3';
import { GroupCommit } from './group-commit';
import { openDatabase } from './open-database';
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../event-store.port';
import { matchesPrefixes, PagedSubscriptions, type ScannedPage } from './paged-subscription';
import { RecentEvents, deepFreeze, type RecentEventsOptions } from './recent-events';

export interface SqliteEventStoreOptions {
  /** Rows a subscription reads per page (default 500). */
  readonly pageSize?: number;
  /** How often a live subscription looks for appends made by other processes (default 250 ms). */
  readonly pollMs?: number;
  /** How long a writer waits for another process's write lock before giving up (default 5 s). */
  readonly busyTimeoutMs?: number;
  /** How much of what was just appended or read is kept parsed in memory ({@link RecentEvents}). */
  readonly recent?: RecentEventsOptions;
}

interface EventRow {
  position: bigint;
  event_id: string;
  stream_id: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position  INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id  TEXT    NOT NULL,
  stream_id TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  type      TEXT    NOT NULL,
  data      TEXT    NOT NULL,
  metadata  TEXT    NOT NULL,
  CONSTRAINT events_event_id_unique UNIQUE (event_id),
  CONSTRAINT events_stream_revision_unique UNIQUE (stream_id, revision)
);
`;

const COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata';

/**
 * The embedded default store: one SQLite file in WAL mode.
 *
 * - Durability: `synchronous = FULL`, so an append resolves only after the WAL holding it has
 *   been fsynced, and an acknowledged append survives a power cut, not only a process crash
 *   (NORMAL would only protect against the latter in WAL mode). The fsync itself runs on
 *   libuv's thread pool after the commit, not inside it ({@link GroupCommit}).
 * - The global position is the `AUTOINCREMENT` row id, which SQLite never reuses.
 * - The expected-revision check and the inserts run in one `BEGIN IMMEDIATE` transaction, so
 *   writers in this and other processes are serialized on the file's write lock. Appends made
 *   together share that transaction, each in its own savepoint ({@link GroupCommit}): a
 *   conflict fails only its own append, and all of them cost one fsync.
 * - The same connection is exposed (`db`, `transaction`) so read models and checkpoints can be
 *   committed in the same file.
 */
export class SqliteEventStore implements EventStore {
  /** The open connection, for tables that must commit together with (or beside) the log. */
  readonly db: Database.Database;
  private readonly subscriptions: PagedSubscriptions;
  private readonly statements;
  private readonly prefixStatements = new Map<number, Database.Statement>();
  private closed = false;
  /** The connection's group commit, shared with other writers on it (ticket numbers). */
  private readonly writes: GroupCommit;
  /** The log's tail and whole streams, parsed, for the reads that follow an append. */
  private readonly recent: RecentEvents;

  private constructor(db: Database.Database, options: SqliteEventStoreOptions) {
    this.db = db;
    this.writes = GroupCommit.for(db);
    this.subscriptions = new PagedSubscriptions((after, limit, prefixes) => this.scan(after, limit, prefixes), { pageSize: options.pageSize ?? 500, pollMs: options.pollMs ?? 250 });
    this.recent = new RecentEvents(options.recent);
    db.exec(SCHEMA);
    const prepare = (sql: string): Database.Statement => db.prepare(sql).safeIntegers(true);
    this.statements = {
      streamHead: prepare('SELECT max(revision) AS revision FROM events WHERE stream_id = ?'),
      streamFrom: prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`),
      streamBackFrom: prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`),
      insert: prepare('INSERT INTO events (event_id, stream_id, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)'),
      eventIdExists: prepare('SELECT 1 FROM events WHERE event_id = ?'),
      allAfter: prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
      head: prepare('SELECT max(position) AS position FROM events'),
    };
  }

  /** Opens (creating if needed) the store in `file`; `':memory:'` gives a private in-memory database. */
  static open(file: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    try {
      const db = openDatabase(file, { synchronous: 'FULL', ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }) });
      db.pragma('foreign_keys = ON');
      return new SqliteEventStore(db, options);
    } catch (error) {
      throw new EventStoreUnavailableError(`cannot open SQLite event store at ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Runs `fn` in one immediate (write-locking) transaction on the store's connection. */
  transaction<T>(fn: (db: Database.Database) => T): T {
    return this.guard(() => this.db.transaction(() => fn(this.db)).immediate());
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('appendToStream needs at least one event');
    const ids = new Set(events.map((e) => e.id));
    if (ids.size !== events.length) throw new Error('the same event id appears twice in one append');
    const rows = events.map((e) => [e.id, e.type, JSON.stringify(e.data ?? null), JSON.stringify(e.metadata)] as const);
    this.assertOpen();
    let result: AppendResult;
    // Where the append's events went: kept in memory once the commit has been acknowledged.
    let placed: (readonly [position: bigint, revision: bigint])[] = [];
    try {
      // Appends arriving together share one transaction and one fsync, off the event loop (see GroupCommit).
      result = await this.writes.run((): AppendResult => {
        placed = [];
        const head = this.statements.streamHead.get(streamId) as { revision: bigint | null };
        const actual: bigint | 'no-stream' = head.revision === null ? 'no-stream' : head.revision;
        if (actual !== expected) {
          const replay = this.idempotentReplay(streamId, events, expected);
          if (replay) return replay;
          throw new WrongExpectedRevisionError(streamId, expected, actual);
        }
        let revision = actual === 'no-stream' ? -1n : actual;
        let position = 0n;
        for (const [id, type, data, metadata] of rows) {
          if (this.statements.eventIdExists.get(id)) throw new Error(`event id ${id} is already stored elsewhere`);
          revision += 1n;
          position = BigInt(this.statements.insert.run(id, streamId, revision, type, data, metadata).lastInsertRowid);
          placed.push([position, revision]);
        }
        return { nextExpectedRevision: revision, position: { commit: position, prepare: position }, alreadyStored: false };
        // The next append's sync covers this one: the file's log is synced in order.
      }, { durable: options.syncWithNextAppend !== true });
    } catch (error) {
      throw portError(error);
    }
    this.recent.appended(
      placed.map(([position, revision], i) => {
        const [id, type, data, metadata] = rows[i]!;
        return deepFreeze(toStoredEvent({ position, event_id: id, stream_id: streamId, revision, type, data, metadata }));
      }),
    );
    this.subscriptions.notify();
    return result;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly StoredEvent[]> {
    if (options.direction !== 'backwards' && (options.fromRevision ?? 0n) === 0n && options.maxCount === undefined) return this.wholeStream(streamId);
    const limit = options.maxCount === undefined ? -1 : Math.max(0, options.maxCount);
    const rows = this.guard(() =>
      options.direction === 'backwards'
        ? this.statements.streamBackFrom.all(streamId, options.fromRevision ?? 0x7fffffffffffffffn, limit)
        : this.statements.streamFrom.all(streamId, options.fromRevision ?? 0n, limit),
    ) as EventRow[];
    return rows.map(toStoredEvent);
  }

  /** A whole stream: from memory when the file's head revision says nothing was added since, else from the file. */
  private wholeStream(streamId: string): readonly StoredEvent[] {
    const head = this.guard(() => this.statements.streamHead.get(streamId)) as { revision: bigint | null };
    if (head.revision === null) return [];
    const kept = this.recent.stream(streamId, head.revision);
    if (kept !== undefined) return kept;
    const rows = this.guard(() => this.statements.streamFrom.all(streamId, 0n, -1)) as EventRow[];
    // Frozen: the same objects are handed to later readers.
    const events = rows.map((row) => deepFreeze(toStoredEvent(row)));
    this.recent.read(streamId, events);
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<readonly StoredEvent[]> {
    const after = options.after === undefined ? 0n : clampPosition(options.after.commit);
    const limit = options.maxCount === undefined ? -1 : Math.max(0, options.maxCount);
    const prefixes = options.streamPrefixes;
    const rows = this.guard(() =>
      prefixes === undefined
        ? this.statements.allAfter.all(after, limit)
        : prefixes.length === 0
          ? []
          : this.prefixStatement(prefixes.length).all(after, ...prefixes.flatMap((p) => [p, p]), limit),
    ) as EventRow[];
    return rows.map(toStoredEvent);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    return this.subscriptions.start(options);
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    const row = this.guard(() => this.statements.head.get()) as { position: bigint | null };
    return row.position === null ? undefined : { commit: row.position, prepare: row.position };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.subscriptions.stopAll();
    // Appends still waiting for their fsync finish first: closing the last connection deletes the WAL file.
    await this.writes.drain();
    this.db.close();
  }

  private scan(after: GlobalPosition | undefined, limit: number, prefixes: readonly string[] | undefined): ScannedPage {
    const from = after === undefined ? 0n : clampPosition(after.commit);
    const kept = this.recent.after(from, limit);
    if (kept !== undefined && kept.events.length > 0) {
      const last = kept.events[kept.events.length - 1]!;
      return {
        events: prefixes === undefined ? kept.events : kept.events.filter((e) => matchesPrefixes(e.streamId, prefixes)),
        scannedUpTo: last.position,
        rowsScanned: kept.events.length,
        more: kept.more,
      };
    }
    const rows = this.guard(() => this.statements.allAfter.all(from, limit)) as EventRow[];
    const last = rows[rows.length - 1];
    return {
      events: rows.filter((r) => matchesPrefixes(r.stream_id, prefixes)).map(toStoredEvent),
      scannedUpTo: last === undefined ? undefined : { commit: last.position, prepare: last.position },
      rowsScanned: rows.length,
    };
  }

  private idempotentReplay(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): AppendResult | undefined {
    const first = expected === 'no-stream' ? 0n : expected + 1n;
    if (first < 0n) return undefined;
    const stored = this.statements.streamFrom.all(streamId, first, events.length) as EventRow[];
    if (stored.length !== events.length || !stored.every((row, i) => row.event_id === events[i]!.id)) return undefined;
    const last = stored[stored.length - 1]!;
    return { nextExpectedRevision: last.revision, position: { commit: last.position, prepare: last.position }, alreadyStored: true };
  }

  private prefixStatement(count: number): Database.Statement {
    let statement = this.prefixStatements.get(count);
    if (!statement) {
      const match = Array.from({ length: count }, () => 'substr(stream_id, 1, length(?)) = ?').join(' OR ');
      statement = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? AND (${match}) ORDER BY position LIMIT ?`).safeIntegers(true);
      this.prefixStatements.set(count, statement);
    }
    return statement;
  }

  /** Turns "the file cannot be used" failures into the port's unavailable error; domain-level errors pass through. */
  private guard<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return fn();
    } catch (error) {
      throw portError(error);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('SQLite event store is closed');
  }
}

/** A "the file cannot be used" failure as the port's unavailable error; anything else as it is. */
const portError = (error: unknown): unknown =>
  isUnavailable(error) ? new EventStoreUnavailableError(`SQLite event store unavailable: ${(error as Error).message}`, { cause: error }) : error;

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|CORRUPT|NOTADB|PROTOCOL)/;

function isUnavailable(error: unknown): boolean {
  if (error instanceof Database.SqliteError) return UNAVAILABLE_CODES.test(error.code);
  return error instanceof TypeError && /database connection is not open/i.test(error.message);
}

// SQLite integers are signed 64-bit; a position past that cannot exist here, so clamp instead of overflowing the binding.
const MAX_INT64 = 0x7fffffffffffffffn;
const clampPosition = (commit: bigint): bigint => (commit > MAX_INT64 ? MAX_INT64 : commit < 0n ? 0n : commit);

const toStoredEvent = (row: EventRow): StoredEvent => ({
  id: row.event_id,
  streamId: row.stream_id,
  revision: row.revision,
  position: { commit: row.position, prepare: row.position },
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as EventMetadata,
});
