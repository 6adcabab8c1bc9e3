import { close, fsync, openSync, realpathSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import Database from 'better-sqlite3';

interface Pending {
  readonly work: () => unknown;
  readonly durable: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** One of the two fsync lanes: a descriptor on the WAL file, and whether an fsync runs on it. */
interface Lane {
  fd: number | undefined;
  busy: boolean;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

const shared = new WeakMap<Database.Database, GroupCommit>();

/** Flushes a file descriptor to disk and calls back; `fs.fsync` (on libuv's thread pool) by default. */
export type FsyncFile = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

export interface GroupCommitOptions {
  /** Replaces `fs.fsync` for the write-ahead log (tests use it to hold or fail a flush). */
  readonly fsync?: FsyncFile;
  /** How long the WAL descriptors stay open after the last fsync ended (default 1,000 ms). */
  readonly idleCloseMs?: number;
}

/**
 * Group commit for one SQLite connection. Writes queued during the same turn of the event loop
 * (the requests that arrived together) run in one `BEGIN IMMEDIATE` transaction, so that N
 * concurrent writers share one commit, and with `synchronous = FULL` one fsync, instead of
 * paying for N.
 *
 * Each write runs in a savepoint of its own. A write that throws is rolled back alone, and its
 * caller gets its error; the others still commit. A promise resolves only once its batch is
 * durable, so a resolved write is as durable as a transaction of its own would have been. If
 * the commit itself fails, or a write fails in a way that makes SQLite roll back the whole
 * transaction, every write of the batch is rejected and none of them is stored.
 *
 * The work functions are synchronous (better-sqlite3 is), and must not await anything.
 *
 * **The fsync runs off the event loop.** On a file in WAL mode with `synchronous = FULL`, a
 * batch commits with `synchronous = NORMAL` (its frames are written to the WAL file, and a
 * process crash can no longer lose them), and the WAL file is then fsynced with `fs.fsync` on
 * libuv's thread pool while the event loop goes on serving requests. The batch's promises
 * resolve when an fsync that started after the commit has finished. Up to two fsyncs run at
 * once, each on a descriptor of its own: a batch committed while one runs starts the other at
 * once instead of waiting for the first to end and then for its own (which, with the disk's
 * slowest fsyncs taking 20–40 ms here, doubled the wait). Batches committed while both run share
 * the next one. An in-memory database, or one not in WAL mode, keeps fsyncing inside the commit.
 *
 * If an fsync fails, its writes are rejected with `SQLITE_IOERR_FSYNC` (they may or may not
 * survive a power cut), and so are those of an fsync still running and every later write on
 * the connection, until the process restarts: after a failed fsync, Linux may drop the
 * unwritten pages and report success to the next one, and SQLite's recovery after a power cut
 * keeps only an unbroken run of valid WAL frames, so later writes could be acknowledged and
 * still be lost.
 *
 * For the time the fsync takes (about a millisecond), other connections can already read a
 * committed batch that a power cut could still take away, together with everything committed
 * after it (recovery keeps only the valid frames before the first torn one), but nothing that
 * was acknowledged.
 *
 * A write may say it needs no fsync of its own (`durable: false`): one that only matters if a
 * later durable write commits, such as a ticket number that is handed out only inside the
 * event appended next. Such writes resolve right after their commit when no durable write
 * shares their batch; the next durable commit's fsync makes them durable too.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly commit: Database.Transaction<(batch: readonly Pending[]) => Outcome[]>;
  /** The write-ahead log's file when commits are made durable off the event loop; else undefined. */
  private readonly walFile: string | undefined;
  /**
   * Two lanes, each with a descriptor of its own on the WAL file and at most one fsync running on
   * it: a batch committed while one fsync runs starts its own on the other lane at once instead
   * of waiting for the first to end. Separate descriptors because Linux reports a failed
   * writeback once per open file: on a shared one, only one of two concurrent fsyncs would see it.
   */
  private readonly lanes: Lane[] = [
    { fd: undefined, busy: false },
    { fd: undefined, busy: false },
  ];
  /** Writes waiting for an fsync that has not started yet (both lanes are busy). */
  private nextSync: Deferred | undefined;
  /** Set by a failed fsync: from then on every write is refused (see the class comment). */
  private failed: Error | undefined;
  /** When the last fsync ended (`performance.now()`), and the timer that closes idle descriptors. */
  private lastFsyncEnd = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  private readonly fsyncFile: FsyncFile;
  private readonly idleCloseMs: number;

  constructor(
    private readonly db: Database.Database,
    options: GroupCommitOptions = {},
  ) {
    this.fsyncFile = options.fsync ?? fsync;
    this.idleCloseMs = options.idleCloseMs ?? 1_000;
    const wal = !db.memory && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal';
    // SQLite keeps the WAL beside the real file (it follows symbolic links), by absolute path.
    this.walFile = wal ? `${realFile(db.name)}-wal` : undefined;
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
    if (this.failed !== undefined) return Promise.reject(this.failed);
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
    if (this.failed !== undefined) {
      for (const pending of batch) pending.reject(this.failed);
      return;
    }
    let outcomes: Outcome[];
    let fsyncLater = false;
    try {
      // The connection's setting as it is now (a bulk load may have turned it down to OFF).
      const setting = Number(this.db.pragma('synchronous', { simple: true }));
      const fsyncs = setting >= 2; // FULL or EXTRA: every commit is to be fsynced
      const durable = fsyncs && batch.some((pending) => pending.durable);
      // A durable batch on a file in WAL mode commits without its fsync, which then runs on
      // libuv's thread pool: the event loop goes on serving requests while the disk flushes.
      fsyncLater = durable && this.walFile !== undefined;
      outcomes = fsyncs && (!durable || fsyncLater) ? this.withoutFsync(setting, () => this.commit.immediate(batch)) : this.commit.immediate(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const settle = (failure?: unknown): void =>
      outcomes.forEach((outcome, i) => {
        const pending = batch[i]!;
        if (!outcome.ok) pending.reject(outcome.error);
        else if (failure !== undefined) pending.reject(failure);
        else pending.resolve(outcome.value);
      });
    if (fsyncLater) this.afterNextFsync().then(() => settle(), settle);
    else settle();
  }

  /** Resolves after an fsync of the write-ahead log that started after this call. */
  private afterNextFsync(): Promise<void> {
    if (this.nextSync === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.nextSync = { promise, resolve, reject };
      const free = this.lanes.find((lane) => !lane.busy);
      if (free !== undefined) this.startFsync(free);
      return promise;
    }
    return this.nextSync.promise;
  }

  private startFsync(lane: Lane): void {
    const waiting = this.nextSync;
    if (waiting === undefined) return;
    this.nextSync = undefined;
    lane.busy = true;
    const done = (error: NodeJS.ErrnoException | null): void => {
      lane.busy = false;
      if (error) {
        this.failed ??= new Database.SqliteError(
          `fsync of the write-ahead log failed (${error.message}); no write is accepted until the service restarts`,
          'SQLITE_IOERR_FSYNC',
        );
      }
      // After a failure, no fsync still running may vouch for its writes either, nor may a later one.
      if (this.failed !== undefined) {
        waiting.reject(this.failed);
        const next = this.nextSync;
        this.nextSync = undefined;
        next?.reject(this.failed);
      } else waiting.resolve();
      if (this.nextSync !== undefined) this.startFsync(lane);
      else {
        this.lastFsyncEnd = performance.now();
        this.closeWhenIdle();
      }
    };
    try {
      // Kept open from one fsync to the next, and closed a while after the last (closeWhenIdle).
      // Opening both and closing both for every busy stretch, as before, meant four system calls
      // and a thread-pool job for nearly every commit at moderate request rates, where most
      // commits start a stretch of their own (about 1 % of the event loop's time per request,
      // measured). While this connection is open, SQLite does not delete or replace the
      // WAL file (only the last connection to close deletes it), so the descriptors stay on it.
      // Both lanes open together, so that each reports any writeback failure from then on.
      // 'r+' neither creates nor truncates; some systems (Windows) flush only a writable handle.
      for (const l of this.lanes) l.fd ??= openSync(this.walFile!, 'r+');
      this.fsyncFile(lane.fd!, done);
    } catch (error) {
      // An fsync that cannot even start fails like one that failed.
      done(error as NodeJS.ErrnoException);
    }
  }

  /**
   * Resolves once every write queued so far has committed and been flushed (or failed), and the
   * WAL descriptors are closed: for closing the connection (a later write opens them again).
   */
  async drain(): Promise<void> {
    while (this.scheduled || this.queue.length > 0 || this.lanes.some((lane) => lane.busy) || this.nextSync !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.closeWal();
  }

  /**
   * Closes the WAL descriptors once no fsync has run for `idleCloseMs`, so that a connection
   * closed without `drain()` keeps them only that long. One timer at a time, not one per fsync:
   * it looks again when it fires, and waits on if an fsync ended since it was set.
   */
  private closeWhenIdle(): void {
    if (this.idleTimer !== undefined) return;
    const check = (): void => {
      this.idleTimer = undefined;
      if (this.lanes.some((lane) => lane.busy)) return; // the end of that fsync sets the timer again
      const left = this.lastFsyncEnd + this.idleCloseMs - performance.now();
      if (left > 0) this.idleTimer = setTimeout(check, left).unref();
      else this.closeWal();
    };
    this.idleTimer = setTimeout(check, this.idleCloseMs).unref();
  }

  private closeWal(): void {
    for (const lane of this.lanes) {
      const fd = lane.fd;
      lane.fd = undefined;
      if (fd !== undefined) close(fd, () => undefined);
    }
  }

  private withoutFsync<T>(setting: number, commit: () => T): T {
    // Not a statement prepared once: SQLite applies a PRAGMA that sets a value when the
    // statement is prepared, and running it again changes nothing.
    this.db.pragma('synchronous = NORMAL');
    try {
      return commit();
    } finally {
      this.db.pragma(`synchronous = ${setting}`);
    }
  }
}

const realFile = (file: string): string => {
  try {
    return realpathSync(resolvePath(file));
  } catch {
    return resolvePath(file);
  }
};
