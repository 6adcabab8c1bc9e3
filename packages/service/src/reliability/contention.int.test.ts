import { verifyChain } from '../hash-chain';
import { startServiceProcess, type ServiceProcess } from '../testing/service-harness';
import { call, type Json, type Reply } from '../testing/http';
import { LogReader, type LoggedEvent } from './support/log-reader';

/**
 * Contention: two service processes on one SQLite file (as two replicas of the embedded store
 * would be), taking many concurrent commands against one ticket and many concurrent opens.
 * No update is lost, no ticket number is handed out twice, and every loser of a race gets a
 * retry (inside the service) or a 409, never a 5xx. Needs `tsc -b packages/service` (dist/main.js).
 */
jest.setTimeout(120_000);

let a: ServiceProcess;
let b: ServiceProcess;
let log: LogReader;

beforeAll(async () => {
  a = await startServiceProcess({ env: { LOG_LEVEL: 'info' } });
  // The second process shares the file and the key. It gives up at the first conflict, so both
  // outcomes of a lost race are exercised: a retry inside the service (process a, 5 attempts)
  // and a 409 to the client (process b).
  b = await startServiceProcess({ dbFile: a.dbFile, tokenKey: a.tokenKey, env: { COMMAND_MAX_ATTEMPTS: '1' } });
  log = new LogReader(a.dbFile);
});
afterAll(async () => {
  log.close();
  await Promise.all([a.stop(), b.stop()]);
  a.removeData();
});

const request = { summary: 'Contention', description: 'Many hands on one ticket.' };
const requester = (i: number): string => a.tokenFor('teacher', `u-${i}`, 'acme', { email: `u-${i}@acme.example` });
const agent = (): string => a.tokenFor('agent', 'u-agent', 'support');
const via = (i: number): string => (i % 2 === 0 ? a.baseUrl : b.baseUrl);

const toVerifiable = (e: LoggedEvent) => ({ streamId: e.streamId, revision: BigInt(e.revision), type: e.type, data: e.data, metadata: e.metadata as never });

