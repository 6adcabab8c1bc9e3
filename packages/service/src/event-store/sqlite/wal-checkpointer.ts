import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** What the checkpointer thread runs: plain JavaScript, so that it needs no build step (and runs under jest). */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy, or the file is gone: the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointerOptions {
  /** How often the thread copies new WAL frames into the database file (default 100 ms). */
  readonly intervalMs?: number;
  /**
   * The connection's own automatic checkpoint, kept as a safety net for a thread that falls
   * behind or dies (default 10,000 pages, about 40 MB of WAL with 4 KB pages).
   */
  readonly fallbackPages?: number;
}

/**
 * Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit
 * that takes the WAL past 1,000 pages: on the connection that commits, it fsyncs the WAL, copies
 * the pages into the database file and fsyncs that, which blocked the service's event loop for
 * 5–15 ms at a time under load. This starts a thread with a connection of its own that runs a
 * `PASSIVE` checkpoint (one that never waits for, nor blocks, readers and writers) every
 * `intervalMs`, and raises the writer's own automatic checkpoint to `fallbackPages`, so that it
 * only runs if the thread cannot keep up. If the thread dies, the writer's automatic checkpoint
 * goes back to SQLite's default.
 */
export class WalCheckpointer {
  private stopped = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly worker: Worker,
    private readonly exited: Promise<unknown>,
  ) {}

  /** Starts checkpointing `db`'s file; undefined for an in-memory database, which has no WAL. */
  static start(db: Database.Database, options: WalCheckpointerOptions = {}): WalCheckpointer | undefined {
    if (db.memory) return undefined;
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: { file: db.name, intervalMs: options.intervalMs ?? 100, driver: require.resolve('better-sqlite3') },
    });
    worker.unref();
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const checkpointer = new WalCheckpointer(db, worker, exited);
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(options.fallbackPages ?? 10_000))}`);
    worker.once('error', (error) => process.emitWarning(`WAL checkpointer thread for ${db.name} failed: ${error.message}; the writer checkpoints on its own again`));
    void exited.then(() => {
      if (!checkpointer.stopped && db.open) db.pragma('wal_autocheckpoint = 1000');
    });
    return checkpointer;
  }

  /** Stops the thread (waiting for it to close its connection) and restores SQLite's default on the writer. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
    // Taken at start, so a thread that already died does not leave this waiting for an exit that has passed.
    await this.exited;
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
  }
}
