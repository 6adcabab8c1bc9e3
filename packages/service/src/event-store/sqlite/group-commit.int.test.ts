import { fstatSync, fsync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { GroupCommit } from './group-commit';
import { openDatabase } from './open-database';
import { sleep, until } from '../../testing/http';
import { onLinux } from '../../testing/threads';

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

test('no write waits for an fsync inside the commit: durable batches are flushed after it, writes that need no fsync resolve at once', async () => {
  const flushes: number[] = [];
  const group = new GroupCommit(db, { fsync: (fd, done) => (flushes.push(fd), fsync(fd, done)) });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const synchronous = (): number => Number(db.pragma('synchronous', { simple: true }));
  expect(synchronous()).toBe(2);
  // Alone in their batch: committed with NORMAL (1), and nothing flushed for them.
  const seen = await Promise.all([
    group.run(() => (insert.run('a', 1), synchronous()), { durable: false }),
    group.run(() => (insert.run('b', 2), synchronous()), { durable: false }),
  ]);
  expect(seen).toEqual([1, 1]);
  expect(flushes).toEqual([]);
  // With a durable write in the batch, the batch commits with NORMAL too, then the WAL file is flushed once.
  const mixed = await Promise.all([group.run(() => (insert.run('c', 3), synchronous()), { durable: false }), group.run(() => (insert.run('d', 4), synchronous()))]);
  expect(mixed).toEqual([1, 1]);
  expect(flushes).toHaveLength(1);
  expect(synchronous()).toBe(2);
  expect(rows().map((r) => r.k)).toEqual(['a', 'b', 'c', 'd']);
});

test('each batch follows the synchronous setting of the connection at that moment: the OFF of a bulk load is kept, FULL comes back', async () => {
  let flushes = 0;
  const group = new GroupCommit(db, { fsync: (fd, done) => (flushes++, fsync(fd, done)) });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const synchronous = (): number => Number(db.pragma('synchronous', { simple: true }));
  const batch = (k: string): Promise<number> => group.run(() => (insert.run(k, 0), synchronous()));
  // A bulk load turns it OFF before the first write: no flush, and OFF stays.
  db.pragma('synchronous = OFF');
  expect([await batch('a'), await batch('b')]).toEqual([0, 0]);
  expect(synchronous()).toBe(0);
  expect(flushes).toBe(0);
  // FULL: committed with NORMAL, then flushed, and FULL again after.
  db.pragma('synchronous = FULL');
  expect([await batch('c'), await batch('d')]).toEqual([1, 1]);
  expect(synchronous()).toBe(2);
  expect(flushes).toBe(2);
  // OFF again, then FULL again.
  db.pragma('synchronous = OFF');
  expect(await batch('e')).toBe(0);
  expect(synchronous()).toBe(0);
  db.pragma('synchronous = FULL');
  expect(await batch('f')).toBe(1);
  expect(synchronous()).toBe(2);
  expect(flushes).toBe(3);
});

test('a durable write resolves only after an fsync of the WAL file that started after its commit', async () => {
  const held: { fd: number; ino: number; release: () => void }[] = [];
  const group = new GroupCommit(db, { fsync: (fd, done) => held.push({ fd, ino: fstatSync(fd).ino, release: () => done(null) }) });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  let firstDone = false;
  const first = group.run(() => insert.run('a', 1).changes).then((n) => ((firstDone = true), n));
  await until('the first flush to start', () => held.length === 1);
  // Committed (another connection sees it), but not acknowledged while its flush runs.
  const observer = openDatabase(join(dir, 'test.sqlite'), { synchronous: 'FULL' });
  expect(observer.prepare('SELECT k FROM t').pluck().all()).toEqual(['a']);
  observer.close();
  expect(held[0]!.ino).toBe(statSync(join(dir, 'test.sqlite-wal')).ino);
  // A batch committed while that flush runs does not count on it: it starts one of its own at
  // once, on another descriptor of the same WAL file.
  let secondDone = false;
  const second = group.run(() => insert.run('b', 2).changes).then((n) => ((secondDone = true), n));
  await until('the second flush to start', () => held.length === 2);
  expect(rows().map((r) => r.k)).toEqual(['a', 'b']);
  expect(held[1]!.ino).toBe(held[0]!.ino);
  expect(held[1]!.fd).not.toBe(held[0]!.fd);
  // With both flushes running, a third batch waits for one that starts after its commit.
  let thirdDone = false;
  const third = group.run(() => insert.run('c', 3).changes).then((n) => ((thirdDone = true), n));
  await sleep(20);
  expect(held).toHaveLength(2);
  // The second flush ends first: only the second write is acknowledged.
  held[1]!.release();
  await expect(second).resolves.toBe(1);
  expect(firstDone).toBe(false);
  // Its lane is free again, and takes the third batch's flush.
  await until('the third flush to start', () => held.length === 3);
  expect(held[2]!.fd).toBe(held[1]!.fd);
  expect(thirdDone).toBe(false);
  held[0]!.release();
  await expect(first).resolves.toBe(1);
  expect(thirdDone).toBe(false);
  held[2]!.release();
  await expect(third).resolves.toBe(1);
  expect(secondDone).toBe(true);
});

test('when one of two concurrent fsyncs fails, the writes of the other are rejected too, even if it succeeds, and so are those waiting for the next', async () => {
  const held: ((error: NodeJS.ErrnoException | null) => void)[] = [];
  const group = new GroupCommit(db, { fsync: (_fd, done) => held.push(done) });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const first = group.run(() => insert.run('a', 1).changes);
  await until('the first flush to start', () => held.length === 1);
  const second = group.run(() => insert.run('b', 2).changes);
  await until('the second flush to start', () => held.length === 2);
  // Both lanes busy: this batch waits for a flush that has not started.
  const third = group.run(() => insert.run('c', 3).changes);
  await sleep(20);
  held[0]!(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  await expect(first).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  // Refused without a flush of its own: no later flush may vouch for it.
  await expect(third).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  expect(held).toHaveLength(2);
  // Linux reports a failed writeback once per open file; this flush is told nothing.
  held[1]!(null);
  await expect(second).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
});

test('an fsync that throws instead of starting fails its writes, and leaves nothing for drain to wait on', async () => {
  const group = new GroupCommit(db, {
    fsync: () => {
      throw Object.assign(new Error('EBADF: bad file descriptor, fsync'), { code: 'EBADF' });
    },
  });
  await expect(group.run(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('a', 1).changes)).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  await group.drain();
});

test('when an fsync fails, its writes are rejected as unavailable, and so is every later write until the process restarts', async () => {
  let fail = true;
  const group = new GroupCommit(db, { fsync: (fd, done) => (fail ? done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })) : fsync(fd, done)) });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  const outcomes = await Promise.allSettled([group.run(() => insert.run('a', 1).changes), group.run(() => insert.run('b', 2).changes)]);
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('rejected');
    const reason = (outcome as PromiseRejectedResult).reason as { code?: string; message?: string };
    expect(reason.code).toBe('SQLITE_IOERR_FSYNC');
    expect(reason.message).toMatch(/fsync of the write-ahead log failed \(EIO: i\/o error, fsync\); no write is accepted until the service restarts/);
  }
  // The disk may report the next fsync as a success after dropping the pages the failed one was for.
  fail = false;
  let ran = false;
  await expect(group.run(() => ((ran = true), insert.run('c', 3).changes))).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  await expect(group.run(() => insert.run('d', 4).changes, { durable: false })).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  expect(ran).toBe(false);
  expect(rows().map((r) => r.k)).toEqual(['a', 'b']);
});

