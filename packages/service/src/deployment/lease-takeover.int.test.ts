import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketDecider } from '@support-sla/domain';
import { openTicketCommand } from '@support-sla/domain/testing';
import { EventStoreUnavailableError, type EventStore } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { ticketStream } from '../event-store/streams';
import type { NotificationsLogger } from '../notifications/mail-transport';
import { Notifications } from '../notifications/notifications';
import { readNotificationsConfig } from '../notifications/notifications.config';
import { DomainDriver, ScenarioClock, SmtpSink } from '../notifications/notifications.test-support';
import { NOTIFICATIONS_LEASE_STREAM } from './store-lease';

jest.setTimeout(30_000);

/**
 * Two replicas, each with its own mail file (as on EventStoreDB), on one store: the lease holder
 * sends; when it can no longer renew the lease it stops before the lease expires, the other takes
 * over once it has, catches up to where it took the lease, and sends only what is left: every
 * confirmation once, against a real SMTP server on loopback.
 */
let dir: string;
let store: SqliteEventStore;
let sink: SmtpSink;
const started: Notifications[] = [];
const delivery = new ScenarioClock();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'support-sla-takeover-'));
  store = SqliteEventStore.open(join(dir, 'service.sqlite'), { pollMs: 20 });
  sink = await SmtpSink.start();
  delivery.from('2026-03-10T14:10:00Z');
});
afterEach(async () => {
  for (const n of started.splice(0)) await n.stop().catch(() => undefined);
  await sink.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, with appends to the lease stream refused while `cut` is on (the replica cannot renew). */
const leaseCut = (inner: EventStore): { store: EventStore; cut: (on: boolean) => void } => {
  let cut = false;
  const wrapped = new Proxy(inner, {
    get(target, property) {
      if (property === 'appendToStream') {
        return (streamId: string, ...rest: unknown[]) =>
          cut && streamId === NOTIFICATIONS_LEASE_STREAM
            ? Promise.reject(new EventStoreUnavailableError('the store does not answer (test)'))
            : (target.appendToStream as (...a: unknown[]) => unknown).call(target, streamId, ...rest);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, cut: (on) => (cut = on) };
};

interface Replica {
  readonly n: Notifications;
  readonly lines: Record<string, unknown>[];
}

const replica = (name: string, over: EventStore): Replica => {
  const lines: Record<string, unknown>[] = [];
  const logger: NotificationsLogger = { log: (m) => lines.push(m as Record<string, unknown>), warn: () => undefined, error: (m) => lines.push(m as Record<string, unknown>) };
  const driver = new DomainDriver(store);
  const n = new Notifications({
    store: over,
    database: join(dir, `${name}.mail.sqlite`),
    config: readNotificationsConfig({ SMTP_URL: sink.url }),
    logger,
    leaseTimings: { ttlMs: 1_500, renewMs: 300, pollMs: 100, marginMs: 600 },
    leaseHolder: name,
    deliveryPollMs: 50,
    deliveryClock: delivery.now,
    acknowledge: async (ticketId, at, messageId) => {
      await driver.run(ticketDecider, ticketStream(ticketId), { type: 'AcknowledgeTicket', now: at, actor: { id: 'system:mailer', role: 'agent' }, data: { ticketId, automatic: true, messageId } });
    },
  });
  started.push(n);
  return { n, lines };
};

let counter = 0;
const open = async (): Promise<string> => {
  counter++;
  const ticketNumber = `SS-${String(counter).padStart(6, '0')}`;
  await new DomainDriver(store).run(
    ticketDecider,
    ticketStream(`T-${counter}`),
    openTicketCommand({ ticketId: `T-${counter}`, ticketNumber, license: 'administrator', now: '2026-03-10T14:00:00Z', request: { summary: 'Export fails', description: 'Nothing happens.' } }),
  );
  return ticketNumber;
};

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const acknowledged = async (): Promise<number> => (await store.readAll({ streamPrefixes: ['ticket-'] })).filter((e) => e.type === 'TicketAcknowledged').length;

test('a holder that cannot renew stops before expiry; the other replica takes over after it, from its own mail file, and sends only what is left', async () => {
  const cutA = leaseCut(store);
  const a = replica('a', cutA.store);
  const b = replica('b', store);
  await a.n.start();
  await b.n.start();
  expect([a.n.state, b.n.state]).toEqual(['sending', 'standby']);
  expect(a.n.lease).toMatchObject({ held: true, holder: 'a' });
  expect(b.n.lease).toMatchObject({ held: false, holder: 'a' });

  const first = [await open(), await open(), await open()];
  await sink.waitFor(3);
  await until('the three confirmations recorded', async () => (await acknowledged()) === 3);

  cutA.cut(true);
  await until('a to give the lease up', () => a.n.state === 'standby');
  const lostAt = Date.now();
  const later = [await open(), await open()];
  await until('b to take over', () => b.n.state === 'sending');
  const tookAt = Date.now();
  await sink.waitFor(5);
  await new Promise((r) => setTimeout(r, 500));

  // Every confirmation once: b's mail file had a's sends recorded in the log and suppressed them.
  const subjects = sink.messages.map((m) => /\[(SS-\d{6})\]/.exec(m.subject)?.[1]);
  expect(subjects.sort()).toEqual([...first, ...later].sort());
  expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(5);
  // b took over only once a's lease had expired, after a had stopped.
  const lease = await store.readStream(NOTIFICATIONS_LEASE_STREAM);
  const taken = lease.find((e) => e.type === 'LeaseAcquired' && (e.data as { holder: string }).holder === 'b')!;
  const lastOfA = [...lease].reverse().find((e) => (e.data as { holder: string }).holder === 'a')!;
  expect(Date.parse(taken.metadata.recordedAt)).toBeGreaterThan(Date.parse((lastOfA.data as { expiresAt: string }).expiresAt));
  expect(Date.parse((lastOfA.data as { expiresAt: string }).expiresAt) - lostAt).toBeGreaterThanOrEqual(600 - 100);
  expect(tookAt).toBeGreaterThan(lostAt);
  expect([a.n.lease.held, b.n.lease]).toEqual([false, expect.objectContaining({ held: true, holder: 'b' })]);
  // b says when it started sending, and how long it waited for its mail file.
  expect(b.lines.find((l) => l.msg === 'notifications taking over: the lease of a was expired')).toBeDefined();
  expect(b.lines.find((l) => l.msg === 'notifications started sending')).toMatchObject({ waitedMs: expect.any(Number), holder: 'b' });
  expect(a.lines.find((l) => String(l.msg).includes('no longer holds the lease'))).toMatchObject({ reason: expect.stringMatching(/could not be renewed before/) });
});

/** The store, with every event the subscription delivers held back `delayMs` (a replica whose fold lags). */
const slowFold = (inner: EventStore, delayMs: number): EventStore =>
  new Proxy(inner, {
    get(target, property) {
      if (property === 'subscribeToAll') {
        return (options: Parameters<EventStore['subscribeToAll']>[0]) =>
          target.subscribeToAll({ ...options, onEvent: async (event) => (await new Promise((r) => setTimeout(r, delayMs)), options.onEvent(event)) });
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });

test('a new holder whose fold lags waits until its mail file has the log as of the lease before it sends: nothing twice', async () => {
  const a = replica('a', store);
  const b = replica('b', slowFold(store, 250));
  await a.n.start();
  await b.n.start();
  const first = [await open(), await open(), await open()];
  await sink.waitFor(3);
  await until('the three confirmations recorded', async () => (await acknowledged()) === 3);
  // a stops (and releases): b takes the lease at once, while its fold is seconds behind.
  await a.n.stop();
  await until('b to take over', () => b.n.state === 'sending', 15_000);
  const later = [await open()];
  await sink.waitFor(4, 15_000);
  await new Promise((r) => setTimeout(r, 1_000));
  const subjects = sink.messages.map((m) => /\[(SS-\d{6})\]/.exec(m.subject)?.[1]);
  expect(subjects.sort()).toEqual([...first, ...later].sort());
  const startedSending = b.lines.find((l) => l.msg === 'notifications started sending');
  // It waited for the fold (nine events at 250 ms each), not just for the lease.
  expect(startedSending).toMatchObject({ waitedMs: expect.any(Number) });
  expect(startedSending!.waitedMs as number).toBeGreaterThan(1_000);
});
