import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outageDecider, ticketDecider, type Actor, type Monitor, type TicketCommand } from '@support-sla/domain';
import { actors, openTicketCommand } from '@support-sla/domain/testing';
import { OUTAGE_BOARD_STREAM, ticketStream } from '../event-store/streams';
import type { EventStore, SubscribeToAllOptions, Subscription } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { verifyChain } from '../hash-chain';
import type { MailTransport, NotificationsLogger } from './mail-transport';
import { Notifications, type NotificationsDependencies } from './notifications';
import { DEFAULT_TEMPLATES_DIR, readNotificationsConfig } from './notifications.config';
import { DomainDriver, SmtpSink, type ReceivedMail, ScenarioClock, ticketRecorders, WebhookSink } from './notifications.test-support';
import { StoreLease } from '../deployment/store-lease';

const quietLogger: NotificationsLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const agent: Actor = actors.agent;

interface World {
  dir: string;
  file: string;
  store: SqliteEventStore;
  driver: DomainDriver;
  sink: SmtpSink;
  acknowledged: { ticketId: string; at: string; messageId: string }[];
}

let world: World;
const started: Notifications[] = [];

// The mailer's clock runs at real speed from a chosen instant of the scenario.
const delivery = new ScenarioClock();
const deliveryFrom = (iso: string): void => delivery.from(iso);
const deliveryClock = delivery.now;

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-mail-'));
  const file = join(dir, 'service.sqlite');
  const store = SqliteEventStore.open(file, { pollMs: 20 });
  world = { dir, file, store, driver: new DomainDriver(store), sink: await SmtpSink.start(), acknowledged: [] };
  deliveryFrom('2026-03-10T14:10:00Z');
});

afterEach(async () => {
  for (const n of started.splice(0)) await n.stop().catch(() => undefined);
  await world.sink.stop();
  await world.store.close();
  rmSync(world.dir, { recursive: true, force: true });
});

/** Notifications over the world's SQLite file (its own connection, as after a restart), with fast retries. */
const notifications = (overrides: Partial<NotificationsDependencies> = {}): Notifications => {
  const n = new Notifications({
    store: world.store,
    database: world.file,
    config: readNotificationsConfig({ SMTP_URL: world.sink.url }),
    logger: quietLogger,
    retry: { initialDelayMs: 40, maxDelayMs: 200, jitter: false },
    deliveryPollMs: 50,
    deliveryClock,
    smtpTuning: { connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000 },
    // Wired like the service: the domain's AcknowledgeTicket, dated when SMTP accepted the e-mail.
    acknowledge: async (ticketId, at, messageId) => {
      world.acknowledged.push({ ticketId, at, messageId });
      await world.driver.run(ticketDecider, ticketStream(ticketId), {
        type: 'AcknowledgeTicket',
        now: at,
        actor: { id: 'system:mailer', role: 'agent' },
        data: { ticketId, automatic: true, messageId },
      });
    },
    ...overrides,
  });
  started.push(n);
  return n;
};

let ticketCounter = 0;
const openTicket = async (license: 'administrator' | 'teacher' | 'publisher', now: string, summary = 'Gradebook export fails') => {
  ticketCounter++;
  const ticketId = `T-${ticketCounter}`;
  const ticketNumber = `SS-${String(ticketCounter).padStart(6, '0')}`;
  const events = await world.driver.run(
    ticketDecider,
    ticketStream(ticketId),
    openTicketCommand({ ticketId, ticketNumber, license, now, request: { summary, description: 'Steps are in the attached notes.' } }),
  );
  const opened = events.find((e) => e.type === 'TicketOpened');
  if (opened === undefined) throw new Error('no TicketOpened');
  return { ticketId, ticketNumber, openedEventId: opened.id };
};

const act = (ticketId: string, command: Omit<TicketCommand, 'actor'> & { actor?: Actor }) =>
  world.driver.run(ticketDecider, ticketStream(ticketId), { actor: agent, ...command } as TicketCommand);

const report = (monitor: Monitor, status: 'up' | 'down', observedAt: string) =>
  world.driver.run(outageDecider, OUTAGE_BOARD_STREAM, {
    type: 'ReportMonitorStatus',
    now: observedAt,
    actor: { id: `monitor-${monitor}`, role: 'monitor' },
    data: { monitor, status, observedAt },
  });

const byPurpose = (mails: readonly ReceivedMail[], purpose: string) => mails.filter((m) => m.purpose === purpose);
const messageIds = (mails: readonly ReceivedMail[]) => mails.map((m) => m.messageId);

/** Wired like the service: a sent resolution or restoration notice is recorded on the ticket (with restoredAt for a notice). */
const recordSentLikeTheService: NonNullable<NotificationsDependencies['recordSent']> = async (sent) => {
  if (sent.purpose !== 'resolution' && sent.purpose !== 'outage-restored') throw new Error(`not a notice: ${sent.purpose}`);
  await world.driver.run(ticketDecider, ticketStream(sent.ticketId), {
    type: 'RecordNotificationSent',
    now: sent.at,
    actor: { id: 'system:mailer', role: 'agent' },
    data: { ticketId: sent.ticketId, purpose: sent.purpose, messageId: sent.messageId, ...(sent.restoredAt === undefined ? {} : { restoredAt: sent.restoredAt }) },
  });
};