// The descriptors are counted in /proc/self/fd.
const linuxOnly = onLinux('group commit: the WAL descriptor test');

linuxOnly('the WAL descriptors stay open from one fsync to the next, and are closed after an idle while or by drain', async () => {
  // Descriptors of this process on the WAL file: SQLite's own, plus the two lanes' while open.
  const wal = `${realpathSync(join(dir, 'test.sqlite'))}-wal`;
  const walDescriptors = (): number =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === wal;
      } catch {
        return false; // closed while listing
      }
    }).length;
  const flushed: number[] = [];
  // A second of idleness before they close: far more than this test's pauses between writes.
  const group = new GroupCommit(db, { idleCloseMs: 1_000, fsync: (fd, done) => (flushed.push(fd), fsync(fd, done)) });
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  // SQLite's own (the table was created in WAL mode), before the group commit opens any.
  const sqliteOwn = walDescriptors();
  expect(sqliteOwn).toBeGreaterThanOrEqual(1);
  await group.run(() => insert.run('a', 1));
  expect(walDescriptors()).toBe(sqliteOwn + 2);
  // A while after that fsync ended, both are still open (the code before closed them as each
  // fsync ended), and a later batch flushes on one of them.
  await sleep(50);
  expect(walDescriptors()).toBe(sqliteOwn + 2);
  await group.run(() => insert.run('b', 2));
  expect(walDescriptors()).toBe(sqliteOwn + 2);
  expect(flushed).toHaveLength(2);
  expect(flushed[1]).toBe(flushed[0]);
  // Idle for longer than idleCloseMs: both closed.
  await until('the idle descriptors to close', () => walDescriptors() === sqliteOwn, 5_000);
  // Opened again by the next durable batch, and closed by drain at once.
  await group.run(() => insert.run('c', 3));
  expect(walDescriptors()).toBe(sqliteOwn + 2);
  await group.drain();
  await until('drain to close the descriptors', () => walDescriptors() === sqliteOwn, 1_000);
  expect(rows().map((r) => r.k)).toEqual(['a', 'b', 'c']);
});