const conflictsCounted = async (baseUrl: string): Promise<number> => {
  const text = (await call(baseUrl, 'GET', '/metrics')).text;
  return text
    .split('\n')
    .filter((line) => line.startsWith('support_sla_append_conflicts_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
};

test('many concurrent commands on one ticket: every 200 is in the log exactly once, losers get 409, never a 5xx', async () => {
  const opened = await call(a.baseUrl, 'POST', '/tickets', { token: requester(0), body: { channel: 'email', request } });
  expect(opened.status).toBe(201);
  const id = opened.json.ticketId as string;
  const stream = `ticket-${id}`;

  // Each command changes the ticket (a new reproduction step), so each success must append.
  const N = 80;
  const replies: { i: number; res: Reply }[] = await Promise.all(
    Array.from({ length: N }, async (_, i) => ({
      i,
      res: await call(via(i), 'POST', `/tickets/${id}/classification`, {
        token: agent(),
        body: { category: 'personal/configuration', stepsToReproduce: `step ${i}`, ...(i % 3 === 0 ? { reason: `round ${i}` } : {}) },
        headers: { 'x-request-id': `contention-${i}` },
      }),
    })),
  );

  const statuses = replies.map((r) => r.res.status);
  expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
  for (const r of replies.filter((x) => x.res.status === 409)) expect(r.res.json).toMatchObject({ error: 'conflict', message: expect.stringContaining('retry') });

  const events = log.all().filter((e) => e.streamId === stream);
  const classified = events.filter((e) => e.type === 'TicketClassified');
  const winners = replies.filter((r) => r.res.status === 200).map((r) => `step ${r.i}`).sort();
  // No lost update: each acknowledged command is in the stream exactly once, and nothing else is.
  expect(classified.map((e) => e.data.stepsToReproduce as string).sort()).toEqual(winners);
  expect(new Set(classified.map((e) => e.metadata.causationId)).size).toBe(classified.length);
  // The stream has no gap and its hash chain links every event to the one before.
  expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
  expect(verifyChain(events.map(toVerifiable))).toMatchObject({ ok: true });
  // Each winner's answer carries the revision it wrote, and no two winners wrote the same one.
  const revisions = replies.filter((r) => r.res.status === 200).map((r) => r.res.json.revision as string);
  expect(new Set(revisions).size).toBe(revisions.length);

  // The races were real: both processes counted conflicts, and some were retried to success.
  const conflicts = (await conflictsCounted(a.baseUrl)) + (await conflictsCounted(b.baseUrl));
  process.stdout.write(`contention: ${N} commands on one ticket: ${winners.length} × 200, ${statuses.length - winners.length} × 409, ${conflicts} version conflicts seen by the store\n`);
  expect(conflicts).toBeGreaterThan(0);
  expect(statuses).toContain(409);
  expect(winners.length).toBeGreaterThan(N / 4);

  // The read side agrees with the log once it caught up.
  const ticket = await call(a.baseUrl, 'GET', `/tickets/${id}`, { token: agent() });
  expect(ticket.status).toBe(200);
  const last = classified[classified.length - 1]!;
  expect(ticket.json.ticket.request.stepsToReproduce).toBe(last.data.stepsToReproduce);
});

test('concurrent opens on two processes: every ticket gets its own number, none is handed out twice', async () => {
  const N = 60;
  const replies = await Promise.all(
    Array.from({ length: N }, (_, i) => call(via(i), 'POST', '/tickets', { token: requester(100 + i), body: { channel: 'chat', request } })),
  );
  expect(replies.map((r) => r.status)).toEqual(replies.map(() => 201));
  const numbers = replies.map((r) => r.json.ticketNumber as string);
  expect(numbers.every((n) => /^SS-\d{6}$/.test(n))).toBe(true);
  expect(new Set(numbers).size).toBe(N);

  // The log agrees: one TicketOpened per ticket, and across the whole log no number twice.
  const opened = log.all().filter((e) => e.type === 'TicketOpened');
  const byNumber = new Map<string, string[]>();
  for (const e of opened) byNumber.set(e.data.ticketNumber as string, [...(byNumber.get(e.data.ticketNumber as string) ?? []), e.streamId]);
  expect([...byNumber].filter(([, streams]) => streams.length > 1)).toEqual([]);
  for (const r of replies) expect(byNumber.get(r.json.ticketNumber as string)).toEqual([`ticket-${r.json.ticketId as string}`]);
});

test('the same keyed open sent concurrently to both processes creates one ticket, and every answer is the same, byte for byte', async () => {
  const token = requester(999);
  const replies = await Promise.all(
    Array.from({ length: 16 }, (_, i) => call(via(i), 'POST', '/tickets', { token, body: { channel: 'email', request }, headers: { 'idempotency-key': 'same-open-1' } })),
  );
  // Each attempt either succeeds with the one ticket, or lost the race and may be retried (409).
  expect(replies.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
  const succeeded = replies.filter((r) => r.status === 201);
  expect(succeeded.length).toBeGreaterThan(0);
  expect(new Set(succeeded.map((r) => `${r.json.ticketId as string} ${r.json.ticketNumber as string}`)).size).toBe(1);
  // Not just the same ticket: the same answer, byte for byte, whether it appended, found the
  // events in the log (Idempotent-Replayed) or came from the process's cache.
  expect(new Set(succeeded.map((r) => r.text)).size).toBe(1);
  expect(succeeded.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
  const id = succeeded[0]!.json.ticketId as string;
  expect(log.all().filter((e) => e.streamId === `ticket-${id}` && e.type === 'TicketOpened')).toHaveLength(1);

  // A later retry with the key, on either process, answers the same and appends nothing.
  const head = log.head();
  for (const baseUrl of [a.baseUrl, b.baseUrl]) {
    const again = await call(baseUrl, 'POST', '/tickets', { token, body: { channel: 'email', request }, headers: { 'idempotency-key': 'same-open-1' } });
    expect(again.status).toBe(201);
    expect((again.json as Json).ticketNumber).toBe(succeeded[0]!.json.ticketNumber);
    expect(again.text).toBe(succeeded[0]!.text);
  }
  // (The e-mail thread records the confirmation it sent whenever it gets there: that is its own event.)
  expect(log.after(head).filter((e) => e.streamId === `ticket-${id}` && e.metadata.actorId !== 'system:mailer')).toEqual([]);
});
