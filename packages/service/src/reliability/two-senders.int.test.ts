import { SmtpSink, type ReceivedMail } from '../notifications/notifications.test-support';
import { startServiceProcess, type ServiceProcess } from '../testing/service-harness';
import { call, eventually, sleep } from '../testing/http';
import { NOTIFICATIONS_LEASE_STREAM } from '../deployment/store-lease';
import { LogReader } from './support/log-reader';

/**
 * Two service processes on one SQLite file share its mail file, and only one of them may send:
 * each would otherwise read the same outbox rows and send them both (before there was a single
 * sender, 152 of 300 confirmations went out twice this way). The one that sends holds the lease
 * in the event store (`src/deployment/store-lease.ts`), the same lease replicas on EventStoreDB
 * use. Against a real SMTP server on loopback: the first process takes the lease and sends, the
 * second stands by, as `/health` says of each; every confirmation arrives exactly once, whichever
 * process took the open; and when the holder is killed (SIGKILL, so it never releases the lease),
 * the other takes over once the lease expired, within the documented 15 s (ttl 10 s + one look
 * every 2 s + the catch-up), and sends the rest, still once each. Needs `tsc -b packages/service`
 * (dist/main.js).
 */
jest.setTimeout(120_000);

let smtp: SmtpSink;
let a: ServiceProcess;
let b: ServiceProcess;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  a = await startServiceProcess({ env: { SMTP_URL: smtp.url } });
  b = await startServiceProcess({ dbFile: a.dbFile, tokenKey: a.tokenKey, env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
  a.removeData();
  await smtp.stop();
});

const request = { summary: 'Two senders', description: 'Opened on either of two processes.' };

interface MailHealth {
  readonly state?: unknown;
  readonly lease?: { readonly held: boolean; readonly holder: string | null; readonly expiresAt: string | null };
}

/** The e-mail part of what /health reports for a process. */
const mailHealth = async (svc: ServiceProcess): Promise<MailHealth> => {
  const health = await call(svc.baseUrl, 'GET', '/health');
  expect(health.status).toBe(200);
  return (health.json.notifications as MailHealth | undefined) ?? {};
};

/** The e-mail state /health reports for a process. */
const mailState = async (svc: ServiceProcess): Promise<unknown> => (await mailHealth(svc)).state;

/** Opens tickets `from`..`to - 1`, each on the process `via` picks; returns their numbers. */
async function openTickets(from: number, to: number, via: (i: number) => ServiceProcess): Promise<string[]> {
  const replies = await Promise.all(
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      const token = a.tokenFor('teacher', `u-${i}`, 'acme', { email: `teacher${i}@acme.example` });
      return call(via(i).baseUrl, 'POST', '/tickets', { token, body: { channel: 'email', request } });
    }),
  );
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
  return replies.map((r) => r.json.ticketNumber as string);
}

/** The confirmations received, after waiting for `count` of them and then a while longer for any duplicate. */
async function confirmations(count: number): Promise<ReceivedMail[]> {
  await eventually(`${count} confirmations`, async () => (smtp.messages.filter((m) => m.purpose === 'confirmation').length >= count ? true : undefined), 30_000);
  await sleep(1_500);
  return smtp.messages.filter((m) => m.purpose === 'confirmation');
}

const ticketOf = (mail: ReceivedMail): string => /\[(SS-\d{6})\]/.exec(mail.subject)?.[1] ?? mail.subject;

test('the first process sends and the second stands by: every confirmation arrives once, whichever process took the open', async () => {
  await eventually('the first process to send', async () => ((await mailState(a)) === 'sending' ? true : undefined));
  expect(await mailState(b)).toBe('standby');
  // Each says whether it holds the lease, and both name the same holder.
  const [ofA, ofB] = await Promise.all([mailHealth(a), mailHealth(b)]);
  expect(ofA.lease).toMatchObject({ held: true, holder: expect.stringMatching(/^.+:\d+:[0-9a-f]{8}$/) });
  expect(ofB.lease).toMatchObject({ held: false, holder: ofA.lease?.holder });
  expect(Date.parse(ofA.lease?.expiresAt ?? '')).toBeGreaterThan(Date.now());

  const numbers = await openTickets(0, 30, (i) => (i % 2 === 0 ? a : b));
  const received = await confirmations(numbers.length);
  expect(received).toHaveLength(numbers.length);
  expect(new Set(received.map((m) => m.messageId)).size).toBe(numbers.length);
  expect(received.map(ticketOf).sort()).toEqual([...numbers].sort());
  // Still the same roles.
  expect(await mailState(a)).toBe('sending');
  expect(await mailState(b)).toBe('standby');
});

test('the sending process is killed: the other takes over within 15 s and sends the confirmations left, each once', async () => {
  const before = smtp.messages.filter((m) => m.purpose === 'confirmation').length;
  const killedAt = Date.now();
  await a.kill();
  // Opened on the standby process while nobody sends: they wait in the log until it takes over.
  const numbers = await openTickets(100, 120, () => b);
  await eventually('the second process to take over', async () => ((await mailState(b)) === 'sending' ? true : undefined), 20_000, 100);
  const takeOverMs = Date.now() - killedAt;
  console.log(`two senders: the standby process took over ${takeOverMs} ms after the holder was killed (SIGKILL)`);
  expect(takeOverMs).toBeLessThanOrEqual(15_000);
  expect((await mailHealth(b)).lease).toMatchObject({ held: true });
  // The log lines reach the pipe on their own schedule.
  await eventually('the second process to log that it takes over', async () => (b.output.some((line) => line.includes('notifications taking over')) ? true : undefined));
  const started = await eventually('the second process to log when it started sending', async () => b.output.find((line) => line.includes('notifications started sending') && line.includes('waitedMs')));
  console.log(`two senders: after taking the lease it waited ${/"waitedMs":(\d+)/.exec(started)?.[1] ?? '?'} ms for its mail file to catch up`);

  const received = await confirmations(before + numbers.length);
  expect(received).toHaveLength(before + numbers.length);
  expect(new Set(received.map((m) => m.messageId)).size).toBe(received.length);
  expect(received.slice(before).map(ticketOf).sort()).toEqual([...numbers].sort());
});

test('a graceful stop releases the lease: its last event is LeaseReleased by that process, so a standby takes over at its next look', async () => {
  const holder = (await mailHealth(b)).lease?.holder;
  expect(holder).toEqual(expect.any(String));
  await b.stop();
  const log = new LogReader(b.dbFile);
  try {
    const lease = log.all().filter((e) => e.streamId === NOTIFICATIONS_LEASE_STREAM);
    expect(lease.at(-1)).toMatchObject({ type: 'LeaseReleased', data: { holder } });
    // Every holder change went through the stream: a's acquisition, b's after a was killed.
    expect(lease.filter((e) => e.type === 'LeaseAcquired').map((e) => (e.data as { holder: string }).holder)).toEqual([expect.any(String), holder]);
  } finally {
    log.close();
  }
});
