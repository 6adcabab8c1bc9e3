import { ManualClock } from '../application/clock';
import { SmtpSink, WebhookSink, type ReceivedMail } from '../notifications/notifications.test-support';
import { call as httpCall, eventually, sleep, type Json } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';
import { CLOCK_OVERRIDE } from '../support.module';

/**
 * Outages end to end, over real HTTP on a temporary SQLite file, with a real SMTP server and a
 * webhook receiver on loopback: engineers are alerted at once (not each customer), only linked
 * tickets have their confirmation held, and each linked contact gets one restoration notice that
 * counts as its response. The service's clock is a manual one, so the e-mail side runs in the
 * process and every instant it records (when the server accepted an e-mail) is the clock's.
 */
jest.setTimeout(90_000);

const ONCALL = 'oncall@district.example';
// Sunday 2026-03-15 03:10 New York (EDT): outside support hours.
const clock = new ManualClock(new Date('2026-03-15T07:10:00Z'));
let svc: InProcessService;
let sink: SmtpSink;
let webhook: WebhookSink;

const tokens = () => ({
  admin: svc.tokenFor('admin', 'u-admin', 'support'),
  agent: svc.tokenFor('agent', 'u-lee', 'support', { name: 'Lee' }),
  ada: svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' }),
  pat: svc.tokenFor('publisher', 'u-pat', 'acme', { email: 'pat@acme.example', name: 'Pat' }),
  tia: svc.tokenFor('teacher', 'u-tia', 'acme', { email: 'tia@acme.example', name: 'Tia' }),
});
const call = (method: string, path: string, token: string, body?: unknown) => httpCall(svc.baseUrl, method, path, { token, ...(body === undefined ? {} : { body }) });

const mails = (purpose: string, to?: string): ReceivedMail[] => sink.messages.filter((m) => m.purpose === purpose && (to === undefined || m.to === to));
const waitForMails = (what: string, purpose: string, count: number, to?: string) =>
  eventually(what, async () => (mails(purpose, to).length >= count ? mails(purpose, to) : undefined), 20_000);

const open = async (token: string, summary: string): Promise<{ ticketId: string; ticketNumber: string }> => {
  const res = await call('POST', '/tickets', token, { channel: 'email', request: { summary, description: 'It started this morning for everyone here.' } });
  expect(res.status).toBe(201);
  return { ticketId: res.json.ticketId as string, ticketNumber: res.json.ticketNumber as string };
};

const monitorReport = async (location: string, status: 'up' | 'down', observedAt: string): Promise<Json> => {
  // An admin may report for any location (independent of the monitor tokens' location claim).
  const res = await call('POST', `/monitors/${location}/reports`, tokens().admin, { status, observedAt });
  expect(res.status).toBe(200);
  return res.json;
};

/** The outage's line in the compliance report, once the read models show `ready(line)`. */
const outageLine = (outageId: string, ready: (line: Json) => boolean) =>
  eventually(`${outageId} in the compliance report`, async () => {
    const res = await call('GET', '/reports/compliance?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z', tokens().agent);
    const line = ((res.json.outages?.outages ?? []) as Json[]).find((o) => o.outageId === outageId);
    return line !== undefined && ready(line) ? line : undefined;
  }, 20_000);

beforeAll(async () => {
  sink = await SmtpSink.start();
  webhook = await WebhookSink.start();
  svc = await startService({
    env: { SMTP_URL: sink.url, ONCALL_EMAIL: ONCALL, ONCALL_WEBHOOK_URL: webhook.url },
    providers: [{ provide: CLOCK_OVERRIDE, useValue: clock }],
  });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
  await webhook.stop();
  await sink.stop();
});

let staffOutage = '';