describe('e-mail notifications over SMTP (smtp-server on loopback, SQLite store)', () => {
  it('confirms both tiers with their next steps, then e-mails the resolution on close, once each', async () => {
    const premium = await openTicket('administrator', '2026-03-10T14:00:00Z', 'Gradebook export fails');
    const professional = await openTicket('teacher', '2026-03-10T14:05:00Z', 'How do I add a widget');
    const n = notifications();
    expect(await n.runOnce()).toMatchObject({ sent: 2, retried: 0 });

    const mails = await world.sink.waitFor(2);
    const [first, second] = mails;
    expect(first?.messageId).toBe(`<confirmation.${premium.ticketNumber}.${premium.openedEventId}@support-sla.local>`);
    expect(first?.to).toBe('ada@district.example.org');
    expect(first?.subject).toBe(`[${premium.ticketNumber}] We received your request: Gradebook export fails`);
    expect(first?.text).toContain('Premium support plan');
    expect(first?.text).toContain('define your request as a support ticket and\n  give you an action plan');
    // Tue 10:00 EDT receipt: the response is due at the end of the next business day.
    expect(first?.text).toContain('(Wed, Mar 11, 2026, 6:00 PM EDT)');
    expect(first?.text).toContain('(Monday–Friday 08:00–18:00, America/New_York time)');
    expect(first?.html).toContain(`<strong>${premium.ticketNumber}</strong>`);

    expect(second?.messageId).toBe(`<confirmation.${professional.ticketNumber}.${professional.openedEventId}@support-sla.local>`);
    expect(second?.to).toBe('tess@district.example.org');
    expect(second?.subject).toContain(`[${professional.ticketNumber}]`);
    expect(second?.text).toContain('Professional support plan');
    expect(second?.text).toContain('as a support item or as a project');
    expect(second?.text).not.toContain('action plan');

    // The sending is recorded on each ticket as the domain's TicketAcknowledged, with the Message-ID the server accepted.
    expect(world.acknowledged.map((a) => [a.ticketId, a.messageId])).toEqual([
      [premium.ticketId, first?.messageId],
      [professional.ticketId, second?.messageId],
    ]);
    const premiumStream = await world.store.readStream(ticketStream(premium.ticketId));
    const acknowledgedEvent = premiumStream.find((e) => e.type === 'TicketAcknowledged');
    expect(verifyChain(premiumStream)).toMatchObject({ ok: true, events: 3 });
    expect(acknowledgedEvent?.data).toMatchObject({ automatic: true, messageId: first?.messageId, notifyEmail: 'ada@district.example.org' });
    expect(Date.parse((acknowledgedEvent?.data as { at: string }).at)).toBe(n.db.outboxRow(`confirmation:${premium.ticketId}`)?.sent_at);

    await act(premium.ticketId, { type: 'ClassifyTicket', now: '2026-03-10T15:00:00Z', data: { ticketId: premium.ticketId, category: 'personal/how-to' } });
    await act(premium.ticketId, { type: 'ResolveTicket', now: '2026-03-10T16:00:00Z', data: { ticketId: premium.ticketId, resolution: 'Re-ran the export job.' } });
    const closed = await act(premium.ticketId, {
      type: 'CloseTicket',
      now: '2026-03-10T16:30:00Z',
      data: { ticketId: premium.ticketId, resolutionDetails: 'The export job was stuck; we re-ran it and the CSV now has all 312 rows.' },
    });
    await n.runOnce();
    const resolution = byPurpose(await world.sink.waitFor(3), 'resolution');
    expect(resolution).toHaveLength(1);
    expect(resolution[0]?.to).toBe('ada@district.example.org');
    expect(resolution[0]?.subject).toBe(`[${premium.ticketNumber}] Resolved: Gradebook export fails`);
    expect(resolution[0]?.messageId).toBe(`<resolution.${premium.ticketNumber}.${closed[0]?.id}@support-sla.local>`);
    expect(resolution[0]?.text).toContain('the CSV now has all 312 rows');

    // Another round, and a fresh reactor over the same file: nothing is sent twice.
    await n.runOnce();
    await n.stop();
    const again = notifications();
    expect(await again.runOnce()).toMatchObject({ sent: 0 });
    expect(world.sink.messages).toHaveLength(3);
    expect(again.db.outbox().filter((r) => r.status === 'sent').map((r) => `${r.purpose}:${r.ticket_number}`)).toEqual([
      `confirmation:${premium.ticketNumber}`,
      `confirmation:${professional.ticketNumber}`,
      `resolution:${premium.ticketNumber}`,
    ]);
  });

  it('only linked tickets have their confirmation held: an unrelated ticket opened during the outage gets its confirmation at once; each linked contact gets one restoration notice, recorded with restoredAt', async () => {
    const before = await openTicket('administrator', '2026-03-10T14:00:00Z', 'Site is slow');
    deliveryFrom('2026-03-10T14:05:00Z');
    const n = notifications({ recordSent: recordSentLikeTheService });
    await n.runOnce();
    await world.sink.waitFor(1);

    await report('chicago', 'down', '2026-03-10T14:10:00Z');
    await report('california', 'down', '2026-03-10T14:11:00Z');
    const declared = await report('atlanta', 'down', '2026-03-10T14:12:00Z');
    expect(declared.map((e) => e.type)).toContain('OutageDeclared');

    const during = await openTicket('publisher', '2026-03-10T14:20:00Z', 'Portal is down');
    const unrelated = await openTicket('teacher', '2026-03-10T14:25:00Z', 'How do I reset a password');
    await act(before.ticketId, { type: 'LinkTicketToOutage', now: '2026-03-10T14:30:00Z', data: { ticketId: before.ticketId, outageId: 'OUTAGE-0001' } });
    await act(during.ticketId, { type: 'LinkTicketToOutage', now: '2026-03-10T14:31:00Z', data: { ticketId: during.ticketId, outageId: 'OUTAGE-0001' } });
    deliveryFrom('2026-03-10T14:32:00Z');
    await n.runOnce();
    // The unrelated ticket is confirmed while the outage lasts; the linked one opened during it is not.
    await world.sink.waitFor(2);
    expect(byPurpose(world.sink.messages, 'confirmation').map((m) => m.subject.slice(0, 11))).toEqual([`[${before.ticketNumber}]`, `[${unrelated.ticketNumber}]`]);
    expect(n.db.outboxRow(`confirmation:${during.ticketId}`)?.status).toBe('suppressed');

    const ended = await report('chicago', 'up', '2026-03-10T15:00:00Z');
    deliveryFrom('2026-03-10T15:05:00Z');
    expect(ended.map((e) => e.type)).toContain('OutageEnded');
    await n.runOnce();
    const mails = await world.sink.waitFor(4);
    const restored = byPurpose(mails, 'outage-restored');
    expect(restored.map((m) => m.to).sort()).toEqual(['ada@district.example.org', 'pat@district.example.org']);
    expect(restored.map((m) => m.subject).sort()).toEqual([
      `[${before.ticketNumber}] Service restored: Site is slow`,
      `[${during.ticketNumber}] Service restored: Portal is down`,
    ]);
    const endedId = ended.find((e) => e.type === 'OutageEnded')?.id;
    expect(restored.map((m) => m.messageId)).toContain(`<outage-restored.${during.ticketNumber}.${endedId}@support-sla.local>`);
    expect(restored[0]?.text).toContain('OUTAGE-0001');
    expect(byPurpose(mails, 'confirmation')).toHaveLength(2);

    // The notice is recorded with when the outage ended: the domain counts it as the linked
    // ticket's confirmation and response (no separate acknowledgement is recorded for it).
    await n.runOnce();
    const duringNotice = restored.find((m) => m.to === 'pat@district.example.org');
    const duringStream = await world.store.readStream(ticketStream(during.ticketId));
    const recorded = duringStream.filter((e) => e.type === 'TicketNotificationSent').map((e) => e.data as { messageId: string; restoredAt?: string; at: string });
    expect(recorded).toEqual([expect.objectContaining({ messageId: duringNotice?.messageId, restoredAt: '2026-03-10T15:00:00.000Z' })]);
    expect(recorded[0]?.at).toBe(new Date(n.db.outboxRow(`outage-restored:${during.ticketId}`)!.sent_at!).toISOString());
    expect(duringStream.filter((e) => e.type === 'TicketAcknowledged')).toEqual([]);
    expect(world.acknowledged.map((a) => a.ticketId).sort()).toEqual([before.ticketId, unrelated.ticketId].sort());

    await n.runOnce();
    expect(world.sink.messages).toHaveLength(4);
  });

  it('keeps e-mails through an SMTP outage and delivers each exactly once when the server is back', async () => {
    const n = notifications();
    await n.start();
    await openTicket('administrator', '2026-03-10T14:00:00Z');
    await openTicket('teacher', '2026-03-10T14:01:00Z');
    await world.sink.waitFor(2);

    await world.sink.stop();
    const down = [
      await openTicket('administrator', '2026-03-10T14:02:00Z'),
      await openTicket('publisher', '2026-03-10T14:03:00Z'),
      await openTicket('teacher', '2026-03-10T14:04:00Z'),
    ];
    // Wait until delivery has failed at least twice (backoff in effect) for the first of them.
    const deadline = Date.now() + 10_000;
    while ((n.db.outboxRow(`confirmation:${down[0]?.ticketId}`)?.attempts ?? 0) < 2) {
      if (Date.now() > deadline) throw new Error('delivery was never attempted while SMTP was down');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(n.db.outboxRow(`confirmation:${down[0]?.ticketId}`)?.status).toBe('pending');
    expect(n.db.outboxRow(`confirmation:${down[0]?.ticketId}`)?.last_error).toMatch(/ECONNREFUSED|connect/i);

    await world.sink.listen();
    const mails = await world.sink.waitFor(5);
    await new Promise((r) => setTimeout(r, 400));
    expect(world.sink.messages).toHaveLength(5);
    expect(new Set(messageIds(mails)).size).toBe(5);
    for (const t of down) expect(mails.filter((m) => m.subject.startsWith(`[${t.ticketNumber}]`))).toHaveLength(1);
    expect(n.db.outbox().every((r) => r.status === 'sent')).toBe(true);
  });

  it('sends what was pending when the service stopped after a restart, once', async () => {
    await world.sink.stop();
    const first = notifications();
    const a = await openTicket('administrator', '2026-03-10T14:00:00Z');
    const b = await openTicket('teacher', '2026-03-10T14:01:00Z');
    expect(await first.runOnce()).toMatchObject({ events: 4, sent: 0, retried: 1 });
    expect(first.db.outbox().map((r) => r.status)).toEqual(['pending', 'pending']);
    await first.stop();

    // Restart: server back, a new reactor and dispatcher over the same SQLite file.
    await world.sink.listen();
    const second = notifications();
    await new Promise((r) => setTimeout(r, 60)); // past the first retry delay
    expect(await second.runOnce()).toMatchObject({ events: 0, sent: 2 });
    const mails = await world.sink.waitFor(2);
    expect(mails.map((m) => m.subject.slice(0, 11))).toEqual([`[${a.ticketNumber}]`, `[${b.ticketNumber}]`]);
    // The acknowledgements the sending appended are read, and send nothing more.
    expect(await second.runOnce()).toMatchObject({ events: 2, sent: 0 });
    expect(world.sink.messages).toHaveLength(2);
    expect(second.db.outbox()).toHaveLength(2);
  });

  it('two instances on one mail file: the one holding the lease sends, the other takes over once it stops, each e-mail once', async () => {
    const states: string[] = [];
    const first = notifications();
    const second = notifications({ leaseTimings: { pollMs: 20 }, onState: (state) => states.push(state) });
    await first.start();
    await second.start();
    expect([first.state, second.state]).toEqual(['sending', 'standby']);

    const a = await openTicket('administrator', '2026-03-10T14:00:00Z');
    await world.sink.waitFor(1);
    await first.stop();
    expect(first.state).toBe('stopped');
    const b = await openTicket('teacher', '2026-03-10T14:01:00Z');
    const deadline = Date.now() + 5_000;
    while (second.state !== 'sending') {
      if (Date.now() > deadline) throw new Error('the standby instance never took over');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(states).toEqual(['standby', 'starting', 'sending']);
    await world.sink.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(world.sink.messages.map((m) => m.subject.slice(0, 11))).toEqual([`[${a.ticketNumber}]`, `[${b.ticketNumber}]`]);
    expect(new Set(messageIds(world.sink.messages)).size).toBe(2);
  });

  it('stop() during the start-up catch-up ends it at the next page, starts nothing, and releases the lease', async () => {
    // More than one page (256 events) to catch up with.
    for (let i = 0; i < 140; i++) await openTicket('administrator', '2026-03-10T14:00:00Z');
    expect((await world.store.readAll({ maxCount: 1_000 })).length).toBeGreaterThan(256);
    let reads = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // The store, with its first delivery held until the test has called stop() (the mailer
    // catches up through the read models' subscription, which pages through the log).
    const slow = new Proxy(world.store, {
      get(target, property) {
        if (property === 'subscribeToAll') {
          return (options: SubscribeToAllOptions) =>
            target.subscribeToAll({
              ...options,
              onEvent: async (event) => {
                reads++;
                await gate;
                return options.onEvent(event);
              },
            });
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const n = notifications({ store: slow });
    const starting = n.start();
    // The lease is taken (an append) while the first page waits.
    const deadline = Date.now() + 5_000;
    while ((reads === 0 || n.state !== 'starting') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(n.state).toBe('starting');
    const stopping = n.stop();
    open();
    await starting;
    await stopping;
    expect(n.state).toBe('stopped');
    // The page being read when stop() came was the last.
    expect(reads).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(world.sink.messages).toHaveLength(0);
    // The lease was taken at start and is released: the next process takes it at once.
    const next = new StoreLease({ store: world.store, ttlMs: 10_000 });
    expect((await next.read()).view).toMatchObject({ released: true });
    expect(await next.tryAcquire()).toMatchObject({ acquired: true });
  });

  describe('SLA alerts and every sending in the log', () => {
    let webhook: WebhookSink;
    let slaNow: number;
    beforeEach(async () => {
      webhook = await WebhookSink.start();
    });
    afterEach(async () => {
      await webhook.stop();
    });

    /** Wired like the service: every record on the command path; SLA alerts by e-mail and webhook; the SLA clock at `slaNow`. */
    const alerting = (database: string = world.file): Notifications =>
      notifications({
        ...ticketRecorders(world.store),
        database,
        config: readNotificationsConfig({ SMTP_URL: world.sink.url, SLA_ALERT_EMAIL: 'sla-alerts@support-sla.local', SLA_ALERT_WEBHOOK_URL: webhook.url }),
        clock: () => slaNow,
      });
    const typesIn = async (ticketId: string) => (await world.store.readStream(ticketStream(ticketId))).map((e) => e.type);
    const sla = (mails: readonly ReceivedMail[]) => mails.filter((m) => m.purpose.startsWith('sla-')).map((m) => `${m.purpose} ${m.messageId}`);

    it('a mail file rebuilt from the log raises and sends nothing the log records, SLA alerts included', async () => {
      // Premium, opened Tuesday 10:00 EDT: the response is due by the end of Wednesday (18 support hours); half of them by Wednesday 09:00 EDT.
      const t = await openTicket('administrator', '2026-03-10T14:00:00Z');
      const first = alerting();
      slaNow = Date.parse('2026-03-10T14:05:00Z');
      expect(await first.runOnce()).toMatchObject({ sent: 1, alerts: 0 });
      slaNow = Date.parse('2026-03-11T13:05:00Z');
      deliveryFrom('2026-03-11T13:05:00Z');
      expect(await first.runOnce()).toMatchObject({ alerts: 1, sent: 2 });
      await act(t.ticketId, { type: 'ClassifyTicket', now: '2026-03-11T15:00:00Z', data: { ticketId: t.ticketId, category: 'personal/how-to' } });
      await act(t.ticketId, { type: 'ResolveTicket', now: '2026-03-11T16:00:00Z', data: { ticketId: t.ticketId, resolution: 'Re-ran the export job.' } });
      await act(t.ticketId, { type: 'CloseTicket', now: '2026-03-11T16:30:00Z', data: { ticketId: t.ticketId, resolutionDetails: 'The export job was stuck; we re-ran it.' } });
      deliveryFrom('2026-03-11T16:40:00Z'); // the resolution goes out after the close
      expect(await first.runOnce()).toMatchObject({ sent: 1 });
      await first.runOnce();
      await first.stop();
      // Every decision and every sending is a fact on the ticket: raised once, delivered once per channel.
      const types = await typesIn(t.ticketId);
      expect(types.filter((type) => /Acknowledged|Sla|NotificationSent/.test(type))).toEqual([
        'TicketAcknowledged',
        'TicketSlaAlertRaised',
        'TicketSlaAlertSent',
        'TicketSlaAlertSent',
        'TicketNotificationSent',
      ]);
      const raised = (await world.store.readStream(ticketStream(t.ticketId))).find((e) => e.type === 'TicketSlaAlertRaised');
      expect(raised?.data).toMatchObject({ clock: 'response', level: '0.5', dueAt: '2026-03-11T13:00:00.000Z', at: '2026-03-11T13:00:00.000Z' });

      // A new, empty mail file (a lost one, or another replica's) reads the whole log again, at the same SLA time and later.
      const rebuilt = alerting(join(world.dir, 'rebuilt.mail.sqlite'));
      expect(await rebuilt.runOnce()).toMatchObject({ alerts: 0, sent: 0 });
      slaNow = Date.parse('2026-03-13T13:00:00Z');
      expect(await rebuilt.runOnce()).toMatchObject({ alerts: 0, sent: 0 });
      expect(world.sink.messages.map((m) => m.purpose)).toEqual(['confirmation', 'sla-warning', 'resolution']);
      expect(webhook.received).toHaveLength(1);
      const rows = rebuilt.db.outbox();
      expect(rows.map((r) => [r.purpose, r.channel, r.status])).toEqual([
        ['confirmation', 'email', 'suppressed'],
        ['sla-warning', 'email', 'suppressed'],
        ['sla-warning', 'webhook', 'suppressed'],
        ['resolution', 'email', 'suppressed'],
      ]);
      expect(rows.every((r) => r.last_error?.startsWith('already sent') === true || r.purpose === 'confirmation')).toBe(true);
      expect(rebuilt.db.alerts().map((a) => `${a.clock} ${a.level}`)).toEqual(['response 0.5']);
      expect(await typesIn(t.ticketId)).toEqual(types);
    });

    it('an open ticket: a rebuilt file raises no alert again, and raises the next one once', async () => {
      const t = await openTicket('administrator', '2026-03-10T14:00:00Z');
      const first = alerting();
      slaNow = Date.parse('2026-03-10T14:05:00Z');
      expect(await first.runOnce()).toMatchObject({ sent: 1, alerts: 0 }); // the confirmation
      slaNow = Date.parse('2026-03-11T13:05:00Z');
      deliveryFrom('2026-03-11T13:05:00Z');
      await first.runOnce();
      await first.runOnce();
      await first.stop();
      expect(sla(world.sink.messages)).toEqual([`sla-warning <sla-warning.${t.ticketNumber}.response-0.5@support-sla.local>`]);
      const rebuilt = alerting(join(world.dir, 'rebuilt.mail.sqlite'));
      expect(await rebuilt.runOnce()).toMatchObject({ alerts: 0, sent: 0 });
      expect(rebuilt.db.points(t.ticketId).map((p) => `${p.clock} ${p.level}`)).toEqual(['response 0.75', 'response 0.9', 'response breach']);
      // 75 % of 18 h: Wednesday 13:30 EDT.
      slaNow = Date.parse('2026-03-11T17:31:00Z');
      deliveryFrom('2026-03-11T17:31:00Z');
      expect(await rebuilt.runOnce()).toMatchObject({ alerts: 1, sent: 2 });
      expect(await rebuilt.runOnce()).toMatchObject({ alerts: 0, sent: 0 });
      expect(sla(world.sink.messages)).toEqual([
        `sla-warning <sla-warning.${t.ticketNumber}.response-0.5@support-sla.local>`,
        `sla-warning <sla-warning.${t.ticketNumber}.response-0.75@support-sla.local>`,
      ]);
      expect((await typesIn(t.ticketId)).filter((type) => type.startsWith('TicketSla'))).toEqual([
        'TicketSlaAlertRaised',
        'TicketSlaAlertSent',
        'TicketSlaAlertSent',
        'TicketSlaAlertRaised',
        'TicketSlaAlertSent',
        'TicketSlaAlertSent',
      ]);
    });

    it('an alert raised but not delivered when the sender stops is delivered once, by the next sender', async () => {
      const t = await openTicket('administrator', '2026-03-10T14:00:00Z');
      const first = alerting();
      slaNow = Date.parse('2026-03-10T14:05:00Z');
      expect(await first.runOnce()).toMatchObject({ sent: 1, alerts: 0 }); // the confirmation
      // Then the alert is raised and its rows written, and the sender stops before delivering them.
      slaNow = Date.parse('2026-03-11T13:05:00Z');
      deliveryFrom('2026-03-11T13:05:00Z');
      await first.reactor.catchUp();
      expect(await first.watcher.tick()).toBe(1);
      await first.reactor.catchUp();
      expect(first.db.outbox().filter((r) => r.purpose === 'sla-warning').map((r) => r.status)).toEqual(['pending', 'pending']);
      await first.stop();

      // Another replica takes over the sending with a mail file built from the log.
      const next = alerting(join(world.dir, 'replica.mail.sqlite'));
      expect(await next.runOnce()).toMatchObject({ alerts: 0, sent: 2 });
      await next.stop();
      // The first comes back on its own file: the log says both went out, so it sends neither.
      const back = alerting();
      expect(await back.runOnce()).toMatchObject({ alerts: 0, sent: 0 });
      expect(back.db.outbox().filter((r) => r.purpose === 'sla-warning').map((r) => [r.channel, r.status])).toEqual([
        ['email', 'suppressed'],
        ['webhook', 'suppressed'],
      ]);
      expect(sla(world.sink.messages)).toEqual([`sla-warning <sla-warning.${t.ticketNumber}.response-0.5@support-sla.local>`]);
      expect(webhook.received.map((r) => r.idempotencyKey)).toEqual([`webhook:sla-warning:${t.ticketId}:response:0.5`]);
      const sent = (await world.store.readStream(ticketStream(t.ticketId))).filter((e) => e.type === 'TicketSlaAlertSent').map((e) => e.data);
      expect(sent).toEqual([
        expect.objectContaining({ channel: 'email', to: 'sla-alerts@support-sla.local', messageId: `<sla-warning.${t.ticketNumber}.response-0.5@support-sla.local>` }),
        expect.objectContaining({ channel: 'webhook', to: new URL(webhook.url).origin }),
      ]);
    });
  });

  it('logs each e-mail when no SMTP_URL is configured, and says so at start-up', async () => {
    const entries: unknown[] = [];
    const capture: NotificationsLogger = { log: (m) => entries.push(m), warn: (m) => entries.push(m), error: (m) => entries.push(m) };
    const n = notifications({ config: readNotificationsConfig({}), logger: capture, transport: undefined });
    const t = await openTicket('administrator', '2026-03-10T14:00:00Z');
    await n.start();
    const deadline = Date.now() + 5_000;
    while (n.db.outboxRow(`confirmation:${t.ticketId}`)?.status !== 'sent') {
      if (Date.now() > deadline) throw new Error('not logged');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(entries).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('SMTP_URL is not set') }));
    expect(entries).toContainEqual(
      expect.objectContaining({
        mail: expect.objectContaining({ to: 'ada@district.example.org', subject: expect.stringContaining(t.ticketNumber), messageId: expect.stringContaining('confirmation.') }),
      }),
    );
    expect(world.sink.messages).toHaveLength(0);
  });

  it('gives up on a message the SMTP server refuses for good after the bounded attempts', async () => {
    const refusing: MailTransport = {
      kind: 'smtp',
      send: async () => {
        throw Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 });
      },
      close: () => undefined,
    };
    const n = notifications({ transport: refusing, retry: { initialDelayMs: 1, maxDelayMs: 1, jitter: false, maxPermanentAttempts: 2 } });
    const t = await openTicket('teacher', '2026-03-10T14:00:00Z');
    await n.runOnce();
    await new Promise((r) => setTimeout(r, 5));
    await n.runOnce();
    expect(n.db.outboxRow(`confirmation:${t.ticketId}`)).toMatchObject({ status: 'failed', attempts: 2, last_error: '550 mailbox unavailable' });
  });

  it('commits nothing for events it failed to handle, and handles them once when retried', async () => {
    const templatesDir = join(world.dir, 'templates');
    cpSync(DEFAULT_TEMPLATES_DIR, templatesDir, { recursive: true });
    renameSync(join(templatesDir, 'resolution.txt'), join(templatesDir, 'resolution.txt.off'));
    const errors: unknown[] = [];
    const n = notifications({
      config: readNotificationsConfig({ SMTP_URL: world.sink.url, MAIL_TEMPLATES_DIR: templatesDir }),
      logger: { ...quietLogger, error: (m) => errors.push(m) },
      reactorRetryMs: 20,
    });
    const t = await openTicket('publisher', '2026-03-10T14:00:00Z');
    // Classified first: a ticket is resolved only once it has a type and an SLA queue (issue 19).
    await act(t.ticketId, { type: 'ClassifyTicket', now: '2026-03-10T15:00:00Z', data: { ticketId: t.ticketId, category: 'personal/how-to' } });
    await act(t.ticketId, { type: 'ResolveTicket', now: '2026-03-10T15:00:00Z', data: { ticketId: t.ticketId, resolution: 'Cleared the cache.' } });
    await act(t.ticketId, { type: 'CloseTicket', now: '2026-03-10T15:01:00Z', data: { ticketId: t.ticketId } });

    // The resolution cannot be rendered: the page fails as a whole, the checkpoint does not move.
    await expect(n.reactor.catchUp()).rejects.toThrow(/resolution\.txt/);
    expect(n.reactor.checkpoint).toBeUndefined();
    expect(n.db.outbox()).toEqual([]);

    // Running live, the reactor logs the failure and keeps retrying from its checkpoint...
    await n.reactor.start();
    expect(errors).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('resuming from its checkpoint') }));
    // ...and a ticket opened meanwhile (live, after the stuck event) is not handled ahead of it...
    const later = await openTicket('teacher', '2026-03-10T15:05:00Z');
    await new Promise((r) => setTimeout(r, 300));
    expect(n.db.outbox()).toEqual([]);
    expect(n.reactor.checkpoint).toBeUndefined();
    // ...until the operator restores the template.
    renameSync(join(templatesDir, 'resolution.txt.off'), join(templatesDir, 'resolution.txt'));
    const deadline = Date.now() + 5_000;
    while (n.db.outbox().length < 3) {
      if (Date.now() > deadline) throw new Error('the reactor did not resume');
      await new Promise((r) => setTimeout(r, 20));
    }
    // Every event was handled once, in order: the confirmation (overtaken by the closing), the
    // resolution, then the later ticket's confirmation.
    expect(await n.runOnce()).toMatchObject({ sent: 2 });
    const mails = await world.sink.waitFor(2);
    expect(mails.map((m) => m.purpose)).toEqual(['resolution', 'confirmation']);
    expect(mails[0]?.text).toContain('Cleared the cache.');
    expect(mails[1]?.subject).toContain(`[${later.ticketNumber}]`);
    expect(n.db.outbox().map((r) => `${r.purpose} ${r.ticket_id} ${r.status}`)).toEqual([
      `confirmation ${t.ticketId} suppressed`,
      `resolution ${t.ticketId} sent`,
      `confirmation ${later.ticketId} sent`,
    ]);
    expect(await n.runOnce()).toMatchObject({ sent: 0 });
    expect(world.sink.messages).toHaveLength(2);
  });

  it('a drain left over from a stopped subscription does not take the next subscription\'s events', async () => {
    const first = await openTicket('teacher', '2026-03-10T14:00:00Z');
    const second = await openTicket('teacher', '2026-03-10T14:01:00Z');
    const log = await world.store.readAll();
    const of = (ticketId: string) => log.filter((e) => e.streamId === ticketStream(ticketId));
    // A store whose live subscriptions the test feeds by hand; catching up finds nothing.
    const subscriptions: SubscribeToAllOptions[] = [];
    const store: EventStore = Object.assign(Object.create(world.store) as EventStore, {
      readAll: async () => [],
      subscribeToAll: (options: SubscribeToAllOptions): Subscription => {
        subscriptions.push(options);
        return { stop: async () => undefined };
      },
    });
    const n = notifications({ store });
    await n.reactor.start();
    // An event arrives and waits in the buffer for its drain (the next turn of the event loop)...
    for (const e of of(first.ticketId)) await subscriptions[0]!.onEvent(e);
    // ...but the reactor is stopped and started again within this turn, and the new subscription
    // delivers the second ticket's events before that old drain runs.
    await n.reactor.stop();
    await n.reactor.start();
    expect(subscriptions).toHaveLength(2);
    for (const e of of(second.ticketId)) await subscriptions[1]!.onEvent(e);
    const deadline = Date.now() + 2_000;
    while (!n.db.outbox().some((r) => r.ticket_id === second.ticketId)) {
      if (Date.now() > deadline) throw new Error("the second subscription's events were dropped");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(n.db.outbox().filter((r) => r.ticket_id === second.ticketId).map((r) => r.purpose)).toEqual(['confirmation']);
    await n.reactor.stop();
  });

  it('records sent e-mails of different tickets concurrently, and those of one ticket in order', async () => {
    const tickets = [await openTicket('teacher', '2026-03-10T14:00:00Z'), await openTicket('teacher', '2026-03-10T14:01:00Z'), await openTicket('teacher', '2026-03-10T14:02:00Z')];
    const second = tickets[1]!;
    let inFlight = 0;
    let most = 0;
    let failSecond = true;
    const calls: string[] = [];
    const slow = async (label: string): Promise<void> => {
      calls.push(`start ${label}`);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 50));
      inFlight--;
      calls.push(`end ${label}`);
    };
    const n = notifications({
      acknowledge: async (ticketId) => {
        if (ticketId === second.ticketId && failSecond) {
          failSecond = false;
          throw new Error('store busy');
        }
        await slow(`ack ${ticketId}`);
      },
      recordSent: (sent) => slow(`sent ${sent.ticketId}`),
    });
    expect(await n.runOnce()).toMatchObject({ sent: 3 });
    // The other two confirmations were recorded at the same time.
    expect(most).toBe(2);
    expect(calls.slice(0, 2)).toEqual([`start ack ${tickets[0]!.ticketId}`, `start ack ${tickets[2]!.ticketId}`]);

    // The second ticket's recording failed and waits for its retry; meanwhile the ticket is closed.
    // The next pass has both of its e-mails to record: the confirmation first, then the resolution.
    // Classified first: a ticket is resolved only once it has a type and an SLA queue (issue 19).
    await act(second.ticketId, { type: 'ClassifyTicket', now: '2026-03-10T15:00:00Z', data: { ticketId: second.ticketId, category: 'personal/how-to' } });
    await act(second.ticketId, { type: 'ResolveTicket', now: '2026-03-10T15:00:00Z', data: { ticketId: second.ticketId, resolution: 'Fixed' } });
    await act(second.ticketId, { type: 'CloseTicket', now: '2026-03-10T15:01:00Z', data: { ticketId: second.ticketId, resolutionDetails: 'Fixed for good' } });
    await new Promise((r) => setTimeout(r, 100));
    calls.length = 0;
    expect(await n.runOnce()).toMatchObject({ sent: 1 });
    expect(calls).toEqual([`start ack ${second.ticketId}`, `end ack ${second.ticketId}`, `start sent ${second.ticketId}`, `end sent ${second.ticketId}`]);
  });

  it('drops a confirmation still waiting for the mail server once an agent acknowledged or the ticket closed', async () => {
    await world.sink.stop();
    const n = notifications();
    const answered = await openTicket('administrator', '2026-03-10T14:00:00Z', 'Login fails');
    const closed = await openTicket('teacher', '2026-03-10T14:01:00Z', 'Typo on the portal');
    await n.runOnce();
    await act(answered.ticketId, { type: 'AcknowledgeTicket', now: '2026-03-10T14:30:00Z', data: { ticketId: answered.ticketId } });
    // Classified first: a ticket is resolved only once it has a type and an SLA queue (issue 19).
    await act(closed.ticketId, { type: 'ClassifyTicket', now: '2026-03-10T14:40:00Z', data: { ticketId: closed.ticketId, category: 'personal/how-to' } });
    await act(closed.ticketId, { type: 'ResolveTicket', now: '2026-03-10T14:40:00Z', data: { ticketId: closed.ticketId, resolution: 'Fixed the typo.' } });
    await act(closed.ticketId, { type: 'CloseTicket', now: '2026-03-10T14:41:00Z', data: { ticketId: closed.ticketId } });

    await world.sink.listen();
    deliveryFrom('2026-03-10T14:50:00Z');
    await n.runOnce();
    const mails = await world.sink.waitFor(1);
    await n.runOnce();
    expect(mails.map((m) => `${m.purpose} ${m.subject.slice(0, 11)}`)).toEqual([`resolution [${closed.ticketNumber}]`]);
    expect(n.db.outboxRow(`confirmation:${answered.ticketId}`)).toMatchObject({ status: 'suppressed', last_error: 'the ticket was acknowledged first' });
    expect(n.db.outboxRow(`confirmation:${closed.ticketId}`)).toMatchObject({ status: 'suppressed', last_error: 'the ticket was closed first' });
    expect(n.db.sent().map((r) => r.purpose)).toEqual(['resolution']);
  });
});
