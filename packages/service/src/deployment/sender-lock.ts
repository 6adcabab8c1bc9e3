import Database from 'better-sqlite3';

/** The lock file of a mail file: `support-sla.mail.sqlite` → `support-sla.mail.sqlite.sender-lock`. */
export const senderLockFile = (mailFile: string): string => `${mailFile}.sender-lock`;

/**
 * Which process sends the e-mails of a mail file. Two service processes on one SQLite file share
 * its mail file, and each would otherwise read the same outbox rows and send them both. The
 * process that sends is the one holding an exclusive lock on a small SQLite file beside the mail
 * file, taken with `BEGIN EXCLUSIVE` and held by leaving that transaction open. SQLite's lock is
 * an OS file lock, which the kernel drops when its process ends, however it ends (SIGKILL
 * included), so a process waiting in standby takes over on its next try. Nothing is ever written
 * to the file; while the lock is held, SQLite keeps an empty journal beside it.
 *
 * The lock is per process: a second connection in the same process is refused too (SQLite keeps
 * one lock per file and process), so two services in one process also send once.
 */
export class SenderLock {
  private db: Database.Database | undefined;

  constructor(readonly file: string) {}

  /** Whether this holder has the lock. */
  get held(): boolean {
    return this.db?.inTransaction === true;
  }

  /**
   * Takes the lock if no other process or connection holds it; true when this holder has it.
   * Never waits. Throws only when the file cannot be opened or is not a lock file.
   */
  tryAcquire(): boolean {
    if (this.held) return true;
    const db = this.db ?? new Database(this.file, { timeout: 0 });
    this.db = db;
    try {
      db.exec('BEGIN EXCLUSIVE');
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return false;
      this.release();
      throw error;
    }
  }

  /** Lets the lock go (closing the connection ends its transaction). */
  release(): void {
    const db = this.db;
    this.db = undefined;
    if (db?.open === true) db.close();
  }
}
