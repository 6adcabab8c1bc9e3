import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMainThread, type Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { outageDecider, ticketDecider } from '@support-sla/domain';
import { openTicketCommand } from '@support-sla/domain/testing';
import { OUTAGE_BOARD_STREAM, ticketStream } from '../event-store/streams';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import type { NotificationsLogger } from './mail-transport';
import { NotificationsWorker, type NotificationsWorkerOptions } from './notifications-worker.host';
import { BACKGROUND_NICE } from '../platform/thread-priority';
import { onLinux, threadNiceValues } from '../testing/threads';
import { DomainDriver, SmtpSink } from './notifications.test-support';
import type { AlertSentRecord } from './outage-alerts';

// Worker threads run JavaScript: the test starts the compiled worker that `tsc -b` writes to dist/.
const ENTRY = resolve(__dirname, '..', '..', 'dist', 'notifications', 'notifications.worker.js');

const logged: unknown[] = [];
const logger: NotificationsLogger = { log: (m) => logged.push(m), warn: (m) => logged.push(m), error: (m) => logged.push(m) };

let dir: string;
let file: string;
let store: SqliteEventStore;
let sink: SmtpSink;
const workers: NotificationsWorker[] = [];

beforeAll(() => {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} does not exist: run "npx tsc -b packages/service" first`);
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'support-sla-mail-worker-'));
  file = join(dir, 'service.sqlite');
  store = SqliteEventStore.open(file);
  sink = await SmtpSink.start();
  logged.length = 0;
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  await sink.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const worker = (overrides: Partial<NotificationsWorkerOptions>): NotificationsWorker => {
  const w = new NotificationsWorker({
    entry: ENTRY,
    eventStore: { kind: 'sqlite', file },
    database: file,
    env: { SMTP_URL: sink.url },
    logLevel: 'silent',
    logger,
    acknowledge: async () => undefined,
    recordSent: async () => undefined,
    recordAlertSent: async () => undefined,
    pollMs: 20,
    ...overrides,
  });
  workers.push(w);
  return w;
};

const waitUntil = async (condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const linuxOnly = onLinux('notifications worker priority');

linuxOnly('the worker thread runs at a lower priority than the rest of the process, so that requests do not wait for a core behind e-mail', async () => {
  const before = threadNiceValues();
  const w = worker({});
  await w.start();
  const started = [...threadNiceValues()].filter(([tid]) => !before.has(tid));
  // The worker's own thread is lowered; the threads V8 and libuv start for it are not asked to be.
  expect(started.filter(([, nice]) => nice === BACKGROUND_NICE)).toHaveLength(1);
  expect(threadNiceValues().get(process.pid)).toBe(before.get(process.pid));
  await w.stop();
  expect([...threadNiceValues().values()].filter((nice) => nice === BACKGROUND_NICE).length).toBe([...before.values()].filter((nice) => nice === BACKGROUND_NICE).length);
});

test('the worker e-mails from the log in its own thread, and the main thread records the confirmation on the ticket', async () => {
  const driver = new DomainDriver(store);
  await driver.run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', license: 'teacher' }));
  const recorded: { ticketId: string; messageId: string; onMainThread: boolean }[] = [];
  const w = worker({
    acknowledge: async (ticketId, at, messageId) => {
      recorded.push({ ticketId, messageId, onMainThread: isMainThread });
      await driver.run(ticketDecider, ticketStream(ticketId), { type: 'AcknowledgeTicket', now: at, actor: { id: 'system:mailer', role: 'agent' }, data: { ticketId, automatic: true, messageId } });
    },
  });
  await w.start();
  expect(w.threadId).toBeGreaterThan(0);

  // A ticket opened after the start reaches the worker through its own connection's polling.
  await driver.run(ticketDecider, ticketStream('T-2'), openTicketCommand({ ticketId: 'T-2', ticketNumber: 'SS-000002', license: 'teacher' }));
  const mails = await sink.waitFor(2);
  expect(mails.map((m) => m.subject).sort()).toEqual([expect.stringContaining('[SS-000001]'), expect.stringContaining('[SS-000002]')]);
  await waitUntil(() => recorded.length === 2, 'both confirmations to be recorded');
  expect(recorded.every((r) => r.onMainThread)).toBe(true);
  expect(recorded.map((r) => r.messageId).sort()).toEqual(mails.map((m) => m.messageId).sort());
  const types = (await store.readStream(ticketStream('T-2'))).map((e) => e.type);
  expect(types).toContain('TicketAcknowledged');

  await w.stop();
  expect(w.threadId).toBeUndefined();
  // The worker's outbox is in the service's file: every row sent, once.
  const db = new Database(file, { readonly: true });
  try {
    expect(db.prepare('SELECT purpose, status FROM mail_outbox ORDER BY ticket_id').all()).toEqual([
      { purpose: 'confirmation', status: 'sent' },
      { purpose: 'confirmation', status: 'sent' },
    ]);
  } finally {
    db.close();
  }
  expect(sink.messages).toHaveLength(2);
});

test('the worker asks the main thread to record a delivered outage alert, and every record carries the time the server accepted the e-mail', async () => {
  const driver = new DomainDriver(store);
  await driver.run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', license: 'teacher' }));
  const acknowledged: { at: string; onMainThread: boolean }[] = [];
  const alerts: { sent: AlertSentRecord; onMainThread: boolean }[] = [];
  const w = worker({
    env: { SMTP_URL: sink.url, ONCALL_EMAIL: 'oncall@district.example.org' },
    acknowledge: async (_ticketId, at) => {
      acknowledged.push({ at, onMainThread: isMainThread });
    },
    recordAlertSent: async (sent) => {
      alerts.push({ sent, onMainThread: isMainThread });
    },
  });
  await w.start();
  const now = Date.now();
  for (const [i, monitor] of (['chicago', 'california', 'atlanta'] as const).entries()) {
    const observedAt = new Date(now - 60_000 + i * 1_000).toISOString();
    await driver.run(outageDecider, OUTAGE_BOARD_STREAM, { type: 'ReportMonitorStatus', now: observedAt, actor: { id: `monitor-${monitor}`, role: 'monitor' }, data: { monitor, status: 'down', observedAt } });
  }
  await sink.waitFor(2);
  await waitUntil(() => acknowledged.length === 1 && alerts.length === 1, 'the confirmation and the alert to be recorded');
  expect([...acknowledged, ...alerts].every((r) => r.onMainThread)).toBe(true);
  const alertMail = sink.messages.find((m) => m.purpose === 'outage-alert');
  expect(alerts[0]?.sent).toMatchObject({ outageId: 'OUTAGE-0001', channel: 'email', to: 'oncall@district.example.org', messageId: alertMail?.messageId });
  await w.stop();
  const db = new Database(file, { readonly: true });
  try {
    const sentAt = (purpose: string) => new Date((db.prepare('SELECT sent_at FROM mail_outbox WHERE purpose = ?').get(purpose) as { sent_at: number }).sent_at).toISOString();
    expect(acknowledged[0]?.at).toBe(sentAt('confirmation'));
    expect(alerts[0]?.sent.at).toBe(sentAt('outage-alert'));
  } finally {
    db.close();
  }
});

test('a confirmation the main thread failed to record is asked for again, and the e-mail is not sent twice', async () => {
  const driver = new DomainDriver(store);
  await driver.run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', license: 'teacher' }));
  let calls = 0;
  const w = worker({
    env: { SMTP_URL: sink.url },
    acknowledge: async () => {
      calls++;
      if (calls === 1) throw new Error('event store unavailable');
    },
  });
  await w.start();
  await waitUntil(() => calls >= 2, 'a second attempt to record the confirmation', 20_000);
  await new Promise((r) => setTimeout(r, 200));
  expect(sink.messages).toHaveLength(1);
});

test('a worker that cannot start (no templates) makes start() fail with the reason, and leaves no thread behind', async () => {
  const empty = join(dir, 'no-templates');
  mkdirSync(empty);
  const w = worker({ env: { SMTP_URL: sink.url, MAIL_TEMPLATES_DIR: empty } });
  await expect(w.start()).rejects.toThrow(/notifications could not start: .*template/i);
  await waitUntil(() => w.threadId === undefined, 'the failed worker to exit');
});

test('a worker that dies is replaced, and a replacement that fails to start is tried again until one runs', async () => {
  // A stand-in worker script: the first starts and then dies, the second dies before it starts,
  // the third starts and stays. Which one it is, it learns from a counter file.
  const counter = join(dir, 'starts');
  const entry = join(dir, 'flaky-worker.js');
  writeFileSync(
    entry,
    `const { parentPort } = require('node:worker_threads');
     const fs = require('node:fs');
     const n = (fs.existsSync(${JSON.stringify(counter)}) ? Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) : 0) + 1;
     fs.writeFileSync(${JSON.stringify(counter)}, String(n));
     if (n === 2) process.exit(3);
     parentPort.postMessage({ type: 'started' });
     if (n === 1) setTimeout(() => { throw new Error('worker crashed'); }, 50);
     parentPort.on('message', (m) => { if (m.type === 'stop') { parentPort.postMessage({ type: 'stopped' }); parentPort.close(); } });`,
  );
  const w = worker({ entry, restartDelayMs: 20 });
  await w.start();
  await waitUntil(() => readFileSync(counter, 'utf8') === '3' && w.threadId !== undefined, 'a third worker that stays up');
  const messages = logged.map((m) => (m as { msg?: string }).msg);
  expect(messages).toContain('notifications worker ended unexpectedly; starting a new one');
  expect(messages).toContain('notifications worker did not restart; trying again');
  await w.stop();
  expect(w.threadId).toBeUndefined();
});

test('a sending worker that crashes is replaced, and the replacement takes the sender lock back and sends, once', async () => {
  const driver = new DomainDriver(store);
  const w = worker({ restartDelayMs: 20 });
  await w.start();
  await waitUntil(() => w.state === 'sending', 'the worker to send');
  const first = w.threadId;
  // A crash: the thread ends without stopping anything. Its SQLite connections close with it,
  // which lets the sender lock go (the lock is per process, so only that can free it).
  await (w as unknown as { worker: Worker }).worker.terminate();
  await waitUntil(() => w.state !== 'sending', 'the host to see the crash');
  await waitUntil(() => w.state === 'sending' && w.threadId !== first, 'the replacement to send');

  await driver.run(ticketDecider, ticketStream('T-9'), openTicketCommand({ ticketId: 'T-9', ticketNumber: 'SS-000009', license: 'teacher' }));
  await sink.waitFor(1);
  await new Promise((r) => setTimeout(r, 300));
  expect(sink.messages.map((m) => m.subject.slice(0, 11))).toEqual(['[SS-000009]']);
});