test('declaring an outage alerts the on-call address at once, exactly once', async () => {
  clock.set('2026-03-15T07:12:30Z');
  await monitorReport('chicago', 'down', '2026-03-15T07:10:00Z');
  await monitorReport('california', 'down', '2026-03-15T07:11:00Z');
  const declared = await monitorReport('atlanta', 'down', '2026-03-15T07:12:00Z');
  expect(declared.events).toContain('OutageDeclared');
  const outageId = declared.outages[0] as string;

  const [alert] = await waitForMails('the outage alert e-mail', 'outage-alert', 1);
  expect(alert).toMatchObject({ to: ONCALL });
  expect(alert!.subject).toContain(`[${outageId}] OUTAGE declared Sun, Mar 15, 2026, 3:12 AM EDT`);
  expect(alert!.text).toContain(`POST /outages/${outageId}/acknowledgement`);
  await eventually('the webhook POST', async () => (webhook.received.length > 0 ? true : undefined));
  expect(webhook.received[0]?.body).toMatchObject({ type: 'outage.declared', outageId, declaredAt: '2026-03-15T07:12:00.000Z', source: 'monitors' });

  // The log records the alert (OutageAlertSent), dated when it was accepted: 30 s after the declaration.
  const line = await outageLine(outageId, (l) => l.alertSentAt !== null);
  expect(line).toMatchObject({ source: 'monitors', alertSentAt: '2026-03-15T07:12:30.000Z', timeToAlertMs: 30_000 });
  const listed = await call('GET', '/outages', tokens().agent);
  expect((listed.json.outages as Json[]).map((o) => o.outageId)).toContain(outageId);

  // More reports, the records read back: still one alert on each channel.
  await monitorReport('chicago', 'down', '2026-03-15T07:12:10Z');
  await sleep(800);
  expect(mails('outage-alert')).toHaveLength(1);
  expect(webhook.received).toHaveLength(1);

  clock.set('2026-03-15T08:00:00Z');
  const ended = await monitorReport('chicago', 'up', '2026-03-15T07:59:00Z');
  expect(ended.events).toContain('OutageEnded');
});

test('a staff-declared outage alerts the same way', async () => {
  clock.set('2026-03-16T14:00:00Z'); // Monday 10:00 New York
  const res = await call('POST', '/outages', tokens().agent, { scope: 'Gradebook in every district', reason: 'Saving grades fails for everyone' });
  expect(res.status).toBe(201);
  staffOutage = res.json.outages[0] as string;

  const alert = (await waitForMails('the staff outage alert', 'outage-alert', 2))[1]!;
  expect(alert.to).toBe(ONCALL);
  expect(alert.subject).toContain(`[${staffOutage}] OUTAGE declared Mon, Mar 16, 2026, 10:00 AM EDT by staff: Gradebook in every district`);
  expect(alert.text).toContain('Saving grades fails for everyone');
  await eventually('the second webhook POST', async () => (webhook.received.length > 1 ? true : undefined));
  expect(webhook.received[1]?.body).toMatchObject({ outageId: staffOutage, source: 'staff', scope: 'Gradebook in every district', reason: 'Saving grades fails for everyone', declaredBy: 'u-lee' });
  const line = await outageLine(staffOutage, (l) => l.alertSentAt !== null);
  expect(line).toMatchObject({ source: 'staff', timeToAlertMs: 0 });
  await sleep(500);
  expect(mails('outage-alert')).toHaveLength(2);
  expect(webhook.received).toHaveLength(2);
});

let linked: { ticketId: string; ticketNumber: string };
let confirmedThenLinked: { ticketId: string; ticketNumber: string };

test('only linked tickets have their confirmation held: an unrelated ticket opened during the outage gets its confirmation', async () => {
  clock.set('2026-03-16T14:10:00Z');
  const t = tokens();
  // Opened while the outage is declared and never linked: confirmed as usual.
  const unrelated = await open(t.tia, 'How do I print a class roster?');
  const [confirmation] = await waitForMails('the unrelated ticket\'s confirmation', 'confirmation', 1, 'tia@acme.example');
  expect(confirmation!.subject).toContain(unrelated.ticketNumber);

  // A ticket linked to the outage before its confirmation went out gets none: the mail server is
  // away for the moment, so the link is sure to come first.
  await sink.stop();
  clock.set('2026-03-16T14:12:00Z');
  linked = await open(t.ada, 'Grades do not save');
  clock.set('2026-03-16T14:13:00Z');
  expect((await call('POST', `/tickets/${linked.ticketId}/outage-link`, t.agent, { outageId: staffOutage })).status).toBe(200);
  await sink.listen();
  // Another contact's ticket, confirmed first and then linked: it keeps its confirmation.
  clock.set('2026-03-16T14:14:00Z');
  confirmedThenLinked = await open(t.pat, 'Gradebook spinner never stops');
  await waitForMails('the second confirmation', 'confirmation', 1, 'pat@acme.example');
  clock.set('2026-03-16T14:15:00Z');
  expect((await call('POST', `/tickets/${confirmedThenLinked.ticketId}/outage-link`, t.agent, { outageId: staffOutage })).status).toBe(200);

  await sleep(2_500); // past the retry of the confirmation that met the closed server
  expect(mails('confirmation', 'ada@acme.example')).toEqual([]);
  // The unrelated ticket's clock stopped when its confirmation was accepted; the linked one's is held.
  const unrelatedSla = await call('GET', `/tickets/${unrelated.ticketId}`, t.agent);
  expect(unrelatedSla.json.sla.confirmation).toMatchObject({ status: 'met', stoppedAt: '2026-03-16T14:10:00.000Z' });
  const linkedSla = await call('GET', `/tickets/${linked.ticketId}`, t.agent);
  expect(linkedSla.json.sla.confirmation.stoppedAt).toBeNull();
});

