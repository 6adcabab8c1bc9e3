import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './open-database';
import { WalCheckpointer } from './wal-checkpointer';
import { sleep, until } from '../../testing/http';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeMegabytes = (db: ReturnType<typeof openDatabase>, megabytes: number): void => {
  const insert = db.prepare('INSERT INTO blobs (body) VALUES (?)');
  for (let i = 0; i < megabytes * 10; i += 1) insert.run('x'.repeat(100_000)); // one commit of 100 KB each
};

test('a thread copies committed WAL frames into the database file; the writer\'s own automatic checkpoint stays out of the way', async () => {
  const file = join(dir, 'db.sqlite');
  const db = openDatabase(file, { synchronous: 'FULL' });
  db.exec('CREATE TABLE blobs (body TEXT NOT NULL)');
  const checkpointer = WalCheckpointer.start(db, { intervalMs: 20 })!;
  try {
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    writeMegabytes(db, 3);
    // 3 MB is 750 pages, under the writer's 10,000: only the thread can have put them in the file.
    await until('the database file to hold the 3 MB', () => statSync(file).size >= 3_000_000, 5_000);
  } finally {
    await checkpointer.stop();
  }
  // Stopped: SQLite's default is back on the writer, and stopping again is harmless.
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  await checkpointer.stop();
  db.close();
});

test('without the thread, the same writes stay in the WAL file (the measurement above is the thread\'s doing)', async () => {
  const file = join(dir, 'db.sqlite');
  const db = openDatabase(file, { synchronous: 'FULL' });
  db.exec('CREATE TABLE blobs (body TEXT NOT NULL)');
  db.pragma('wal_autocheckpoint = 10000');
  writeMegabytes(db, 3);
  await sleep(200);
  expect(statSync(file).size).toBeLessThan(100_000);
  expect(statSync(`${file}-wal`).size).toBeGreaterThanOrEqual(3_000_000);
  db.close();
});

test('a thread that died is noticed: the writer checkpoints on its own again, and stopping does not wait for it', async () => {
  const gone = join(dir, 'gone');
  mkdirSync(gone);
  const db = openDatabase(join(gone, 'db.sqlite'), { synchronous: 'FULL' });
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    const checkpointer = WalCheckpointer.start(db, { intervalMs: 20 })!;
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    // The thread opens its own connection a moment later, in a folder that is no longer there.
    rmSync(gone, { recursive: true, force: true });
    await until('the writer\'s own automatic checkpoint to be back', () => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 5_000);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/WAL checkpointer thread for .*db\.sqlite failed: .*the writer checkpoints on its own again/);
    await checkpointer.stop();
  } finally {
    warn.mockRestore();
    db.close();
  }
});

test('an in-memory database has no WAL and gets no thread', () => {
  const db = openDatabase(':memory:', { synchronous: 'FULL' });
  expect(WalCheckpointer.start(db)).toBeUndefined();
  db.close();
});
