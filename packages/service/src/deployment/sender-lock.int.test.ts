import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SenderLock, senderLockFile } from './sender-lock';

/** The sender lock on real files: refused while another connection or process holds it, free again once that one lets go or dies. */
let dir: string;
let file: string;
const locks: SenderLock[] = [];
const lock = (): SenderLock => {
  const l = new SenderLock(file);
  locks.push(l);
  return l;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'support-sla-lock-'));
  file = senderLockFile(join(dir, 'support-sla.mail.sqlite'));
});
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  rmSync(dir, { recursive: true, force: true });
});

test('lives beside the mail file', () => {
  expect(senderLockFile('/var/lib/sla/support-sla.mail.sqlite')).toBe('/var/lib/sla/support-sla.mail.sqlite.sender-lock');
});

test('one holder at a time in a process; released, it goes to the next', () => {
  const first = lock();
  const second = lock();
  expect(first.tryAcquire()).toBe(true);
  expect(first.tryAcquire()).toBe(true);
  expect(second.tryAcquire()).toBe(false);
  expect([first.held, second.held]).toEqual([true, false]);
  first.release();
  expect(first.held).toBe(false);
  expect(second.tryAcquire()).toBe(true);
  expect(first.tryAcquire()).toBe(false);
});

test('held by another process, it is refused; once that process is killed, it is taken at once', async () => {
  const holder = spawn(
    process.execPath,
    ['-e', `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(file)}, { timeout: 0 }); db.exec('BEGIN EXCLUSIVE'); console.log('held'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (chunk: Buffer) => (chunk.toString().includes('held') ? resolve() : undefined));
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const mine = lock();
    expect(mine.tryAcquire()).toBe(false);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    expect(mine.tryAcquire()).toBe(true);
  } finally {
    holder.kill('SIGKILL');
  }
});

test('a file that is not a lock file is an error, not a refusal', () => {
  writeFileSync(file, 'this is not an SQLite database, but long enough to have a header of its own.....................');
  expect(() => lock().tryAcquire()).toThrow(/not a database/);
});
