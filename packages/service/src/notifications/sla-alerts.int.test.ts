import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPolicy, policyDecider, ticketDecider, type SlaPolicy, type TicketCommand } from '@support-sla/domain';
import { actors, openTicketCommand } from '@support-sla/domain/testing';
import { POLICY_STREAM, ticketStream } from '../event-store/streams';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import type { NotificationsLogger } from './mail-transport';
import { Notifications } from './notifications';
import { readNotificationsConfig } from './notifications.config';
import { DomainDriver, SmtpSink, ticketRecorders, WebhookSink } from './notifications.test-support';
import type { SlaAlertPayload } from './sla-alert-watcher';

const quietLogger: NotificationsLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

// Confirmation by an agent, so the confirmation clock runs until someone acknowledges. A wait on
// the customer pauses every clock under this policy (by default it pauses resolution only; a desk
// that wants this reading publishes it), so the scenario below sees the response clock stand still.
const agentPolicy: SlaPolicy = { ...defaultPolicy, version: 2, confirmation: 'agent', customerWaitPauses: ['confirmation', 'response', 'resolution'] };

describe('SLA warnings and breaches (injected clock, SQLite store, SMTP and webhook on loopback)', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let sink: SmtpSink;
  let webhook: WebhookSink;
  let now: number;
  const running: Notifications[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-alerts-'));
    file = join(dir, 'service.sqlite');
    store = SqliteEventStore.open(file);
    sink = await SmtpSink.start();
    webhook = await WebhookSink.start(1); // the first POST gets a 503: alerts are retried
  });

  afterEach(async () => {
    for (const n of running.splice(0)) await n.stop().catch(() => undefined);
    await sink.stop();
    await webhook.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const service = (): Notifications => {
    const n = new Notifications({
      store,
      database: store.db,
      config: readNotificationsConfig({ SMTP_URL: sink.url, SLA_ALERT_EMAIL: 'sla-alerts@support-sla.local', SLA_ALERT_WEBHOOK_URL: webhook.url }),
      logger: quietLogger,
      clock: () => now,
      retry: { initialDelayMs: 20, maxDelayMs: 50, jitter: false },
      // Wired like the service: alerts are raised on their ticket, and each delivery recorded there.
      ...ticketRecorders(store),
    });
    running.push(n);
    return n;
  };

  const tick = async (n: Notifications, at: string): Promise<number> => {
    now = Date.parse(at);
    return (await n.runOnce()).alerts;
  };

  it('warns at 50/75/90 % and at breach, once each, across the overnight close, a restart and a wait on the customer', async () => {
    const driver = new DomainDriver(store);
    await driver.run(policyDecider, POLICY_STREAM, { type: 'PublishPolicy', now: '2026-03-01T00:00:00Z', actor: actors.admin, data: { policy: defaultPolicy } });
    await driver.run(policyDecider, POLICY_STREAM, { type: 'PublishPolicy', now: '2026-03-02T00:00:00Z', actor: actors.admin, data: { policy: agentPolicy } });
    const ticketId = 'T-alerts';
    const stream = ticketStream(ticketId);
    const act = (command: TicketCommand) => driver.run(ticketDecider, stream, command);
    // Tuesday 17:15 EDT, 45 support minutes before the close.
    await act(openTicketCommand({ ticketId, ticketNumber: 'SS-000042', license: 'administrator', now: '2026-03-10T21:15:00Z', policy: agentPolicy }));

    let n = service();
    expect(await tick(n, '2026-03-10T21:20:00Z')).toBe(0);
    // Overnight the support clock stands still: nothing falls due at 23:00 EDT.
    expect(await tick(n, '2026-03-11T03:00:00Z')).toBe(0);
    // Wed 08:16 EDT: 61 of the 120 confirmation minutes used.
    expect(await tick(n, '2026-03-11T12:16:00Z')).toBe(1);
    expect(await tick(n, '2026-03-11T12:17:00Z')).toBe(0);

    // Down from 08:17 to 09:20 EDT: 75 %, 90 % and the 09:15 breach fell due meanwhile; each goes out once.
    await n.stop();
    n = service();
    expect(await tick(n, '2026-03-11T13:20:00Z')).toBe(3);
    expect(await tick(n, '2026-03-11T13:21:00Z')).toBe(0);

    await act({ type: 'AcknowledgeTicket', now: '2026-03-11T13:30:00Z', actor: actors.agent, data: { ticketId } });
    await act({ type: 'ClassifyTicket', now: '2026-03-11T13:31:00Z', actor: actors.agent, data: { ticketId, category: 'personal/how-to' } });
    // Response: end of next business day = 645 minutes; half of it at Wed 12:37:30 EDT.
    expect(await tick(n, '2026-03-11T16:37:00Z')).toBe(0);
    expect(await tick(n, '2026-03-11T16:38:00Z')).toBe(1);

    // Waiting on the customer 13:00–16:00 EDT stops the clock: the 75 % point (15:18:45) does not fire...
    await act({ type: 'AwaitCustomer', now: '2026-03-11T17:00:00Z', actor: actors.agent, data: { ticketId, reason: 'Which export format?' } });
    expect(await tick(n, '2026-03-11T19:59:00Z')).toBe(0);
    await act({ type: 'RecordCustomerReply', now: '2026-03-11T20:00:00Z', actor: actors.agent, data: { ticketId, message: 'CSV please' } });
    // ...and moves to Thursday: 75 % at 08:18:45, 90 % at 09:55:30, breach at 11:00 EDT.
    expect(await tick(n, '2026-03-12T12:18:00Z')).toBe(0);
    expect(await tick(n, '2026-03-12T12:19:00Z')).toBe(1);
    expect(await tick(n, '2026-03-12T15:01:00Z')).toBe(2);
    expect(await tick(n, '2026-03-13T15:00:00Z')).toBe(0);

    const expected = [
      'SLA warning: 50% of the confirmation target',
      'SLA warning: 75% of the confirmation target',
      'SLA warning: 90% of the confirmation target',
      'SLA BREACHED: confirmation deadline passed',
      'SLA warning: 50% of the response target',
      'SLA warning: 75% of the response target',
      'SLA warning: 90% of the response target',
      'SLA BREACHED: response deadline passed',
    ];
    const mails = await sink.waitFor(8);
    expect(mails.map((m) => m.subject.replace(' (Premium)', '').replace('[SS-000042] ', '').replace(' used', ''))).toEqual(expected);
    expect(mails.every((m) => m.to === 'sla-alerts@support-sla.local')).toBe(true);
    expect(mails[3]?.text).toContain('missed its confirmation deadline of Wed, Mar 11, 2026, 9:15 AM EDT');
    expect(mails[7]?.text).toContain('missed its response deadline of Thu, Mar 12, 2026, 11:00 AM EDT');
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(8);

    // The webhook got every alert once, the first after a retry.
    const deadline = Date.now() + 5_000;
    while (webhook.received.length < 8) {
      if (Date.now() > deadline) throw new Error(`webhook received ${webhook.received.length} alerts`);
      await new Promise((r) => setTimeout(r, 30));
      await n.runOnce();
    }
    expect(webhook.attempts).toBe(9);
    const bodies = webhook.received.map((r) => r.body as SlaAlertPayload);
    expect(bodies.map((b) => `${b.type} ${b.clock} ${b.fraction ?? ''} ${b.dueAt}`).sort()).toEqual(
      [
        'sla.warning confirmation 0.5 2026-03-11T12:15:00.000Z',
        'sla.warning confirmation 0.75 2026-03-11T12:45:00.000Z',
        'sla.warning confirmation 0.9 2026-03-11T13:03:00.000Z',
        'sla.breach confirmation  2026-03-11T13:15:00.000Z',
        'sla.warning response 0.5 2026-03-11T16:37:30.000Z',
        'sla.warning response 0.75 2026-03-12T12:18:45.000Z',
        'sla.warning response 0.9 2026-03-12T13:55:30.000Z',
        'sla.breach response  2026-03-12T15:00:00.000Z',
      ].sort(),
    );
    expect(bodies.every((b) => b.ticketNumber === 'SS-000042' && b.tier === 'premium')).toBe(true);
    expect(new Set(webhook.received.map((r) => r.idempotencyKey)).size).toBe(8);
    expect(n.db.alerts()).toHaveLength(8);
  });

  it('costs a tick the due points only, not the open tickets', async () => {
    const n = service();
    const driver = new DomainDriver(store);
    const open = (i: number, at: string) =>
      driver.run(ticketDecider, ticketStream(`T-${i}`), openTicketCommand({ ticketId: `T-${i}`, ticketNumber: `SS-${String(i).padStart(6, '0')}`, license: 'teacher', now: at }));
    // One ticket from Monday 08:00 EDT, and 100 from Tuesday 08:00 EDT.
    await open(0, '2026-03-09T12:00:00Z');
    for (let i = 1; i <= 100; i++) await open(i, '2026-03-10T12:00:00Z');
    const started = Date.now();
    expect(await n.reactor.catchUp()).toBe(202);
    const catchUpMs = Date.now() - started;
    // Confirmation within 4 support hours (no mailer runs here, so it stays unconfirmed);
    // response by the end of the next business day: 20 support hours, 50 % after 10 of them.
    expect(n.db.points('T-1').map((p) => `${p.clock} ${p.level} ${new Date(p.due_at).toISOString()}`)).toEqual([
      'confirmation 0.5 2026-03-10T14:00:00.000Z',
      'confirmation 0.75 2026-03-10T15:00:00.000Z',
      'confirmation 0.9 2026-03-10T15:36:00.000Z',
      'confirmation breach 2026-03-10T16:00:00.000Z',
      'response 0.5 2026-03-10T22:00:00.000Z',
      'response 0.75 2026-03-11T17:00:00.000Z',
      'response 0.9 2026-03-11T20:00:00.000Z',
      'response breach 2026-03-11T22:00:00.000Z',
    ]);
    let reads = 0;
    const readStream = store.readStream.bind(store);
    store.readStream = async (...args) => {
      reads++;
      return readStream(...args);
    };
    // Tuesday 08:30 EDT: only Monday's ticket has points due; each of its 5 alerts is decided on
    // that ticket's stream (one read each, by the command path), and no other stream is read.
    now = Date.parse('2026-03-10T12:30:00Z');
    expect(await n.watcher.tick()).toBe(5);
    expect(reads).toBe(5);
    expect(n.db.alerts().map((a) => `${a.ticket_id} ${a.clock} ${a.level}`)).toEqual([
      'T-0 confirmation 0.5',
      'T-0 confirmation 0.75',
      'T-0 confirmation 0.9',
      'T-0 confirmation breach',
      'T-0 response 0.5',
    ]);
    expect(await n.watcher.tick()).toBe(0);
    expect(reads).toBe(5);
    // Pages commit in one transaction each (one fsync), so a catch-up is not bound by per-event commits.
    expect(catchUpMs).toBeLessThan(10_000);
  });
});
