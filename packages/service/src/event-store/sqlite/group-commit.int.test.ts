import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { GroupCommit } from './group-commit';
import { openDatabase } from './open-database';

let dir: string;
let db: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  db = openDatabase(join(dir, 'test.sqlite'), { synchronous: 'FULL' });
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (): { k: string; v: number }[] => db.prepare('SELECT k, v FROM t ORDER BY k').all() as { k: string; v: number }[];

test('writes queued together commit in one transaction, and each caller gets its own result', async () => {
  const group = GroupCommit.for(db);
  expect(GroupCommit.for(db)).toBe(group);
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  // data_version, read on another connection, moves once per commit made by this one.
  const observer = openDatabase(join(dir, 'test.sqlite'), { synchronous: 'FULL' });
  const version = (): number => observer.pragma('data_version', { simple: true }) as number;
  const start = version();
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((k, i) => group.run(() => Number(insert.run(k, i).lastInsertRowid))));
  const commits = version() - start;
  observer.close();
  expect(results).toEqual([1, 2, 3, 4]);
  expect(rows()).toEqual([
    { k: 'a', v: 0 },
    { k: 'b', v: 1 },
    { k: 'c', v: 2 },
    { k: 'd', v: 3 },
  ]);
  expect(commits).toBe(1);
});

test('a write that throws is rolled back alone; the others in its batch commit', async () => {
  const group = GroupCommit.for(db);
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const outcomes = await Promise.allSettled([
    group.run(() => insert.run('a', 1).changes),
    group.run(() => {
      insert.run('half', 2); // written, then undone with its savepoint
      throw new Error('rule broken');
    }),
    group.run(() => insert.run('a', 3).changes), // primary key clash with the first write
    group.run(() => insert.run('b', 4).changes),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('rule broken'));
  expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
  expect(rows()).toEqual([
    { k: 'a', v: 1 },
    { k: 'b', v: 4 },
  ]);
});

test('when the batch cannot commit, every write in it fails and nothing is stored', async () => {
  const group = GroupCommit.for(db);
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  // Another connection holds the write lock past the busy timeout.
  const other = openDatabase(join(dir, 'test.sqlite'), { synchronous: 'FULL', busyTimeoutMs: 0 });
  db.pragma('busy_timeout = 0');
  other.exec('BEGIN IMMEDIATE');
  const outcomes = await Promise.allSettled([group.run(() => insert.run('a', 1).changes), group.run(() => insert.run('b', 2).changes)]);
  other.exec('ROLLBACK');
  other.close();
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  for (const o of outcomes) expect(String((o as PromiseRejectedResult).reason)).toMatch(/database is locked/);
  expect(rows()).toEqual([]);
  // The next batch works again.
  await expect(group.run(() => insert.run('c', 3).changes)).resolves.toBe(1);
  expect(rows()).toEqual([{ k: 'c', v: 3 }]);
});

test('a batch of writes that need no fsync of their own commits with synchronous = NORMAL; any durable write in it keeps FULL', async () => {
  const group = GroupCommit.for(db);
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const synchronous = (): number => Number(db.pragma('synchronous', { simple: true }));
  expect(synchronous()).toBe(2);
  // Alone in their batch: no fsync (NORMAL = 1) while they commit.
  const seen = await Promise.all([
    group.run(() => (insert.run('a', 1), synchronous()), { durable: false }),
    group.run(() => (insert.run('b', 2), synchronous()), { durable: false }),
  ]);
  expect(seen).toEqual([1, 1]);
  expect(synchronous()).toBe(2);
  // With a durable write in the batch, the whole batch is fsynced.
  const mixed = await Promise.all([group.run(() => (insert.run('c', 3), synchronous()), { durable: false }), group.run(() => (insert.run('d', 4), synchronous()))]);
  expect(mixed).toEqual([2, 2]);
  expect(synchronous()).toBe(2);
  expect(rows().map((r) => r.k)).toEqual(['a', 'b', 'c', 'd']);
});

test('a write that makes SQLite end the whole transaction fails the batch: nothing of it is stored, later writes do not run alone', async () => {
  const group = GroupCommit.for(db);
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  let thirdRan = false;
  const outcomes = await Promise.allSettled([
    group.run(() => insert.run('a', 1).changes),
    // Stands in for SQLITE_FULL / IOERR, after which SQLite has rolled the transaction back.
    group.run(() => db.exec('ROLLBACK')),
    group.run(() => {
      thirdRan = true;
      return insert.run('c', 3).changes;
    }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(thirdRan).toBe(false);
  expect(rows()).toEqual([]);
  expect(db.inTransaction).toBe(false);
  // The connection is usable again.
  await expect(group.run(() => insert.run('d', 4).changes)).resolves.toBe(1);
});