test('each linked contact gets exactly one restoration notice, and it counts as the response', async () => {
  const t = tokens();
  clock.set('2026-03-16T15:00:00Z');
  const restored = await call('POST', `/outages/${staffOutage}/restoration`, t.agent, { occurredAt: '2026-03-16T14:55:00Z' });
  expect(restored.status).toBe(200);
  expect(restored.json.events).toContain('OutageEnded');

  const notices = await waitForMails('two restoration notices', 'outage-restored', 2);
  expect(notices.map((m) => m.to).sort()).toEqual(['ada@acme.example', 'pat@acme.example']);
  expect(notices.find((m) => m.to === 'ada@acme.example')!.subject).toContain(linked.ticketNumber);

  // Recorded on each ticket: the notice, accepted at 15:00, is its response (and, for the ticket
  // never confirmed, its confirmation).
  for (const [ticket, linkedAt] of [
    [linked, '2026-03-16T14:13:00Z'],
    [confirmedThenLinked, '2026-03-16T14:15:00Z'],
  ] as const) {
    const sla = await eventually(`${ticket.ticketNumber}'s response clock stopped by the notice`, async () => {
      const res = await call('GET', `/tickets/${ticket.ticketId}`, t.agent);
      return res.json.sla?.response?.stoppedAt === null ? undefined : (res.json.sla as Json);
    });
    expect(sla.response).toMatchObject({ status: 'met', stoppedAt: '2026-03-16T15:00:00.000Z' });
    const history = await call('GET', `/tickets/${ticket.ticketId}/history`, t.agent);
    const sent = (history.json.entries as Json[]).filter((e) => e.type === 'TicketNotificationSent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ actorId: 'system:mailer', occurredAt: '2026-03-16T15:00:00.000Z' });
    // The notice carried when service came back (restoredAt 14:55): the clock stood still from the link until then.
    expect(sla.response.pausedTimeMs).toBe(Date.parse('2026-03-16T14:55:00Z') - Date.parse(linkedAt));
  }
  const linkedSla = await call('GET', `/tickets/${linked.ticketId}`, t.agent);
  expect(linkedSla.json.sla.confirmation).toMatchObject({ status: 'met', stoppedAt: '2026-03-16T15:00:00.000Z' });

  await sleep(800);
  expect(mails('outage-restored')).toHaveLength(2);
  expect(mails('confirmation', 'ada@acme.example')).toEqual([]);
});

test('an engineer acknowledges the alert', async () => {
  const t = tokens();
  clock.set('2026-03-16T15:30:00Z');
  const ack = await call('POST', `/outages/${staffOutage}/acknowledgement`, t.agent);
  expect(ack.status).toBe(200);
  expect(ack.json.events).toEqual(['OutageAlertAcknowledged']);
  // Declared at 14:00 (by staff, at once), acknowledged at 15:30.
  const line = await outageLine(staffOutage, (l) => l.timeToAcknowledgeMs !== null);
  expect(line).toMatchObject({ acknowledgedAt: '2026-03-16T15:30:00.000Z', timeToAcknowledgeMs: 90 * 60_000, endedAt: '2026-03-16T14:55:00.000Z' });
  expect(line.linkedTickets).toEqual([linked.ticketNumber, confirmedThenLinked.ticketNumber].sort());
  // Once: a second acknowledgement changes nothing.
  const again = await call('POST', `/outages/${staffOutage}/acknowledgement`, t.agent);
  expect(again.status).toBe(200);
  expect(again.json.events).toEqual([]);
});
