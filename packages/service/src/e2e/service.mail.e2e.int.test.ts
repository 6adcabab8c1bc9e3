import { existsSync } from 'node:fs';
import { mailDatabaseFile } from '../notifications/notification-store';
import { SmtpSink } from '../notifications/notifications.test-support';
import { call, eventually, sleep } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';

/**
 * The service configured with SMTP_URL through its own environment (not process.env) sends
 * the confirmation to a real SMTP server on loopback and records it on the ticket.
 */
jest.setTimeout(60_000);

let sink: SmtpSink;
let svc: InProcessService;
beforeAll(async () => {
  sink = await SmtpSink.start();
  svc = await startService({ env: { SMTP_URL: sink.url, MAIL_FROM: 'desk@school.example' } });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
  await sink.stop();
});

test('opening a ticket e-mails the named contact a confirmation with the ticket number, once', async () => {
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const { json: opened } = await call(svc.baseUrl, 'POST', '/tickets', {
    token: ada,
    body: { channel: 'email', request: { summary: 'Export fails', description: 'Nothing happens' } },
  });
  await eventually('the confirmation e-mail', async () => (sink.messages.length > 0 ? true : undefined), 15_000);
  expect(sink.messages).toHaveLength(1);
  const [mail] = sink.messages;
  expect(mail).toMatchObject({ to: 'ada@acme.example', purpose: 'confirmation' });
  expect(mail!.subject).toContain(opened.ticketNumber);
  expect(mail!.messageId).toContain('@school.example');
  // The mailer records the confirmation on the ticket with that Message-ID.
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  const acknowledged = await eventually('the confirmation recorded on the ticket', async () => {
    const history = await call(svc.baseUrl, 'GET', `/tickets/${opened.ticketId}/history`, { token: agent });
    return (history.json.entries as { type: string; actorId: string }[]).find((e) => e.type === 'TicketAcknowledged');
  });
  expect(acknowledged).toMatchObject({ actorId: 'system:mailer' });
  await sleep(500);
  expect(sink.messages).toHaveLength(1);
  expect((await call(svc.baseUrl, 'GET', '/health')).json.notifications).toEqual({ state: 'sending', lease: { held: true, holder: expect.any(String), expiresAt: expect.any(String) } });
});

test('NOTIFICATIONS=off: the service sends nothing, keeps no mail file, and /health says so', async () => {
  const quiet = await startService({ env: { SMTP_URL: sink.url, NOTIFICATIONS: 'off' } });
  try {
    const before = sink.messages.length;
    const ada = quiet.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
    const opened = await call(quiet.baseUrl, 'POST', '/tickets', { token: ada, body: { channel: 'email', request: { summary: 'Export fails', description: 'Nothing happens' } } });
    expect(opened.status).toBe(201);
    const health = await call(quiet.baseUrl, 'GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json.notifications).toEqual({ state: 'off' });
    expect(existsSync(mailDatabaseFile(quiet.dbFile))).toBe(false);
    await sleep(1_000);
    expect(sink.messages).toHaveLength(before);
  } finally {
    await quiet.stop({ removeData: true });
  }
});
