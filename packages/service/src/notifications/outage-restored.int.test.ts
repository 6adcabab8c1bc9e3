import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outageDecider, ticketDecider, type Actor, type Monitor, type TicketCommand } from '@support-sla/domain';
import { actors, openTicketCommand } from '@support-sla/domain/testing';
import { OUTAGE_BOARD_STREAM, ticketStream } from '../event-store/streams';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import type { NotificationsLogger } from './mail-transport';
import { Notifications } from './notifications';
import { readNotificationsConfig } from './notifications.config';
import { DomainDriver, SmtpSink, ScenarioClock } from './notifications.test-support';

/**
 * The restoration notice for a ticket linked to an outage and closed before the outage ended:
 * the mailer finds it in the read models' closed archive, which keeps a linked ticket's name and
 * summary, and e-mails its contact once, as it did when it kept its own table of links.
 */
const quietLogger: NotificationsLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const agent: Actor = actors.agent;
const system: Actor = { id: 'system:mailer', role: 'agent' };

let dir: string;
let file: string;
let store: SqliteEventStore;
let driver: DomainDriver;
let sink: SmtpSink;
let notifications: Notifications | undefined;
const delivery = new ScenarioClock();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'support-sla-restored-'));
  file = join(dir, 'service.sqlite');
  store = SqliteEventStore.open(file, { pollMs: 20 });
  driver = new DomainDriver(store);
  sink = await SmtpSink.start();
});

afterEach(async () => {
  await notifications?.stop().catch(() => undefined);
  notifications = undefined;
  await sink.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const act = (ticketId: string, command: Omit<TicketCommand, 'actor'> & { actor?: Actor }) =>
  driver.run(ticketDecider, ticketStream(ticketId), { actor: agent, ...command } as TicketCommand);

const report = (monitor: Monitor, status: 'up' | 'down', observedAt: string) =>
  driver.run(outageDecider, OUTAGE_BOARD_STREAM, { type: 'ReportMonitorStatus', now: observedAt, actor: { id: `monitor-${monitor}`, role: 'monitor' }, data: { monitor, status, observedAt } });

describe('outage-restored notice for a linked ticket closed before the outage ended (smtp-server on loopback, SQLite store)', () => {
  it('e-mails its contact once after the outage ends, with its summary and name, and records it on the closed ticket', async () => {
    delivery.from('2026-03-10T14:00:00Z');
    notifications = new Notifications({
      store,
      database: file,
      config: readNotificationsConfig({ SMTP_URL: sink.url }),
      logger: quietLogger,
      retry: { initialDelayMs: 40, maxDelayMs: 200, jitter: false },
      deliveryPollMs: 50,
      deliveryClock: delivery.now,
      smtpTuning: { connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000 },
      acknowledge: async (ticketId, at, messageId) => {
        await act(ticketId, { type: 'AcknowledgeTicket', now: at, actor: system, data: { ticketId, automatic: true, messageId } });
      },
      // Wired like the service: RecordNotificationSent, accepted on a closed ticket too.
      recordSent: async (sent) => {
        if (sent.purpose !== 'resolution' && sent.purpose !== 'outage-restored') throw new Error(`not a notice: ${sent.purpose}`);
        await act(sent.ticketId, {
          type: 'RecordNotificationSent',
          now: sent.at,
          actor: system,
          data: { ticketId: sent.ticketId, purpose: sent.purpose, messageId: sent.messageId, ...(sent.restoredAt === undefined ? {} : { restoredAt: sent.restoredAt }) },
        });
      },
    });
    const n = notifications;

    await report('chicago', 'down', '2026-03-10T14:10:00Z');
    await report('california', 'down', '2026-03-10T14:11:00Z');
    const declared = await report('atlanta', 'down', '2026-03-10T14:12:00Z');
    expect(declared.map((e) => e.type)).toContain('OutageDeclared');

    const ticketId = 'T-closed';
    const ticketNumber = 'SS-000101';
    const opening = openTicketCommand({ ticketId, ticketNumber, license: 'administrator', now: '2026-03-10T14:20:00Z', request: { summary: 'Report cards will not print', description: 'Printing hangs.' } });
    await driver.run(ticketDecider, ticketStream(ticketId), { ...opening, data: { ...opening.data, namedUser: { ...opening.data.namedUser, name: 'Ada Lovelace' } } });
    await act(ticketId, { type: 'LinkTicketToOutage', now: '2026-03-10T14:25:00Z', data: { ticketId, outageId: 'OUTAGE-0001' } });
    await act(ticketId, { type: 'ClassifyTicket', now: '2026-03-10T14:30:00Z', data: { ticketId, category: 'technical/outage' } });
    await act(ticketId, { type: 'ResolveTicket', now: '2026-03-10T14:35:00Z', data: { ticketId, resolution: 'Printed from the backup server.' } });
    await act(ticketId, { type: 'CloseTicket', now: '2026-03-10T14:40:00Z', data: { ticketId, resolutionDetails: 'The report cards were printed from the backup server.' } });

    // Closed while the outage lasts: the resolution goes out (the confirmation was withheld by the link).
    delivery.from('2026-03-10T14:41:00Z');
    await n.runOnce();
    expect((await sink.waitFor(1)).map((m) => m.purpose)).toEqual(['resolution']);

    const ended = await report('chicago', 'up', '2026-03-10T15:00:00Z');
    const endedId = ended.find((e) => e.type === 'OutageEnded')?.id;
    expect(endedId).toBeDefined();
    delivery.from('2026-03-10T15:05:00Z');
    await n.runOnce();
    const mails = await sink.waitFor(2);
    const restored = mails.filter((m) => m.purpose === 'outage-restored');
    expect(restored).toHaveLength(1);
    const notice = restored[0]!;
    expect(notice.to).toBe('ada@district.example.org');
    expect(notice.messageId).toBe(`<outage-restored.${ticketNumber}.${endedId}@support-sla.local>`);
    expect(notice.subject).toBe(`[${ticketNumber}] Service restored: Report cards will not print`);
    expect(notice.text).toContain('Hello Ada Lovelace,');
    expect(notice.text).toContain(`Your ticket ${ticketNumber} ("Report cards will not print")`);
    expect(notice.text).toContain('OUTAGE-0001');

    // Recorded on the closed ticket with when the outage ended; further rounds send nothing.
    await n.runOnce();
    await n.runOnce();
    expect(sink.messages.filter((m) => m.purpose === 'outage-restored')).toHaveLength(1);
    const stream = await store.readStream(ticketStream(ticketId));
    const recorded = stream.filter((e) => e.type === 'TicketNotificationSent').map((e) => e.data as { purpose: string; messageId: string; restoredAt?: string });
    expect(recorded).toEqual(
      expect.arrayContaining([expect.objectContaining({ purpose: 'outage-restored', messageId: notice.messageId, restoredAt: '2026-03-10T15:00:00.000Z' })]),
    );
  });
});
