import { EventStoreDBClient } from '@eventstore/db-client';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { call } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';

/**
 * What EventStoreDB refuses, as the HTTP API answers it: a tombstoned ticket stream is 410
 * `stream_deleted`, and events over the server's maximum append size are 413
 * `append_too_large`, both with a body naming the stream or the limit, never a 500; a server
 * that stops answering is 503 `unavailable` within `ESDB_CALL_DEADLINE`.
 * The store is the wire-level test double with a small maximum append size (8 KiB) and
 * BatchAppend offered, spoken to by the real client over gRPC; the stream is tombstoned through
 * a second raw client. A server too busy to take a write is 503 `unavailable` too.
 */
jest.setTimeout(60_000);

const MAX_APPEND_SIZE = 8 * 1024;
const CALL_DEADLINE_MS = 1_000;

let esdb: EsdbTestServerHandle;
let svc: InProcessService;
let admin: EventStoreDBClient;

beforeAll(async () => {
  // BatchAppend offered, as on every current real server, and used (ESDB_BATCH_APPEND=on): the
  // client then appends only through it.
  esdb = await startEsdbTestServer({ maxAppendSize: MAX_APPEND_SIZE, batchAppend: true });
  admin = EventStoreDBClient.connectionString(esdb.connectionString);
  svc = await startService({ env: { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: esdb.connectionString, ESDB_CALL_DEADLINE: `${CALL_DEADLINE_MS}ms`, ESDB_BATCH_APPEND: 'on' } });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
  await admin.dispose();
  await esdb.stop();
});

test('a command on a tombstoned ticket stream answers 410 stream_deleted naming the stream', async () => {
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body: { channel: 'email', request: { summary: 'Export fails', description: 'Nothing happens' } } });
  expect(opened.status).toBe(201);
  const id = opened.json.ticketId as string;
  await admin.tombstoneStream(`ticket-${id}`);

  const classified = await call(svc.baseUrl, 'POST', `/tickets/${id}/classification`, { token: agent, body: { category: 'personal/how-to' } });
  expect(classified.status).toBe(410);
  expect(classified.json).toEqual({ error: 'stream_deleted', message: expect.stringContaining(`ticket-${id}`) as unknown });
});

test('a command whose events exceed the maximum append size answers 413 append_too_large naming the limit', async () => {
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const description = 'a long description of the problem. '.repeat(400); // ~14 KB: under MAX_BODY_BYTES, over the store's limit
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body: { channel: 'email', request: { summary: 'Huge', description } } });
  expect(opened.status).toBe(413);
  expect(opened.json).toEqual({ error: 'append_too_large', message: expect.stringContaining(`${MAX_APPEND_SIZE} bytes`) as unknown });

  // Nothing half-stored: an ordinary ticket still opens.
  const small = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body: { channel: 'email', request: { summary: 'Small', description: 'Short' } } });
  expect(small.status).toBe(201);
});

test('a command while the server accepts calls and answers none answers 503 unavailable within ESDB_CALL_DEADLINE, and works once it answers again', async () => {
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const body = { channel: 'email', request: { summary: 'Stalled', description: 'The store hangs' } };
  esdb.stall();
  try {
    const started = performance.now();
    const stalled = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body, headers: { 'idempotency-key': 'stalled-open-1' } });
    const ms = performance.now() - started;
    expect(stalled.status).toBe(503);
    expect(stalled.json).toMatchObject({ error: 'unavailable' });
    expect(ms).toBeLessThan(CALL_DEADLINE_MS + 1_500);
  } finally {
    esdb.resume();
  }
  const retried = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body, headers: { 'idempotency-key': 'stalled-open-1' } });
  expect(retried.status).toBe(201);
});

test('a command the server refuses as too busy answers 503 unavailable, and goes through on retry once it takes writes', async () => {
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const body = { channel: 'email', request: { summary: 'Busy', description: 'The store is busy' } };
  esdb.busy(true);
  try {
    const refused = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body, headers: { 'idempotency-key': 'busy-open-1' } });
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ error: 'unavailable' });
  } finally {
    esdb.busy(false);
  }
  const retried = await call(svc.baseUrl, 'POST', '/tickets', { token: ada, body, headers: { 'idempotency-key': 'busy-open-1' } });
  expect(retried.status).toBe(201);
  expect(esdb.calls.append).toBe(0);
  expect(esdb.calls.batchAppend).toBeGreaterThan(0);
});
