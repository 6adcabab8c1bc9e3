import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outageDecider, ticketDecider, type Actor, type Monitor } from '@support-sla/domain';
import { actors, openTicketCommand } from '@support-sla/domain/testing';
import { OUTAGE_BOARD_STREAM, ticketStream } from '../event-store/streams';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import type { NotificationsLogger } from './mail-transport';
import { Notifications, type NotificationsDependencies } from './notifications';
import { readNotificationsConfig } from './notifications.config';
import { DomainDriver, SmtpSink, WebhookSink, ScenarioClock } from './notifications.test-support';
import type { OutageAlertPayload } from './outage-alerts';

const quietLogger: NotificationsLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const ONCALL = 'oncall@district.example.org';
const MAILER: Actor = { id: 'system:mailer', role: 'agent' };

let dir: string;
let file: string;
let store: SqliteEventStore;
let driver: DomainDriver;
let sink: SmtpSink;
let webhook: WebhookSink | undefined;
const started: Notifications[] = [];

// The mailer's clock runs at real speed from a chosen instant of the scenario.
const delivery = new ScenarioClock();
const deliveryFrom = (iso: string): void => delivery.from(iso);
const deliveryClock = delivery.now;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'support-sla-outage-alerts-'));
  file = join(dir, 'service.sqlite');
  store = SqliteEventStore.open(file, { pollMs: 20 });
  driver = new DomainDriver(store);
  sink = await SmtpSink.start();
  webhook = undefined;
});

