import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { call, type Reply } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';
import { IDEMPOTENCY_STORE } from './idempotency';
import { InMemoryIdempotencyStore } from './idempotency.store';

/**
 * Idempotent retries across replicas (issue 21, point 5). Two services on one store, each with
 * its own idempotency cache: a keyed command retried on the other replica, which never saw it,
 * is answered from the log exactly as the first time (same status, byte-identical body, and
 * `Idempotent-Replayed: true`), even after the ticket changed since; the key reused for another
 * body is refused there (422) from the fingerprint stored with the events. Twice: on the
 * EventStoreDB test server with a SQLite file per replica (what N replicas look like), and on one
 * SQLite file with replica B's cache replaced by an empty one (the in-memory store).
 */
jest.setTimeout(90_000);

interface Replicas {
  readonly a: InProcessService;
  readonly b: InProcessService;
  stop(): Promise<void>;
}

const setups: readonly [string, () => Promise<Replicas>][] = [
  [
    'EventStoreDB test server, a SQLite file (and idempotency table) per replica',
    async () => {
      const esdb: EsdbTestServerHandle = await startEsdbTestServer();
      const env = { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: esdb.connectionString };
      const a = await startService({ env });
      const b = await startService({ env, tokenKey: a.tokenKey });
      return {
        a,
        b,
        stop: async () => {
          await Promise.all([a.stop({ removeData: true }), b.stop({ removeData: true })]);
          await esdb.stop();
        },
      };
    },
  ],
  [
    'one SQLite file, replica B with an idempotency cache of its own',
    async () => {
      const a = await startService();
      const b = await startService({ dbFile: a.dbFile, tokenKey: a.tokenKey, providers: [{ provide: IDEMPOTENCY_STORE, useValue: new InMemoryIdempotencyStore() }] });
      return {
        a,
        b,
        stop: async () => {
          await b.stop();
          await a.stop({ removeData: true });
        },
      };
    },
  ],
];

describe.each(setups)('%s', (_name, start) => {
  let replicas: Replicas;
  beforeAll(async () => {
    replicas = await start();
  });
  afterAll(async () => {
    await replicas.stop();
  });

  const post = (svc: InProcessService, path: string, token: string, body: unknown, key?: string): Promise<Reply> =>
    call(svc.baseUrl, 'POST', path, { token, body, ...(key === undefined ? {} : { headers: { 'idempotency-key': key } }) });
  const replayedHeader = (r: Reply): string | null => r.headers.get('idempotent-replayed');

  test('a keyed open retried on the other replica after the ticket changed answers byte for byte as the first time; another body is 422 there', async () => {
    const { a, b } = replicas;
    const ada = a.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
    const agent = a.tokenFor('agent', 'u-agent', 'support');
    const body = { channel: 'email', request: { summary: 'Export fails', description: 'Nothing happens when I click export.' } };

    const first = await post(a, '/tickets', ada, body, 'open-1');
    expect(first.status).toBe(201);
    expect(replayedHeader(first)).toBeNull();
    const id = first.json.ticketId as string;
    // The ticket moves on after the first answer.
    expect((await post(a, `/tickets/${id}/classification`, agent, { category: 'technical/bug', stepsToReproduce: 'Click export', usersAffected: 3 })).status).toBe(200);

    // The key reused for another request, on the replica that never saw the first: from the log.
    const reused = await post(b, '/tickets', ada, { ...body, request: { ...body.request, summary: 'Something else' } }, 'open-1');
    expect({ status: reused.status, body: reused.json }).toEqual({
      status: 422,
      body: { error: 'idempotency_key_reused', message: 'Idempotency-Key open-1 was already used for a different request; use a new key for a new request' },
    });

    const retried = await post(b, '/tickets', ada, body, 'open-1');
    expect(retried.status).toBe(first.status);
    expect(retried.text).toBe(first.text);
    expect(replayedHeader(retried)).toBe('true');
    expect(retried.json.ticket.status).toBe(first.json.ticket.status);
    // Now from B's own cache, and A's: the same again.
    for (const svc of [b, a]) {
      const again = await post(svc, '/tickets', ada, body, 'open-1');
      expect({ status: again.status, text: again.text, replayed: replayedHeader(again) }).toEqual({ status: 201, text: first.text, replayed: 'true' });
    }
    // Nothing was appended by the retries: the ticket is opened once, classified once.
    const history = await call(a.baseUrl, 'GET', `/tickets/${id}/history`, { token: agent });
    const types = (history.json.entries as { type: string }[]).map((e) => e.type);
    expect(types.filter((t) => t === 'TicketOpened')).toHaveLength(1);
    expect(types.filter((t) => t === 'TicketClassified')).toHaveLength(1);
  });

  test('a keyed ticket action (respond) retried on the other replica after later changes answers byte for byte; another body is 422', async () => {
    const { a, b } = replicas;
    const ada = a.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
    const agent = a.tokenFor('agent', 'u-agent', 'support');
    const opened = await post(a, '/tickets', ada, { channel: 'email', request: { summary: 'Slow pages', description: 'Every page takes ten seconds.' } });
    const id = opened.json.ticketId as string;
    expect((await post(a, `/tickets/${id}/classification`, agent, { category: 'personal/how-to' })).status).toBe(200);

    const response = { message: 'Try clearing the cache', actionPlan: 'Wait for the customer' };
    const first = await post(a, `/tickets/${id}/response`, agent, response, 'respond-1');
    expect(first.status).toBe(200);
    expect(first.json.events).toContain('TicketResponded');
    expect((await post(a, `/tickets/${id}/resolution`, agent, { resolution: 'Cache cleared' })).status).toBe(200);

    const reused = await post(b, `/tickets/${id}/response`, agent, { ...response, message: 'Another answer' }, 'respond-1');
    expect(reused.status).toBe(422);
    expect(reused.json.error).toBe('idempotency_key_reused');

    const retried = await post(b, `/tickets/${id}/response`, agent, response, 'respond-1');
    expect(retried.status).toBe(200);
    expect(retried.text).toBe(first.text);
    expect(replayedHeader(retried)).toBe('true');
    // The answer is the ticket as the response left it, not as it is now (resolved).
    expect(retried.json.ticket.status).not.toBe('resolved');
    const now = await call(b.baseUrl, 'GET', `/tickets/${id}`, { token: agent });
    expect(now.json.ticket.status).toBe('resolved');
  });

  test('a keyed monitor report retried on the other replica after later reports answers byte for byte', async () => {
    const { a, b } = replicas;
    const monitor = a.tokenFor('monitor', 'mon-chicago', 'ops');
    const observedAt = new Date(Date.now() - 60_000).toISOString();
    const first = await post(a, '/monitors/chicago/reports', monitor, { status: 'down', observedAt }, 'report-1');
    expect(first.status).toBe(200);
    const later = await post(a, '/monitors/chicago/reports', monitor, { status: 'up', observedAt: new Date(Date.now() - 30_000).toISOString() });
    expect(later.status).toBe(200);
    const retried = await post(b, '/monitors/chicago/reports', monitor, { status: 'down', observedAt }, 'report-1');
    expect({ status: retried.status, text: retried.text, replayed: replayedHeader(retried) }).toEqual({ status: 200, text: first.text, replayed: 'true' });
    expect(retried.json.revision).not.toBe(later.json.revision);
    const reused = await post(b, '/monitors/chicago/reports', monitor, { status: 'up', observedAt }, 'report-1');
    expect(reused.status).toBe(422);
  });
});
