import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface OpenDatabaseOptions {
  /**
   * `FULL` fsyncs the write-ahead log on every commit (what an acknowledged append needs);
   * `NORMAL` keeps commits atomic and consistent but may lose the last ones on power loss.
   */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** How long a writer waits for another connection's lock (default 5 s). */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating the folder and file if needed) a connection to one of the service's SQLite
 * files in WAL mode, so readers never block the writer and other processes can share the file.
 * `':memory:'` gives a private in-memory database.
 */
export const openDatabase = (file: string, options: OpenDatabaseOptions): Database.Database => {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5_000))}`);
  return db;
};
