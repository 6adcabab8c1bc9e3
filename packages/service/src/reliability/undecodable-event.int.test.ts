import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import type { StoredEvent } from '../event-store/event-store.port';
import { sealEvents, type UnsealedEvent } from '../hash-chain';
import { startService, type InProcessService } from '../testing/service-harness';
import { call, eventually, type Json, type Reply } from '../testing/http';

/**
 * An event the codecs refuse, found in the log anyway (issue 20, point 1): written here straight
 * into the SQLite store, as an old codec, a restore or a hand edit would leave it. The service
 * keeps answering: `/health` names the stream, revision and field; the queries that depend on
 * the stopped read models, and reads of the broken stream, answer 503 with that reason (never
 * 500); everything else works. RELIABILITY.md says how an operator repairs it (an upcaster).
 */
jest.setTimeout(60_000);

let svc: InProcessService;
const tokens = { ada: '', agent: '', auditor: '' };
let goodTicket = '';
const BAD_TICKET = `T-${randomUUID().replace(/-/g, '')}`;

const request = { summary: 'Grades do not export', description: 'The export button does nothing.' };

/** Appends one event to a stream exactly as the executor would, but with no codec check. */
async function writeDirectly(store: SqliteEventStore, streamId: string, type: string, data: unknown): Promise<void> {
  const last = (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0] as StoredEvent | undefined;
  const now = new Date().toISOString();
  const event: UnsealedEvent = {
    id: randomUUID(),
    type,
    data,
    metadata: { correlationId: 'hand-edit', causationId: 'hand-edit', actorId: 'u-agent', actorRole: 'agent', occurredAt: now, recordedAt: now, schemaVersion: 1, organization: 'acme' },
  };
  const sealed = sealEvents(streamId, last === undefined ? 0n : last.revision + 1n, last?.metadata.hash ?? '', [event]);
  await store.appendToStream(streamId, sealed, last === undefined ? 'no-stream' : last.revision);
}

beforeAll(async () => {
  svc = await startService();
  tokens.ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  tokens.agent = svc.tokenFor('agent', 'u-agent', 'support');
  tokens.auditor = svc.tokenFor('auditor', 'u-aud', 'audit');
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: tokens.ada, body: { channel: 'email', request } });
  goodTicket = opened.json.ticketId as string;
  await svc.stop();

  // The operator's hand edit: a copy of that TicketOpened for another ticket, with an e-mail
  // address the domain's Email codec refuses (what a token with `ada@localhost` used to store).
  const store = SqliteEventStore.open(svc.dbFile);
  try {
    const [good] = await store.readStream(`ticket-${goodTicket}`);
    const data = good!.data as Json;
    await writeDirectly(store, `ticket-${BAD_TICKET}`, 'TicketOpened', {
      ...data,
      ticketId: BAD_TICKET,
      ticketNumber: 'SS-999999',
      namedUser: { ...(data.namedUser as Json), email: 'ada@localhost' },
    });
  } finally {
    await store.close();
  }
  svc = await startService({ dbFile: svc.dbFile, tokenKey: svc.tokenKey });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
});

const get = async (path: string, token: string = tokens.agent): Promise<Reply> => {
  const res = await call(svc.baseUrl, 'GET', path, { token });
  expect({ path, status: res.status }).not.toEqual({ path, status: 500 });
  return res;
};

test('/health answers 503 naming the stream, revision and field, and not the value', async () => {
  const health = await eventually('the read models to stop at the event', async () => {
    const res = await call(svc.baseUrl, 'GET', '/health');
    return res.status === 503 ? res : undefined;
  });
  const failed = (health.json.projections as Json[]).find((p) => p.status === 'failed');
  expect(failed).toMatchObject({
    undecodable: { stream: `ticket-${BAD_TICKET}`, revision: '0', type: 'TicketOpened', fields: ['data.namedUser.email'] },
    error: expect.stringContaining(`ticket-${BAD_TICKET}@0`),
  });
  expect(failed!.error).toContain('data.namedUser.email');
  expect(health.text).not.toContain('ada@localhost');
  expect(health.json.store).toMatchObject({ reachable: true });
});

test.each(['/queue', '/sla', '/reports/compliance?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z'])(
  '%s (from the read models) answers 503 with that reason, never 500',
  async (path) => {
    const res = await get(path);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: 'unavailable', message: expect.stringContaining(`ticket-${BAD_TICKET}@0`) });
    expect(res.json.message).toContain('data.namedUser.email');
    expect(res.text).not.toContain('ada@localhost');
  },
);

test('the broken ticket answers 503 naming where; other tickets\' streams, opens and the outage board work', async () => {
  for (const path of [`/tickets/${BAD_TICKET}`, `/tickets/${BAD_TICKET}/history`, `/tickets/${BAD_TICKET}/sla`]) {
    const res = await get(path);
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ error: 'undecodable_event', message: expect.stringContaining('data.namedUser.email') });
  }
  const command = await call(svc.baseUrl, 'POST', `/tickets/${BAD_TICKET}/classification`, { token: tokens.agent, body: { category: 'personal/how-to' } });
  expect(command.status).toBe(503);
  // Another ticket's own stream reads as usual; where its answer uses the read models too (its SLA
  // clocks), it is a 503 with the same reason.
  expect((await get(`/tickets/${goodTicket}/history`)).status).toBe(200);
  const good = await get(`/tickets/${goodTicket}`);
  if (good.status !== 200) expect([good.status, good.json.message]).toEqual([503, expect.stringContaining(`ticket-${BAD_TICKET}@0`)]);
  expect((await get('/outages')).status).toBe(200);
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: tokens.ada, body: { channel: 'email', request } });
  expect(opened.status).toBe(201);
  expect((await get(`/tickets/${opened.json.ticketId as string}/history`, tokens.ada)).status).toBe(200);
});

test('a broken outage board answers 503 on GET /outages instead of 500', async () => {
  await svc.stop();
  const store = SqliteEventStore.open(svc.dbFile);
  try {
    // What a monitor report observed at 1901-01-01T00:00:00+23:59 used to store (issue 20).
    await writeDirectly(store, 'outage-board', 'MonitorReportedStatus', {
      at: new Date().toISOString(),
      by: { id: 'mon-chicago', role: 'monitor' },
      monitor: 'chicago',
      status: 'down',
      observedAt: '1900-12-31T00:01:00.000Z',
    });
  } finally {
    await store.close();
  }
  svc = await startService({ dbFile: svc.dbFile, tokenKey: svc.tokenKey });
  const res = await get('/outages');
  expect(res.status).toBe(503);
  expect(res.json).toMatchObject({ error: 'undecodable_event', message: expect.stringContaining('outage-board@0') });
  expect(res.json.message).toContain('data.observedAt');
});
