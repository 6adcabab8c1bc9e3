import Database from 'better-sqlite3';
import type { Json } from '../../testing/http';

/**
 * The client's Idempotency-Key an event was appended under. The service stores it scoped to the
 * caller and route as JSON (`["<org>","<user>","POST /tickets","<key>"]`); older logs have
 * `<org>/<user>/<key>` or the bare key (the tests' keys contain no `/`).
 */
export const clientKeyOf = (metadata: Json): string | undefined => {
  const stored = metadata.idempotencyKey;
  if (typeof stored !== 'string') return undefined;
  if (stored.startsWith('[')) {
    try {
      const scoped = JSON.parse(stored) as unknown;
      if (Array.isArray(scoped) && typeof scoped[scoped.length - 1] === 'string') return scoped[scoped.length - 1] as string;
    } catch {
      // not the scoped form
    }
  }
  return stored.slice(stored.lastIndexOf('/') + 1);
};

/** An event as the reliability tests look at it. */
export interface LoggedEvent {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: Json;
  readonly metadata: Json;
}

interface Row {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/**
 * A read-only connection to a service's SQLite file, beside the service's own (WAL lets
 * readers see every committed append without blocking the writer).
 */
export class LogReader {
  private readonly db: Database.Database;

  constructor(dbFile: string) {
    this.db = new Database(dbFile, { readonly: true, fileMustExist: true });
  }

  /** Position of the last event (0 when empty). */
  head(): number {
    return (this.db.prepare('SELECT COALESCE(MAX(position), 0) AS head FROM events').get() as { head: number }).head;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }

  /** Events strictly after `position`, in log order. */
  after(position: number): LoggedEvent[] {
    const rows = this.db
      .prepare('SELECT position, event_id, stream_id, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position')
      .all(position) as Row[];
    return rows.map((r) => ({
      position: r.position,
      eventId: r.event_id,
      streamId: r.stream_id,
      revision: r.revision,
      type: r.type,
      data: JSON.parse(r.data) as Json,
      metadata: JSON.parse(r.metadata) as Json,
    }));
  }

  all(): LoggedEvent[] {
    return this.after(0);
  }

  close(): void {
    this.db.close();
  }
}
