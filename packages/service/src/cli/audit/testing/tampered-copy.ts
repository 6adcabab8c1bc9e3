import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * A copy of `file` in `dir` named `<name>.sqlite`, changed with a writable connection (the
 * auditor's tool never writes): how the tests forge a log.
 */
export function tamperedCopy(dir: string, file: string, name: string, change: (db: Database.Database) => void): string {
  const copy = path.join(dir, `${name}.sqlite`);
  copyFileSync(file, copy);
  const writable = new Database(copy);
  change(writable);
  writable.close();
  return copy;
}