afterEach(async () => {
  for (const n of started.splice(0)) await n.stop().catch(() => undefined);
  await sink.stop();
  await webhook?.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Wired like the service: a delivered alert is recorded on the outage board (RecordOutageAlertSent, dated when it was accepted). */
const recordAlertSent: NonNullable<NotificationsDependencies['recordAlertSent']> = async (sent) => {
  await driver.run(outageDecider, OUTAGE_BOARD_STREAM, {
    type: 'RecordOutageAlertSent',
    now: sent.at,
    actor: MAILER,
    data: { outageId: sent.outageId, channel: sent.channel, to: sent.to, ...(sent.messageId === undefined ? {} : { messageId: sent.messageId }) },
  });
};

const notifications = (env: Record<string, string>, overrides: Partial<NotificationsDependencies> = {}): Notifications => {
  const n = new Notifications({
    store,
    database: file,
    config: readNotificationsConfig({ SMTP_URL: sink.url, ...env }),
    logger: quietLogger,
    retry: { initialDelayMs: 30, maxDelayMs: 100, jitter: false },
    deliveryClock,
    smtpTuning: { connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000 },
    recordAlertSent,
    ...overrides,
  });
  started.push(n);
  return n;
};

const report = (monitor: Monitor, status: 'up' | 'down', observedAt: string) =>
  driver.run(outageDecider, OUTAGE_BOARD_STREAM, { type: 'ReportMonitorStatus', now: observedAt, actor: { id: `monitor-${monitor}`, role: 'monitor' }, data: { monitor, status, observedAt } });

/** All three monitors down: the outage is declared at the third report. */
const allDown = async (from: string): Promise<void> => {
  const ms = Date.parse(from);
  await report('chicago', 'down', new Date(ms).toISOString());
  await report('california', 'down', new Date(ms + 60_000).toISOString());
  await report('atlanta', 'down', new Date(ms + 120_000).toISOString());
};

const alertsOnTheBoard = async () =>
  (await store.readStream(OUTAGE_BOARD_STREAM)).filter((e) => e.type === 'OutageAlertSent').map((e) => e.data as { outageId: string; channel: string; to: string; at: string; messageId?: string });

/** Runs rounds until `done()` holds (retries wait for their backoff). */
const roundsUntil = async (n: Notifications, done: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await n.runOnce();
    if (done()) return;
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('outage alerts to the on-call engineers (SMTP and webhook on loopback, SQLite store)', () => {
  it('declaring an outage alerts the on-call address at once, at any hour, exactly once per channel, and records it on the outage board', async () => {
    webhook = await WebhookSink.start();
    const n = notifications({ ONCALL_EMAIL: ONCALL, ONCALL_WEBHOOK_URL: webhook.url });
    // Sunday 03:12 in New York: outside support hours, the alert goes out all the same.
    await allDown('2026-03-15T07:10:00Z');
    deliveryFrom('2026-03-15T07:12:05Z');
    await n.runOnce();

    const [mail] = await sink.waitFor(1);
    expect(mail).toMatchObject({ to: ONCALL, purpose: 'outage-alert' });
    expect(mail?.subject).toBe('[OUTAGE-0001] OUTAGE declared Sun, Mar 15, 2026, 3:12 AM EDT: all three status monitors report the service down');
    expect(mail?.text).toContain('POST /outages/OUTAGE-0001/acknowledgement');
    expect(mail?.messageId).toMatch(/^<outage-alert\.OUTAGE-0001\..+@support-sla\.local>$/);
    expect(webhook.received).toEqual([
      {
        idempotencyKey: 'outage-alert:OUTAGE-0001:webhook',
        body: {
          type: 'outage.declared',
          outageId: 'OUTAGE-0001',
          declaredAt: '2026-03-15T07:12:00.000Z',
          source: 'monitors',
          scope: null,
          reason: null,
          declaredBy: 'monitor-atlanta',
          acknowledge: 'POST /outages/OUTAGE-0001/acknowledgement',
        } satisfies OutageAlertPayload,
      },
    ]);

    // Recorded on the outage board, dated when each was accepted; the webhook by its origin only.
    const onBoard = await alertsOnTheBoard();
    const sentAt = (channel: 'email' | 'webhook') => new Date(n.db.outboxRow(`outage-alert:OUTAGE-0001:${channel}`)!.sent_at!).toISOString();
    expect(onBoard).toEqual([
      expect.objectContaining({ outageId: 'OUTAGE-0001', channel: 'email', to: ONCALL, messageId: mail?.messageId, at: sentAt('email') }),
      expect.objectContaining({ outageId: 'OUTAGE-0001', channel: 'webhook', to: new URL(webhook.url).origin, at: sentAt('webhook') }),
    ]);
    expect(onBoard[1]).not.toHaveProperty('messageId');

    // More reports of the same outage, the records read back, and a restart: nothing more.
    await report('chicago', 'down', '2026-03-15T07:20:00Z');
    await n.runOnce();
    await n.stop();
    await notifications({ ONCALL_EMAIL: ONCALL, ONCALL_WEBHOOK_URL: webhook.url }).runOnce();
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.messages).toHaveLength(1);
    expect(webhook.received).toHaveLength(1);
    expect(await alertsOnTheBoard()).toHaveLength(2);
  });

  it('retries the alert while the SMTP server and the webhook are down, and delivers each once when they are back', async () => {
    webhook = await WebhookSink.start(3); // the first three POSTs get 503
    await sink.stop();
    const n = notifications({ ONCALL_EMAIL: ONCALL, ONCALL_WEBHOOK_URL: webhook.url });
    await allDown('2026-03-10T14:10:00Z');
    deliveryFrom('2026-03-10T14:13:00Z');
    await roundsUntil(n, () => (n.db.outboxRow('outage-alert:OUTAGE-0001:email')?.attempts ?? 0) >= 3, 'three failed attempts by e-mail');
    expect(n.db.outboxRow('outage-alert:OUTAGE-0001:email')).toMatchObject({ status: 'pending', last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect(await alertsOnTheBoard()).toEqual([]);

    await sink.listen();
    await roundsUntil(n, () => n.db.sent().length === 2, 'both alerts delivered');
    expect(webhook.attempts).toBe(4);
    expect(webhook.received).toHaveLength(1);
    await n.runOnce();
    await new Promise((r) => setTimeout(r, 100));
    await n.runOnce();
    expect(sink.messages.map((m) => m.purpose)).toEqual(['outage-alert']);
    expect((await alertsOnTheBoard()).map((a) => a.channel).sort()).toEqual(['email', 'webhook']);
  });

  it('a staff-declared outage alerts the same way, with its scope and reason', async () => {
    const n = notifications({ ONCALL_EMAIL: ONCALL });
    await driver.run(outageDecider, OUTAGE_BOARD_STREAM, {
      type: 'DeclareOutage',
      now: '2026-03-10T14:20:00Z',
      actor: actors.agent,
      data: { scope: 'Gradebook in every district', reason: 'Saving grades fails for everyone', occurredAt: '2026-03-10T14:05:00Z' },
    });
    deliveryFrom('2026-03-10T14:20:01Z');
    await n.runOnce();
    const [mail] = await sink.waitFor(1);
    expect(mail?.to).toBe(ONCALL);
    expect(mail?.subject).toBe('[OUTAGE-0001] OUTAGE declared Tue, Mar 10, 2026, 10:05 AM EDT by staff: Gradebook in every district');
    expect(mail?.text).toContain('Saving grades fails for everyone');
    expect(mail?.text).toContain('POST /outages/OUTAGE-0001/restoration');
    expect((await alertsOnTheBoard()).map((a) => `${a.outageId} ${a.channel} ${a.to}`)).toEqual([`OUTAGE-0001 email ${ONCALL}`]);
  });

  it('a mail file rebuilt from the log does not alert again for an outage the log records as alerted, nor for one closed before its alert went out', async () => {
    const first = notifications({ ONCALL_EMAIL: ONCALL });
    await allDown('2026-03-10T14:10:00Z');
    deliveryFrom('2026-03-10T14:13:00Z');
    await first.runOnce();
    await sink.waitFor(1);
    await first.stop();
    // A second outage, declared, ended, debriefed and closed while no mail file was sending.
    await report('chicago', 'up', '2026-03-10T15:00:00Z');
    await allDown('2026-03-10T16:00:00Z');
    await report('chicago', 'up', '2026-03-10T17:00:00Z');
    await driver.run(outageDecider, OUTAGE_BOARD_STREAM, {
      type: 'RecordOutageDebrief',
      now: '2026-03-10T18:00:00Z',
      actor: actors.agent,
      data: { outageId: 'OUTAGE-0002', whenItOccurred: '12:00 EDT', howItOccurred: 'A bad deploy', preventionPlan: 'Canary deploys' },
    });
    await driver.run(outageDecider, OUTAGE_BOARD_STREAM, { type: 'CloseOutage', now: '2026-03-10T18:01:00Z', actor: actors.agent, data: { outageId: 'OUTAGE-0002' } });

    const rebuilt = notifications({ ONCALL_EMAIL: ONCALL }, { database: join(dir, 'rebuilt.mail.sqlite') });
    expect(await rebuilt.runOnce()).toMatchObject({ sent: 0 });
    expect(rebuilt.db.outbox().map((r) => [r.dedupe_key, r.status, r.last_error])).toEqual([
      ['outage-alert:OUTAGE-0001:email', 'suppressed', 'already sent: recorded on the outage board (OutageAlertSent)'],
      ['outage-alert:OUTAGE-0002:email', 'suppressed', 'outage OUTAGE-0002 was closed before its alert went out'],
    ]);
    expect(sink.messages).toHaveLength(1);
  });

  it('without ONCALL_EMAIL no alert e-mail is queued and each declaration logs an error; the webhook still goes out', async () => {
    webhook = await WebhookSink.start();
    const errors: unknown[] = [];
    const warnings: unknown[] = [];
    const n = notifications({ ONCALL_WEBHOOK_URL: webhook.url }, { logger: { ...quietLogger, error: (m) => errors.push(m), warn: (m) => warnings.push(m) } });
    await n.start();
    expect(warnings).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('ONCALL_EMAIL is not set') }));
    await allDown('2026-03-10T14:10:00Z');
    const deadline = Date.now() + 5_000;
    while (webhook.received.length === 0) {
      if (Date.now() > deadline) throw new Error('no webhook POST');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('ONCALL_EMAIL is not set'), outageId: 'OUTAGE-0001' }));
    expect(n.db.outbox().map((r) => `${r.purpose} ${r.channel}`)).toEqual(['outage-alert webhook']);
    expect(sink.messages).toHaveLength(0);
  });

  it('confirmations an earlier version held during an outage are released when the notifications start', async () => {
    await driver.run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', license: 'teacher', now: '2026-03-10T14:20:00Z' }));
    const old = notifications({});
    await old.reactor.catchUp();
    // What an earlier version wrote for a ticket opened while an outage was declared.
    old.db.db.prepare(`UPDATE mail_outbox SET status = 'held', hold_outage_id = 'OUTAGE-0001'`).run();
    await old.stop();

    const n = notifications({});
    await n.runOnce();
    const [mail] = await sink.waitFor(1);
    expect(mail?.subject).toContain('[SS-000001]');
    expect(n.db.outboxRow('confirmation:T-1')).toMatchObject({ status: 'sent', hold_outage_id: null });
  });
});