test('drain waits until the writes queued so far are flushed', async () => {
  let release: (() => void) | undefined;
  const group = new GroupCommit(db, { fsync: (_fd, done) => (release = () => done(null)) });
  const write = group.run(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('a', 1).changes);
  let drained = false;
  const draining = group.drain().then(() => (drained = true));
  await until('the flush to start', () => release !== undefined);
  await sleep(20);
  expect(drained).toBe(false);
  release!();
  await draining;
  await expect(write).resolves.toBe(1);
});

test('a database opened through a symbolic link has the WAL file beside the real file flushed', async () => {
  const real = join(dir, 'real');
  mkdirSync(real);
  const linked = openDatabase(join(real, 'data.sqlite'), { synchronous: 'FULL' });
  linked.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  linked.close();
  symlinkSync(join(real, 'data.sqlite'), join(dir, 'link.sqlite'));
  const viaLink = openDatabase(join(dir, 'link.sqlite'), { synchronous: 'FULL' });
  const flushed: number[] = [];
  const group = new GroupCommit(viaLink, { fsync: (fd, done) => (flushed.push(fstatSync(fd).ino), done(null)) });
  await group.run(() => viaLink.prepare('INSERT INTO t (k) VALUES (?)').run('a'));
  expect(flushed).toEqual([statSync(join(real, 'data.sqlite-wal')).ino]);
  viaLink.close();
});

test('an in-memory database (no WAL file) keeps FULL inside the commit for durable writes', async () => {
  const memory = openDatabase(':memory:', { synchronous: 'FULL' });
  memory.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  let flushed = false;
  const group = new GroupCommit(memory, { fsync: (_fd, done) => ((flushed = true), done(null)) });
  const seen = await group.run(() => (memory.prepare('INSERT INTO t (k) VALUES (?)').run('a'), Number(memory.pragma('synchronous', { simple: true }))));
  expect(seen).toBe(2);
  expect(flushed).toBe(false);
  memory.close();
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
