import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { mailDatabaseFile, NotificationStore, prepareMailDatabase } from './notification-store';

// Another thread holds the file's write lock for a while, as the service's main thread does
// while it commits appends (the notifications run in a worker thread of their own).
const HOLD_LOCK = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.exec('BEGIN IMMEDIATE');
parentPort.postMessage('locked');
const until = Date.now() + workerData.ms;
while (Date.now() < until) {}
db.exec('COMMIT');
db.close();
`;

test('a mail transaction that reads before it writes waits for another thread\'s write lock instead of failing with SQLITE_BUSY', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-mail-store-'));
  const file = join(dir, 'service.sqlite');
  const events = SqliteEventStore.open(file);
  const mail = new NotificationStore(file);
  try {
    const holder = new Worker(HOLD_LOCK, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file, ms: 300 } });
    await once(holder, 'message');
    const started = Date.now();
    // Read first (the checkpoint), then write: the reactor's commit has this shape.
    const result = mail.transaction(() => {
      const before = mail.checkpoint('test');
      mail.saveCheckpoint('test', { commit: 7n, prepare: 7n });
      return before;
    });
    expect(result).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(mail.checkpoint('test')).toEqual({ commit: 7n, prepare: 7n });
    await once(holder, 'exit');
  } finally {
    mail.close();
    await events.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the mail tables of a service file written before they had their own file move to it once, rows and all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-mail-move-'));
  const serviceFile = join(dir, 'support-sla.sqlite');
  try {
    const events = SqliteEventStore.open(serviceFile);
    // As an earlier version kept them: in the service's own file.
    const old = new NotificationStore(serviceFile);
    old.saveCheckpoint('notifications', { commit: 42n, prepare: 42n });
    old.savePolicy(1, '{"version":1}');
    old.close();

    expect(mailDatabaseFile(serviceFile)).toBe(join(dir, 'support-sla.mail.sqlite'));
    expect(prepareMailDatabase(serviceFile)).toBe(join(dir, 'support-sla.mail.sqlite'));
    const moved = new NotificationStore(mailDatabaseFile(serviceFile));
    expect(moved.checkpoint('notifications')).toEqual({ commit: 42n, prepare: 42n });
    expect(moved.policyJson(1)).toBe('{"version":1}');
    moved.saveCheckpoint('notifications', { commit: 50n, prepare: 50n });
    moved.close();
    const tables = (events.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'mail%'").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual([]);

    // Once only: the next start leaves the mail file as it is.
    prepareMailDatabase(serviceFile);
    const again = new NotificationStore(mailDatabaseFile(serviceFile));
    expect(again.checkpoint('notifications')).toEqual({ commit: 50n, prepare: 50n });
    again.close();
    await events.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the dispatcher\'s look-ups for due e-mails and pending acknowledgements use an index, not a scan of every e-mail ever sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-mail-plan-'));
  const executed: string[] = [];
  const db = new Database(join(dir, 'mail.sqlite'), { verbose: (sql) => executed.push(String(sql)) });
  try {
    const mail = new NotificationStore(db);
    executed.length = 0;
    mail.dueOutbox(1_000, 10);
    mail.nextDueAt();
    mail.pendingAcknowledgements(1_000, 10);
    // dueOutbox reads the due outage alerts first (their own partial index), then the rest.
    expect(executed).toHaveLength(4);
    for (const sql of executed.splice(0)) {
      const plan = db.prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all().map((step) => step.detail);
      expect({ sql, plan }).toEqual({ sql, plan: expect.not.arrayContaining([expect.stringMatching(/^SCAN mail_outbox$/)]) });
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
