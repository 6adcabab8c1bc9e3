import { SmtpSink } from '../notifications/notifications.test-support';
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
  const res = await fetch(`${svc.baseUrl}/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ada}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'email', request: { summary: 'Export fails', description: 'Nothing happens' } }),
  });
  const opened = (await res.json()) as { ticketNumber: string; ticketId: string };
  const deadline = Date.now() + 15_000;
  while (sink.messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(sink.messages).toHaveLength(1);
  const [mail] = sink.messages;
  expect(mail).toMatchObject({ to: 'ada@acme.example', purpose: 'confirmation' });
  expect(mail!.subject).toContain(opened.ticketNumber);
  expect(mail!.messageId).toContain('@school.example');
  // The mailer records the confirmation on the ticket with that Message-ID.
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  let acknowledged: { type: string; actorId: string } | undefined;
  while (acknowledged === undefined && Date.now() < deadline) {
    const history = (await (await fetch(`${svc.baseUrl}/tickets/${opened.ticketId}/history`, { headers: { authorization: `Bearer ${agent}` } })).json()) as {
      entries: { type: string; actorId: string }[];
    };
    acknowledged = history.entries.find((e) => e.type === 'TicketAcknowledged');
    if (acknowledged === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  expect(acknowledged).toMatchObject({ actorId: 'system:mailer' });
  await new Promise((r) => setTimeout(r, 500));
  expect(sink.messages).toHaveLength(1);
});
