import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import type { StoredEvent } from '../event-store/event-store.port';
import { STREAM_PREFIXES } from '../event-store/streams';
import { startService, type InProcessService } from '../testing/service-harness';
import { call, eventually, sleep, type Json } from '../testing/http';
import { clientKeyOf } from './support/log-reader';

/**
 * Dependencies down, the store: the service on EventStoreDB (the wire-level test double) keeps
 * taking keyed commands from concurrent clients while the store is stopped and started again.
 * While it is away, commands fail fast and cleanly with 503 and a body that says so, and
 * `/health` names the store as the problem; once it is back, commands work again, the refused
 * ones go through on retry with their keys, and nothing that was acknowledged is lost or doubled.
 */
jest.setTimeout(120_000);

let esdb: EsdbTestServerHandle;
let svc: InProcessService;

beforeAll(async () => {
  esdb = await startEsdbTestServer();
  svc = await startService({ env: { EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: esdb.connectionString } });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
  await esdb.stop();
});

interface Outcome {
  readonly key: string;
  readonly path: string;
  readonly body: unknown;
  readonly token: string;
  readonly status: number;
  readonly json: Json;
  readonly ms: number;
  readonly phase: 'up' | 'down' | 'back';
}

const request = { summary: 'Store outage', description: 'Opened while the store comes and goes.' };
let phase: Outcome['phase'] = 'up';

/** A client that opens a ticket and classifies it, again and again, until told to stop. */
async function client(name: string, stop: { value: boolean }, outcomes: Outcome[]): Promise<void> {
  const requester = svc.tokenFor('teacher', `u-${name}`, 'acme', { email: `${name}@acme.example` });
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  for (let n = 0; !stop.value; n++) {
    const send = async (key: string, path: string, body: unknown, token: string): Promise<Outcome> => {
      const started = performance.now();
      const res = await call(svc.baseUrl, 'POST', path, { token, body, headers: { 'idempotency-key': key } });
      const outcome = { key, path, body, token, status: res.status, json: res.json, ms: performance.now() - started, phase };
      outcomes.push(outcome);
      return outcome;
    };
    const opened = await send(`${name}-${n}-open`, '/tickets', { channel: 'chat', request }, requester);
    if (opened.status === 201) {
      await send(`${name}-${n}-classify`, `/tickets/${opened.json.ticketId as string}/classification`, { category: 'personal/how-to' }, agent);
    } else {
      await sleep(20);
    }
  }
}

const health = () => call(svc.baseUrl, 'GET', '/health');

test('commands get a clean 503 while EventStoreDB is away, /health says so, and nothing acknowledged is lost', async () => {
  const outcomes: Outcome[] = [];
  const stop = { value: false };
  const clients = ['a', 'b', 'c'].map((name) => client(name, stop, outcomes));

  await eventually('some commands acknowledged', async () => (outcomes.filter((o) => o.status === 201).length >= 6 ? true : undefined));
  phase = 'down';
  await esdb.stop();

  // While it is down: every client gets 503s, fast, with a body naming the problem.
  await eventually('every client refused', async () => (['a', 'b', 'c'].every((c) => outcomes.some((o) => o.phase === 'down' && o.status === 503 && o.key.startsWith(`${c}-`))) ? true : undefined), 20_000);
  const down = await health();
  expect(down.status).toBe(503);
  expect(down.json).toMatchObject({ status: 'degraded', store: { kind: 'esdb', reachable: false, error: expect.any(String) } });
  const ticketRead = await call(svc.baseUrl, 'GET', `/tickets/${outcomes.find((o) => o.status === 201)!.json.ticketId as string}`, { token: svc.tokenFor('agent', 'u-agent', 'support') });
  expect(ticketRead.status).toBe(503);
  await sleep(300);

  phase = 'back';
  await esdb.restart();
  await eventually('commands work again', async () => (outcomes.some((o) => o.phase === 'back' && o.status === 201) ? true : undefined), 20_000);
  await eventually('health is ok again', async () => ((await health()).status === 200 ? true : undefined), 20_000);
  stop.value = true;
  await Promise.all(clients);

  // Nothing but success or a clean 503, and the 503s were quick (no request hung on the store).
  expect(outcomes.filter((o) => o.status !== 200 && o.status !== 201 && o.status !== 503)).toEqual([]);
  const refused = outcomes.filter((o) => o.status === 503);
  expect(refused.length).toBeGreaterThan(0);
  for (const o of refused) expect(o.json).toEqual({ error: 'unavailable', message: expect.stringMatching(/event store is unavailable/) });
  const slowest503 = Math.max(...refused.map((o) => o.ms));

  // Refused commands go through when retried with their keys (a refused classification's ticket
  // was acknowledged, so it exists).
  for (const o of refused) {
    const again = await call(svc.baseUrl, 'POST', o.path, { token: o.token, body: o.body, headers: { 'idempotency-key': o.key } });
    expect({ key: o.key, status: again.status }).toEqual({ key: o.key, status: o.path === '/tickets' ? 201 : 200 });
  }

  // Every acknowledged command is in EventStoreDB exactly once.
  const reader = createEsdbEventStore(esdb.connectionString);
  const events: StoredEvent[] = [];
  try {
    for (let page = await reader.readAll({ maxCount: 1000 }); page.length > 0; page = await reader.readAll({ after: page[page.length - 1]!.position, maxCount: 1000 })) {
      events.push(...page);
    }
  } finally {
    await reader.close();
  }
  const byKey = new Map<string, string[]>();
  // The service's streams only: a number's claim carries its open's key too (for tracing).
  for (const e of events.filter((e) => STREAM_PREFIXES.some((p) => e.streamId.startsWith(p)))) {
    const key = clientKeyOf(e.metadata);
    if (typeof key === 'string') byKey.set(key, [...(byKey.get(key) ?? []), e.type]);
  }
  const acknowledged = outcomes.filter((o) => o.status === 200 || o.status === 201);
  expect(acknowledged.length).toBeGreaterThan(refused.length / 10);
  for (const o of acknowledged) expect({ key: o.key, types: byKey.get(o.key) }).toEqual({ key: o.key, types: o.json.events });
  const opens = events.filter((e) => e.type === 'TicketOpened');
  expect(new Set(opens.map((e) => e.streamId)).size).toBe(opens.length);
  expect(new Set(opens.map((e) => (e.data as Json).ticketNumber)).size).toBe(opens.length);

  // The projections resubscribed and caught up with everything, including what came after.
  await eventually('projections caught up', async () => {
    const h = await health();
    const projections = h.json.projections as { lag: string }[];
    return h.status === 200 && projections.every((p) => p.lag === '0') ? true : undefined;
  });
  const queue = await call(svc.baseUrl, 'GET', '/queue?limit=1000', { token: svc.tokenFor('auditor', 'u-aud', 'audit') });
  const queued = new Set((queue.json.entries as Json[]).map((e) => e.ticketId as string));
  for (const e of opens) expect(queued.has((e.data as Json).ticketId as string)).toBe(true);

  process.stdout.write(
    `store down: ${acknowledged.length} commands acknowledged, ${refused.length} refused with 503 (slowest ${slowest503.toFixed(0)} ms), all refused ones accepted on retry\n`,
  );
});
