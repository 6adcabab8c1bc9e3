import type Database from 'better-sqlite3';

interface Pending {
  readonly work: () => unknown;
  readonly durable: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const shared = new WeakMap<Database.Database, GroupCommit>();

/**
 * Group commit for one SQLite connection. Writes queued during the same turn of the event loop
 * (the requests that arrived together) run in one `BEGIN IMMEDIATE` transaction, so that N
 * concurrent writers share one commit, and with `synchronous = FULL` one fsync, instead of
 * paying for N.
 *
 * Each write runs in a savepoint of its own. A write that throws is rolled back alone, and its
 * caller gets its error; the others still commit. A promise resolves only after the commit has
 * returned, so a resolved write is as durable as a transaction of its own would have been. If
 * the commit itself fails, or a write fails in a way that makes SQLite roll back the whole
 * transaction, every write of the batch is rejected and none of them is stored.
 *
 * The work functions are synchronous (better-sqlite3 is), and must not await anything.
 *
 * A write may say it needs no fsync of its own (`durable: false`): one that only matters if a
 * later durable write commits, such as a ticket number that is handed out only inside the
 * event appended next. A batch made only of such writes commits with `synchronous = NORMAL`
 * (the connection's own setting is restored right after). WAL frames reach the disk in order,
 * so the next durable commit's fsync makes it durable too; a power cut before that loses it
 * together with everything that could have used it.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly commit: Database.Transaction<(batch: readonly Pending[]) => Outcome[]>;
  /** The connection fsyncs every commit (`synchronous = FULL` or stronger). */
  private readonly fsyncs: boolean;

  constructor(private readonly db: Database.Database) {
    this.fsyncs = Number(db.pragma('synchronous', { simple: true })) >= 2;
    // Called inside the batch's transaction, a better-sqlite3 transaction function uses a savepoint.
    const inSavepoint = db.transaction((work: () => unknown) => work());
    this.commit = db.transaction((batch: readonly Pending[]): Outcome[] =>
      batch.map((pending): Outcome => {
        try {
          return { ok: true, value: inSavepoint(pending.work) };
        } catch (error) {
          // Some errors (SQLITE_FULL, IOERR, NOMEM) make SQLite roll the whole transaction back:
          // the batch's earlier writes are gone, and later ones would each commit on their own.
          // Fail the batch as a whole instead.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  /** The one instance for `db`, so that every writer on a connection shares its batches. */
  static for(db: Database.Database): GroupCommit {
    let group = shared.get(db);
    if (group === undefined) {
      group = new GroupCommit(db);
      shared.set(db, group);
    }
    return group;
  }

  /** Runs `work` in the next batch; resolves with its result once the batch has committed. */
  run<T>(work: () => T, options: { readonly durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, durable: options.durable ?? true, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn, so that requests parsed together commit together.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.fsyncs && !batch.some((pending) => pending.durable) ? this.withoutFsync(() => this.commit.immediate(batch)) : this.commit.immediate(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    outcomes.forEach((outcome, i) => {
      const pending = batch[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  private withoutFsync<T>(commit: () => T): T {
    const setting = this.db.pragma('synchronous', { simple: true });
    this.db.pragma('synchronous = NORMAL');
    try {
      return commit();
    } finally {
      this.db.pragma(`synchronous = ${Number(setting)}`);
    }
  }
}