describe('the confirmation clock stops when the SMTP server accepted the e-mail, the same way in every mode', () => {
  const acknowledgedWith = (at: { ticketId: string; at: string }[]): NotificationsDependencies['acknowledge'] => async (ticketId, when, messageId) => {
    at.push({ ticketId, at: when });
    await driver.run(ticketDecider, ticketStream(ticketId), { type: 'AcknowledgeTicket', now: when, actor: MAILER, data: { ticketId, automatic: true, messageId } });
  };

  it('over SMTP, after retries: dated when the server accepted it, not when it was queued', async () => {
    await sink.stop();
    const recorded: { ticketId: string; at: string }[] = [];
    const n = notifications({}, { acknowledge: acknowledgedWith(recorded) });
    await driver.run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', license: 'teacher', now: '2026-03-10T14:00:00Z' }));
    deliveryFrom('2026-03-10T14:00:01Z');
    await n.runOnce();
    const queuedAt = n.db.outboxRow('confirmation:T-1')!.created_at;
    await sink.listen();
    deliveryFrom('2026-03-10T14:40:00Z'); // the server is back forty minutes later
    await roundsUntil(n, () => recorded.length === 1, 'the confirmation recorded');
    const row = n.db.outboxRow('confirmation:T-1')!;
    expect(recorded[0]?.at).toBe(new Date(row.sent_at!).toISOString());
    expect(row.sent_at! - queuedAt).toBeGreaterThanOrEqual(39 * 60_000);
    const acknowledged = (await store.readStream(ticketStream('T-1'))).find((e) => e.type === 'TicketAcknowledged');
    expect((acknowledged?.data as { at: string }).at).toBe(recorded[0]?.at);
  });

  it('without SMTP_URL (e-mails are logged): dated when it was logged, the same way', async () => {
    const recorded: { ticketId: string; at: string }[] = [];
    const n = notifications({}, { acknowledge: acknowledgedWith(recorded), config: readNotificationsConfig({}) });
    await driver.run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', license: 'teacher', now: '2026-03-10T14:00:00Z' }));
    deliveryFrom('2026-03-10T14:03:00Z');
    await roundsUntil(n, () => recorded.length === 1, 'the logged confirmation recorded');
    const row = n.db.outboxRow('confirmation:T-1')!;
    expect(row.smtp_response).toBe('logged');
    expect(recorded[0]?.at).toBe(new Date(row.sent_at!).toISOString());
    expect(sink.messages).toHaveLength(0);
  });
});
