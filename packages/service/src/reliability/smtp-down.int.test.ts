import { SmtpSink } from '../notifications/notifications.test-support';
import { startServiceProcess, type ServiceProcess } from '../testing/service-harness';
import { call, eventually, sleep, type Json } from '../testing/http';
import { LogReader } from './support/log-reader';

/**
 * Dependencies down, the mail server: the whole service as a child process (its real e-mail
 * wiring, SMTP_URL)
 * keeps taking commands while a real SMTP server on loopback is stopped, is itself restarted
 * in the middle of the mail outage, and then sees the SMTP server come back. Every e-mail the
 * commands called for arrives exactly once, and each is recorded on its ticket once.
 * Needs `tsc -b packages/service` (dist/main.js).
 */
jest.setTimeout(120_000);

let smtp: SmtpSink;
let svc: ServiceProcess;
/** The first process: it created the temporary directory. */
let original: ServiceProcess;
let log: LogReader;

// A child process: the e-mail wiring reads SMTP_URL from the process environment.
const start = async (previous?: ServiceProcess): Promise<void> => {
  svc = await startServiceProcess({
    ...(previous === undefined ? {} : { dbFile: previous.dbFile, tokenKey: previous.tokenKey }),
    env: { SMTP_URL: smtp.url, MAIL_FROM: 'Help Desk <help@support.example>' },
  });
  // The compiled service sends its e-mail from its notifications worker thread (whose log lines
  // reach the pipe on their own schedule).
  await eventually('the notifications worker to log its start', async () =>
    svc.output.some((line) => line.includes('"thread":"notifications"') && line.includes('"msg":"notifications started"')) ? true : undefined,
  );
};

beforeAll(async () => {
  smtp = await SmtpSink.start();
  await start();
  original = svc;
  log = new LogReader(svc.dbFile);
});
afterAll(async () => {
  log.close();
  await svc.stop();
  original.removeData();
  await smtp.stop();
});

const requester = (i: number): string => svc.tokenFor('teacher', `u-${i}`, 'acme', { email: `teacher${i}@acme.example`, name: `Teacher ${i}` });
const agent = (): string => svc.tokenFor('agent', 'u-agent', 'support');
const request = { summary: 'Mail outage', description: 'Opened while the mail server comes and goes.' };

async function open(i: number): Promise<{ id: string; number: string }> {
  const res = await call(svc.baseUrl, 'POST', '/tickets', { token: requester(i), body: { channel: 'email', request }, headers: { 'idempotency-key': `smtp-open-${i}` } });
  expect(res.status).toBe(201);
  return { id: res.json.ticketId as string, number: res.json.ticketNumber as string };
}

const byPurpose = (purpose: string) => smtp.messages.filter((m) => m.purpose === purpose);

test('the SMTP server stops and comes back (with a service restart in between): every e-mail arrives exactly once', async () => {
  // While the mail server is up: three tickets, three confirmations.
  const first = [await open(1), await open(2), await open(3)];
  await smtp.waitFor(3, 20_000);
  const a = first[0]!;
  for (const [path, body] of [
    ['classification', { category: 'personal/how-to' }],
    ['response', { message: 'Here is how', definedAs: 'support-item' }],
    ['resolution', { resolution: 'Explained the steps' }],
  ] as const) {
    expect((await call(svc.baseUrl, 'POST', `/tickets/${a.id}/${path}`, { token: agent(), body })).status).toBe(200);
  }

  // The mail server goes away. Commands keep working: six more tickets, and one closure whose
  // resolution e-mail is now due.
  await smtp.stop();
  const during: { id: string; number: string }[] = [];
  for (let i = 10; i < 13; i++) during.push(await open(i));
  expect((await call(svc.baseUrl, 'POST', `/tickets/${a.id}/closure`, { token: agent(), body: { resolutionDetails: 'Explained in full' } })).status).toBe(200);
  // Let the sender fail at least once, then restart the service with the e-mails still pending.
  await sleep(1_500);
  expect(smtp.messages).toHaveLength(3);
  const previous = svc;
  await svc.stop();
  await start(previous);
  log.close();
  log = new LogReader(svc.dbFile);
  for (let i = 13; i < 16; i++) during.push(await open(i));
  await sleep(500);

  // The mail server comes back on the same port: what was due goes out, once.
  await smtp.listen();
  const expected = first.length + during.length + 1;
  await smtp.waitFor(expected, 60_000);
  await sleep(2_000); // any duplicate would have been sent by now
  const ids = smtp.messages.map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(smtp.messages).toHaveLength(expected);

  const confirmations = byPurpose('confirmation');
  for (const t of [...first, ...during]) {
    expect({ ticket: t.number, confirmations: confirmations.filter((m) => m.subject.includes(t.number)).length }).toEqual({ ticket: t.number, confirmations: 1 });
  }
  const resolutions = byPurpose('resolution');
  expect(resolutions).toHaveLength(1);
  expect(resolutions[0]!.subject).toContain(a.number);
  expect(resolutions[0]!.text).toContain('Explained in full');

  // Each confirmation was recorded on its ticket exactly once, with the Message-ID that went out.
  await eventually('every confirmation recorded', async () => {
    const acks = log.all().filter((e) => e.type === 'TicketAcknowledged');
    return acks.length >= first.length + during.length ? acks : undefined;
  }, 20_000);
  const acks = log.all().filter((e) => e.type === 'TicketAcknowledged');
  expect(acks).toHaveLength(first.length + during.length);
  const sentIds = new Set(confirmations.map((m) => m.messageId.replace(/^<|>$/g, '')));
  for (const ack of acks) {
    expect(ack.data as Json).toMatchObject({ automatic: true });
    expect(sentIds.has(String((ack.data as Json).messageId).replace(/^<|>$/g, ''))).toBe(true);
  }
  // The resolution e-mail is recorded on its ticket once too, with its Message-ID.
  const recorded = await eventually('the resolution e-mail recorded', async () => {
    const events = log.all().filter((e) => e.type === 'TicketNotificationSent');
    return events.length > 0 ? events : undefined;
  }, 20_000);
  expect(recorded.map((e) => ({ stream: e.streamId, purpose: (e.data as Json).purpose, messageId: String((e.data as Json).messageId).replace(/^<|>$/g, '') }))).toEqual([
    { stream: `ticket-${a.id}`, purpose: 'resolution', messageId: resolutions[0]!.messageId.replace(/^<|>$/g, '') },
  ]);
  process.stdout.write(`smtp down: ${smtp.messages.length} e-mails, each once, ${during.length} tickets opened and 1 closed while the mail server was away\n`);
});
