import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { MONITORS, ROLES } from '@support-sla/domain';
import { toDomainEvent } from '../application/event-mapping';
import type { StoredEvent } from '../event-store/event-store.port';
import { STREAM_PREFIXES } from '../event-store/streams';
import { IDEMPOTENCY_KEY_PATTERN } from '../idempotency/idempotency';
import { isJsonMediaType } from '../platform/body-parsing';
import { startService, type InProcessService } from '../testing/service-harness';
import { call, type Json, type Reply } from '../testing/http';
import { LogReader, type LoggedEvent } from './support/log-reader';

/**
 * Bad input: property-based fuzzing of every endpoint's body, path and query, of the
 * `Content-Type` and `Idempotency-Key` headers, and of the bearer token and its claims. Whatever
 * arrives, the service answers below 500, every 4xx body names the problem (`error` always;
 * `issues[].field` on a validation 400), a refused request changes nothing in the store, and
 * every event an accepted request stored reads back through the domain's codecs. Bodies over
 * MAX_BODY_BYTES are refused with 413 before they are parsed.
 *
 * Budget: about 550 requests in all, a few seconds on one core.
 */
jest.setTimeout(120_000);

let svc: InProcessService;
let log: LogReader;
const fixture = { ticketId: '', ticketNumber: '', outageId: '' };
const tokens = {
  ada: '',
  agent: '',
  admin: '',
  /** Atlanta's monitor (each monitor token reports for its own location only). */
  monitor: '',
  chicago: '',
  california: '',
  auditor: '',
};
let policy: Json = {};

const request = { summary: 'Fuzzed', description: 'A ticket the fuzzer works on.' };

beforeAll(async () => {
  svc = await startService();
  log = new LogReader(svc.dbFile);
  tokens.ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' });
  tokens.agent = svc.tokenFor('agent', 'u-agent', 'support');
  tokens.admin = svc.tokenFor('admin', 'u-admin', 'support');
  tokens.monitor = svc.tokenFor('monitor', 'u-mon', 'ops', { monitor: 'atlanta' });
  tokens.chicago = svc.tokenFor('monitor', 'u-mon-chicago', 'ops', { monitor: 'chicago' });
  tokens.california = svc.tokenFor('monitor', 'u-mon-california', 'ops', { monitor: 'california' });
  tokens.auditor = svc.tokenFor('auditor', 'u-aud', 'audit');
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: tokens.ada, body: { channel: 'email', request } });
  fixture.ticketId = opened.json.ticketId as string;
  fixture.ticketNumber = opened.json.ticketNumber as string;
  const base = Date.now() - 60_000;
  for (const [i, location] of ['chicago', 'california', 'atlanta'].entries()) {
    const token = location === 'chicago' ? tokens.chicago : location === 'california' ? tokens.california : tokens.monitor;
    const res = await call(svc.baseUrl, 'POST', `/monitors/${location}/reports`, { token, body: { status: 'down', observedAt: new Date(base + i * 1000).toISOString() } });
    fixture.outageId ||= ((res.json.outages as string[] | undefined) ?? [])[0] ?? '';
  }
  const policies = await call(svc.baseUrl, 'GET', '/policies', { token: tokens.admin });
  const versions = policies.json.versions as Json[];
  policy = { ...versions[versions.length - 1]!, version: 99 };
  if (!fixture.ticketId || !fixture.outageId) throw new Error('fixtures were not created');
});
afterAll(async () => {
  log.close();
  await svc.stop({ removeData: true });
});

let sent = 0;
const statuses = new Map<number, number>();

/**
 * Sends one request and checks the invariants every answer must keep. Returns the reply so a
 * property can check more (for example that a dropped field is the one named).
 */
async function probe(method: 'GET' | 'POST', path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const requestId = `fuzz-${++sent}`;
  const before = log.head();
  const res = await call(svc.baseUrl, method, path, { ...options, headers: { ...options.headers, 'x-request-id': requestId } });
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  const context = `${method} ${path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`5xx: ${context}`);
  if (res.status >= 400) {
    if (typeof res.json.error !== 'string' || res.json.error === '') throw new Error(`4xx without an error name: ${context}`);
    if (res.status === 400 && res.json.error === 'validation') {
      const issues = res.json.issues as unknown;
      const named = Array.isArray(issues) && issues.length > 0 && issues.every((i: Json) => typeof i.field === 'string' && i.field !== '' && typeof i.message === 'string' && i.message !== '');
      if (!named) throw new Error(`400 without named issues: ${context}`);
    } else if (typeof res.json.message !== 'string' || res.json.message === '') {
      throw new Error(`4xx without a message: ${context}`);
    }
    // Nothing this request caused is in the log, and nothing at all but background work.
    const appended = log.after(before).filter((e) => e.metadata.causationId === requestId || !String(e.metadata.actorId).startsWith('system'));
    if (appended.length > 0) throw new Error(`a refused request changed the store: ${context}: ${appended.map((e) => e.type).join(', ')}`);
  } else {
    // Read back what an accepted request stored: every event must decode again (issue 20). The
    // log also holds what is not a domain event, outside the service's streams (an open's number
    // claim, the lease on sending, seals): those are read by their own code.
    for (const e of log.after(before)) if (STREAM_PREFIXES.some((p) => e.streamId.startsWith(p))) readBack(e, context);
    readBacks += 1;
  }
  return res;
}

let readBacks = 0;

/** Decodes a stored event as the service reads it; throws naming the request that stored it. */
function readBack(e: LoggedEvent, context: string): void {
  const stored = { id: e.eventId, streamId: e.streamId, revision: BigInt(e.revision), type: e.type, data: e.data, metadata: e.metadata } as unknown as StoredEvent;
  try {
    toDomainEvent(stored);
  } catch (error) {
    throw new Error(`an accepted request stored an event that does not decode: ${context}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

const WEIRD_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'channel ', 'Channel', '$where', 'a.b', '0'];
const extraKey = fc.oneof(fc.constantFrom(...WEIRD_KEYS), fc.string({ minLength: 1, maxLength: 20 }));

const BAD_INSTANTS = [
  '2026-02-30T10:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-03-10T25:00:00Z',
  '2026-03-10T13:00:00',
  '2026-03-10',
  '2026-03-10T13:00:00+24:00',
  '2026-03-10T13:00:00+05:75',
  '2026-03-10T13:00:00 Z',
  '+275760-09-13T00:00:01Z',
  '-000001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00Z',
  'yesterday',
  'NaN',
  '',
  '1741611600000',
];
/** Values that name no instant at all (impossible fields, no offset, not a date): always 400. */
const NOT_INSTANTS = new Set(BAD_INSTANTS.filter((v) => !['+275760-09-13T00:00:01Z', '-000001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00Z'].includes(v)));
const mustRefuse = (v: unknown): boolean => typeof v === 'string' && (NOT_INSTANTS.has(v) || !/(Z|[+-]\d{2}:\d{2})$/.test(v));
const badInstant = fc.oneof(fc.constantFrom(...BAD_INSTANTS), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '')));

const hugeString = fc.integer({ min: 1_000, max: 60_000 }).map((n) => 'é'.repeat(Math.floor(n / 2)));
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', ' ', '\u0000', [], {}) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: badInstant },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((depth) => nest(depth)) },
);

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { x: value } : [value];
  return value;
}

/** Raw bodies that are not JSON, or JSON nested far deeper than any codec. */
const rawBody = fc.oneof(
  fc.constantFrom('{"channel":', '{', '[', 'null', 'true', '"text"', '42', '{"a":1}{"b":2}', '\u0000', '{"channel":"email",}', "{'a':1}", '{"a":NaN}'),
  fc.integer({ min: 100, max: 20_000 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 100, max: 5_000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.string({ maxLength: 100 }),
);

type Mutation =
  | { kind: 'drop'; key: string }
  | { kind: 'replace'; key: string; value: unknown }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'whole'; value: unknown }
  | { kind: 'raw'; text: string };

/** One way of breaking a valid body; `keys` are the body's top-level fields, `required` those it needs. */
const mutation = (keys: readonly string[], required: readonly string[]): fc.Arbitrary<Mutation> =>
  fc.oneof(
    ...(required.length > 0 ? [fc.constantFrom(...required).map((key): Mutation => ({ kind: 'drop', key }))] : []),
    ...(keys.length > 0 ? [fc.record({ key: fc.constantFrom(...keys), value: junkValue }).map((r): Mutation => ({ kind: 'replace', ...r }))] : []),
    fc.record({ key: extraKey.filter((k) => !keys.includes(k)), value: junkValue }).map((r): Mutation => ({ kind: 'extra', ...r })),
    junkValue.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((value): Mutation => ({ kind: 'whole', value })),
    rawBody.map((text): Mutation => ({ kind: 'raw', text })),
  );

const apply = (valid: Json, m: Mutation): { body: unknown; raw: boolean } => {
  switch (m.kind) {
    case 'drop': {
      const { [m.key]: _dropped, ...rest } = valid;
      return { body: rest, raw: false };
    }
    case 'replace':
      return { body: { ...valid, [m.key]: m.value }, raw: false };
    case 'extra': {
      // Built with defineProperty so that keys such as __proto__ become real own properties.
      const body: Json = { ...valid };
      Object.defineProperty(body, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      return { body, raw: false };
    }
    case 'whole':
      return { body: JSON.stringify(m.value), raw: true };
    case 'raw':
      return { body: m.text, raw: true };
  }
};

/** Checks that the 400 names the field the mutation broke, when the mutation surely broke one. */
const expectNamed = (res: Reply, m: Mutation, where = ''): void => {
  if (m.kind !== 'drop' && m.kind !== 'extra') return;
  expect(res.status).toBe(400);
  const fields = (res.json.issues as Json[]).map((i) => i.field as string);
  const key = `${where}${m.key === '' ? '""' : m.key}`;
  expect({ fields, has: fields.some((f) => f === key || f.startsWith(`${key}.`)) }).toEqual({ fields, has: true });
};

interface BodyEndpoint {
  readonly name: string;
  readonly path: () => string;
  readonly token: () => string;
  readonly valid: () => Json;
  readonly required: readonly string[];
}

const ENDPOINTS: readonly BodyEndpoint[] = [
  { name: 'open (requester)', path: () => '/tickets', token: () => tokens.ada, valid: () => ({ channel: 'email', request, suggestedCategory: 'technical/bug' }), required: ['channel', 'request'] },
  {
    name: 'open (agent, phone message)',
    path: () => '/tickets',
    token: () => tokens.agent,
    valid: () => ({ channel: 'phone', request, organization: 'acme', namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' }, receivedAt: new Date(Date.now() - 60_000).toISOString() }),
    required: ['channel', 'request'],
  },
  { name: 'classify', path: () => `/tickets/${fixture.ticketId}/classification`, token: () => tokens.agent, valid: () => ({ category: 'technical/bug', reason: 'r', stepsToReproduce: 's', usersAffected: 3 }), required: ['category'] },
  { name: 'acknowledge', path: () => `/tickets/${fixture.ticketId}/acknowledgement`, token: () => tokens.agent, valid: () => ({}), required: [] },
  { name: 'respond', path: () => `/tickets/${fixture.ticketId}/response`, token: () => tokens.agent, valid: () => ({ message: 'm', actionPlan: 'p', definedAs: 'support-item' }), required: ['message'] },
  { name: 'await customer', path: () => `/tickets/${fixture.ticketId}/awaiting-customer`, token: () => tokens.agent, valid: () => ({ reason: 'r' }), required: ['reason'] },
  { name: 'customer reply', path: () => `/tickets/${fixture.ticketId}/customer-reply`, token: () => tokens.ada, valid: () => ({ message: 'm' }), required: [] },
  { name: 'resolve', path: () => `/tickets/${fixture.ticketId}/resolution`, token: () => tokens.agent, valid: () => ({ resolution: 'r' }), required: [] },
  { name: 'close', path: () => `/tickets/${fixture.ticketId}/closure`, token: () => tokens.agent, valid: () => ({ resolutionDetails: 'd' }), required: [] },
  { name: 'reopen', path: () => `/tickets/${fixture.ticketNumber}/reopening`, token: () => tokens.ada, valid: () => ({ reason: 'r' }), required: ['reason'] },
  { name: 'link to outage', path: () => `/tickets/${fixture.ticketId}/outage-link`, token: () => tokens.agent, valid: () => ({ outageId: fixture.outageId }), required: ['outageId'] },
  { name: 'monitor report', path: () => '/monitors/atlanta/reports', token: () => tokens.monitor, valid: () => ({ status: 'down', observedAt: new Date().toISOString() }), required: ['status', 'observedAt'] },
  { name: 'debrief', path: () => `/outages/${fixture.outageId}/debrief`, token: () => tokens.agent, valid: () => ({ whenItOccurred: 'w', howItOccurred: 'h', preventionPlan: 'p' }), required: ['whenItOccurred', 'howItOccurred', 'preventionPlan'] },
  { name: 'close outage', path: () => `/outages/${fixture.outageId}/closure`, token: () => tokens.agent, valid: () => ({}), required: [] },
  {
    name: 'publish policy',
    path: () => '/policies',
    token: () => tokens.admin,
    valid: () => policy,
    required: ['version', 'supportCalendar', 'outageCalendar', 'targets', 'nextBusinessDayCountsFrom', 'resolution', 'warningFractions', 'confirmation', 'entitlements'],
  },
];

describe('request bodies', () => {
  for (const endpoint of ENDPOINTS) {
    test(`${endpoint.name}: broken bodies are refused with the field named, never a 5xx, and store nothing`, async () => {
      const valid = endpoint.valid();
      await fc.assert(
        fc.asyncProperty(mutation(Object.keys(valid), endpoint.required), async (m) => {
          const { body } = apply(endpoint.valid(), m);
          const res = await probe('POST', endpoint.path(), { token: endpoint.token(), body });
          expectNamed(res, m);
          // An empty body reads as no body (`{}`), which is valid where every field is optional.
          if ((m.kind === 'raw' && m.text !== '') || m.kind === 'whole') expect(res.status).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: 16 },
      );
    });
  }

  test('nested fields: the ticket request and the named user, broken one field at a time', async () => {
    const nested = fc.oneof(
      mutation(['summary', 'description'], ['summary', 'description']).map((m) => ({ at: 'request', m })),
      mutation(['id', 'email', 'license'], ['id', 'email', 'license']).map((m) => ({ at: 'namedUser', m })),
    );
    await fc.assert(
      fc.asyncProperty(nested, async ({ at, m }) => {
        if (m.kind === 'raw' || m.kind === 'whole') return;
        const valid: Json = {
          channel: 'phone',
          request,
          organization: 'acme', namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' },
        };
        const { body } = apply(valid[at] as Json, m);
        const res = await probe('POST', '/tickets', { token: tokens.agent, body: { ...valid, [at]: body } });
        expectNamed(res, m, `${at}.`);
      }),
      { numRuns: 30 },
    );
  });

  test('unknown enum values and invalid instants are 400s naming the field', async () => {
    const cases = fc.oneof(
      fc.string({ maxLength: 30 }).filter((s) => !['email', 'chat', 'phone', 'dashboard', 'web-portal', 'portal', 'web'].includes(s)).map((v) => ({ path: '/tickets', token: () => tokens.ada, body: { channel: v, request }, field: 'channel' })),
      fc.string({ maxLength: 30 }).map((v) => ({ path: `/tickets/${fixture.ticketId}/classification`, token: () => tokens.agent, body: { category: `x/${v}` }, field: 'category' })),
      fc.string({ maxLength: 30 }).filter((s) => s !== 'up' && s !== 'down').map((v) => ({ path: '/monitors/chicago/reports', token: () => tokens.chicago, body: { status: v, observedAt: new Date().toISOString() }, field: 'status' })),
      badInstant.map((v) => ({ path: '/monitors/chicago/reports', token: () => tokens.chicago, body: { status: 'down', observedAt: v }, field: 'observedAt' })),
      badInstant.map((v) => ({
        path: '/tickets',
        token: () => tokens.agent,
        body: { channel: 'phone', request, organization: 'acme', namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' }, receivedAt: v },
        field: 'receivedAt',
      })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const res = await probe('POST', c.path, { token: c.token(), body: c.body });
        // A far-past or far-future instant that is well formed is a valid instant: the domain then
        // decides (422 or 2xx). Anything that names no instant is refused at the boundary.
        if (res.status === 400) expect((res.json.issues as Json[]).map((i) => i.field)).toContain(c.field);
        else expect([c.field, res.status]).toEqual([c.field, expect.any(Number)]);
        const value = (c.body as Record<string, unknown>)[c.field];
        if ((c.field !== 'observedAt' && c.field !== 'receivedAt') || mustRefuse(value)) expect({ value, status: res.status }).toEqual({ value, status: 400 });
      }),
      { numRuns: 40 },
    );
  });
});

describe('paths and queries', () => {
  const pathSegment = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.constantFrom('SS-000000', 'SS-999999999999999999', 'SS-1', 'T-', '%', '%ZZ', '%00', '..', '.', 'null', 'undefined', '__proto__', 'constructor', 'x'.repeat(65), 'x'.repeat(5000)),
  );
  const encode = (segment: string): string => {
    // A few segments go out raw (invalid percent escapes included); the rest percent-encoded.
    if (/^[%A-Za-z0-9_-]*$/.test(segment) && segment !== '' && segment !== '.' && segment !== '..') return segment;
    return encodeURIComponent(segment) || '%20';
  };

  test('ticket, monitor and outage paths with any id: 400 or 404, never a 5xx', async () => {
    const routes = fc.constantFrom(
      (s: string) => ['GET', `/tickets/${s}`, tokens.agent] as const,
      (s: string) => ['GET', `/tickets/${s}/history`, tokens.auditor] as const,
      (s: string) => ['GET', `/tickets/${s}/sla`, tokens.ada] as const,
      (s: string) => ['POST', `/tickets/${s}/acknowledgement`, tokens.agent] as const,
      (s: string) => ['POST', `/tickets/${s}/reopening`, tokens.ada] as const,
      (s: string) => ['POST', `/monitors/${s}/reports`, tokens.monitor] as const,
      (s: string) => ['POST', `/outages/${s}/debrief`, tokens.agent] as const,
    );
    await fc.assert(
      fc.asyncProperty(routes, pathSegment, async (route, segment) => {
        const [method, path, token] = route(encode(segment));
        const body = method === 'POST' ? { status: 'down', observedAt: new Date().toISOString(), reason: 'r', whenItOccurred: 'w', howItOccurred: 'h', preventionPlan: 'p' } : undefined;
        const res = await probe(method, path, { token, ...(body === undefined ? {} : { body }) });
        expect(res.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 60 },
    );
  });

  test('query strings with wrong types, unknown keys, repeated and nested keys: never a 5xx', async () => {
    const value = fc.oneof(fc.string({ maxLength: 40 }), badInstant, fc.constantFrom('premium', 'professional', 'csv', 'json', 'occurred', 'recorded', '0', '-1', '1e9', '999999999999', '2026-03-10T13:00:00Z'));
    const key = fc.oneof(fc.constantFrom('tier', 'limit', 'asOf', 'from', 'to', 'format', 'policyVersion', 'reading', 'tier[]', 'asOf[x]', '__proto__', 'constructor'), fc.string({ minLength: 1, maxLength: 10 }));
    const query = fc.array(fc.tuple(key, value), { maxLength: 5 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${encodeURIComponent(v)}`).join('&'));
    const paths = fc.constantFrom('/queue', '/sla', '/reports/compliance', `/tickets/${'TICKET'}`, `/tickets/${'TICKET'}/sla`);
    await fc.assert(
      fc.asyncProperty(paths, query, async (path, q) => {
        const res = await probe('GET', `${path.replace('TICKET', fixture.ticketId)}?${q}`, { token: tokens.agent });
        if (res.status === 400 && res.json.error === 'validation') expect((res.json.issues as Json[]).length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  });

  test('a compliance report for an inverted or invalid range is a 400 naming the bound', async () => {
    const res = await probe('GET', '/reports/compliance?from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z', { token: tokens.auditor });
    expect(res.status).toBe(400);
    expect(res.json.issues).toEqual([expect.objectContaining({ field: 'to' })]);
    const bad = await probe('GET', '/reports/compliance?from=2026-02-30T00:00:00&format=xml', { token: tokens.auditor });
    expect(bad.status).toBe(400);
    expect((bad.json.issues as Json[]).map((i) => i.field).sort()).toEqual(['format', 'from', 'to']);
  });
});

describe('bearer tokens', () => {
  test('anything but a valid token signed with the service key is a 401 naming why', async () => {
    const key = (): string => svc.tokenKey;
    const forged = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, 'x')}`),
      fc.constantFrom('Bearer', 'Basic dXNlcjpwYXNz', 'bearer  ', 'Token abc', 'Bearer a.b.c', 'Bearer ..', `Bearer ${'a'.repeat(8000)}`),
      // Right key, but a claim is missing or wrong.
      fc.record({ sub: fc.constantFrom('', undefined, 'u1'), role: fc.constantFrom('root', '', undefined, 'agent'), org: fc.constantFrom('', undefined, 'acme'), iss: fc.constantFrom('support-sla', 'someone-else') })
        .filter((c) => !(c.sub === 'u1' && c.role === 'agent' && c.org === 'acme' && c.iss === 'support-sla'))
        .map((c) => {
          const payload = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
          return `Bearer ${jwt.sign(payload, key(), { algorithm: 'HS256', expiresIn: 600 })}`;
        }),
      // Unsigned, another algorithm, a tampered payload, not yet valid.
      fc.constantFrom('none', 'tamper', 'nbf', 'hs512').map((how) => {
        const claims = { sub: 'u1', role: 'admin', org: 'acme', iss: 'support-sla' };
        if (how === 'none') return `Bearer ${jwt.sign(claims, null, { algorithm: 'none' })}`;
        if (how === 'hs512') return `Bearer ${jwt.sign(claims, key(), { algorithm: 'HS512' })}`;
        if (how === 'nbf') return `Bearer ${jwt.sign(claims, key(), { algorithm: 'HS256', notBefore: 3600 })}`;
        const [h, , s] = svc.tokenFor('agent', 'u1', 'acme').split('.');
        return `Bearer ${h}.${Buffer.from(JSON.stringify({ ...claims, exp: 4102444800 })).toString('base64url')}.${s}`;
      }),
    );
    const routes = fc.constantFrom(['GET', '/queue'] as const, ['POST', '/tickets'] as const, ['POST', '/policies'] as const, ['GET', `/tickets/SS-000001`] as const);
    await fc.assert(
      fc.asyncProperty(forged, routes, async (authorization, [method, path]) => {
        const res = await probe(method, path, { headers: { authorization }, ...(method === 'POST' ? { body: { channel: 'email', request } } : {}) });
        expect(res.status).toBe(401);
        expect(res.json.error).toBe('unauthorized');
      }),
      { numRuns: 40 },
    );
  });
});

describe('headers', () => {
  const printable = (min: number, max: number) => fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: min, maxLength: max });

  test('a body of any Content-Type but JSON is a 415 naming application/json, and stores nothing', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'text/plain',
        'text/plain; charset=utf-8',
        'text/html',
        'text/json',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonx',
        'application/json-seq',
        'application/*',
        '*/*',
        'json',
        'application/json',
        'APPLICATION/JSON; charset=UTF-8',
        'application/merge-patch+json',
      ),
      printable(1, 60).filter((t) => t.trim() !== ''),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), contentType, async (endpoint, type) => {
        const res = await probe('POST', endpoint.path(), { token: endpoint.token(), body: JSON.stringify(endpoint.valid()), headers: { 'content-type': type } });
        if (isJsonMediaType(type)) {
          expect([type, res.status]).not.toEqual([type, 415]);
        } else {
          expect([type, res.status]).toEqual([type, 415]);
          expect(res.json).toMatchObject({ error: 'unsupported_media_type', message: expect.stringContaining('Content-Type: application/json') });
        }
      }),
      { numRuns: 60 },
    );
  });

  test('an Idempotency-Key outside the documented set is a 400 naming the header; a valid one is used', async () => {
    const key = fc.oneof(
      { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 200 }) },
      { weight: 1, arbitrary: printable(0, 40).filter((k) => k.includes(' ') || k === '') },
      { weight: 1, arbitrary: fc.integer({ min: 201, max: 400 }).map((n) => 'k'.repeat(n)) },
      // Latin-1 bytes (what fetch lets through) beyond ASCII.
      { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 10 }) },
    );
    await fc.assert(
      fc.asyncProperty(key, fc.boolean(), async (k, valid) => {
        const body = valid ? { channel: 'email', request } : { channel: 'fax', request };
        const res = await probe('POST', '/tickets', { token: tokens.ada, body, headers: { 'idempotency-key': k } });
        // fetch trims the value it sends, as every HTTP client does.
        const sent = k.trim();
        if (IDEMPOTENCY_KEY_PATTERN.test(sent)) {
          expect(res.json.issues?.some((i: Json) => i.field === 'Idempotency-Key') ?? false).toBe(false);
          if (valid) expect([sent, res.status]).toEqual([sent, 201]);
        } else if (sent !== '' || k === '') {
          expect([sent, res.status]).toEqual([sent, 400]);
          expect(res.json.issues).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
        }
      }),
      { numRuns: 50 },
    );
  });

  test('token claims are checked with the domain codecs: each invalid claim, a missing exp or a lifetime over 30 days is a 401 naming it', async () => {
    const NOW = (): number => Math.floor(Date.now() / 1000);
    const claims = fc.record(
      {
        sub: fc.constantFrom<unknown>('u-fuzz', '', ' ', 42, null, 'ü-ñ'),
        role: fc.constantFrom<unknown>(...ROLES, 'root'),
        org: fc.constantFrom<unknown>('acme', '', '\t', 7),
        email: fc.constantFrom<unknown>('fuzz@acme.example', 'ada@localhost', 'no-at', '', 42, null),
        name: fc.constantFrom<unknown>('Fuzz', '', '   ', null, 3),
        monitor: fc.constantFrom<unknown>(...MONITORS, 'boston', ''),
        exp: fc.constantFrom<'none' | 'short' | 'cap' | 'over' | 'past'>('none', 'short', 'cap', 'over', 'past'),
      },
      { requiredKeys: ['role', 'exp'] },
    );
    /** The documented rules, written again independently of the service: the reason it must refuse, if any. */
    const refusal = (c: Record<string, unknown>): string | undefined => {
      const nonBlank = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
      // The signature and expiry are checked first, then the claims, then the lifetime.
      if (c.exp === 'past') return 'expired';
      if (!nonBlank(c.sub)) return 'sub';
      if (!(ROLES as readonly unknown[]).includes(c.role)) return 'role';
      if (!nonBlank(c.org)) return 'org';
      if (c.name !== undefined && !nonBlank(c.name)) return 'name';
      if (c.email !== undefined && !(typeof c.email === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.email))) return 'email';
      if (c.role === 'monitor' && !(MONITORS as readonly unknown[]).includes(c.monitor)) return 'monitor';
      if (c.role !== 'monitor' && c.monitor !== undefined) return 'monitor';
      if (c.exp === 'none') return 'exp';
      if (c.exp === 'over') return 'lifetime';
      return undefined;
    };
    await fc.assert(
      fc.asyncProperty(claims, async ({ exp, ...c }) => {
        const payload: Record<string, unknown> = { ...c, iss: 'support-sla', iat: NOW() };
        if (exp === 'short') payload.exp = NOW() + 600;
        if (exp === 'cap') payload.exp = NOW() + 30 * 86_400;
        if (exp === 'over') payload.exp = NOW() + 31 * 86_400;
        if (exp === 'past') payload.exp = NOW() - 10;
        const token = jwt.sign(payload, svc.tokenKey, { algorithm: 'HS256' });
        const res = await probe('GET', '/policies/entitlements', { token });
        const why = refusal({ ...c, exp });
        if (why === undefined) {
          expect([c, res.status]).not.toEqual([c, 401]);
        } else {
          expect([why, res.status]).toEqual([why, 401]);
          const named = why === 'expired' ? 'expired' : why === 'lifetime' ? 'exceeds the maximum' : why === 'exp' ? 'exp' : why;
          expect([why, res.json.message]).toEqual([why, expect.stringContaining(named)]);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('body size limit', () => {
  const LIMIT = 64 * 1024;

  test('a body over MAX_BODY_BYTES (64kb by default) is refused with 413 before it is parsed', async () => {
    // Not JSON at all: a parser would answer 400, so 413 shows the size was checked first.
    const notJson = 'x'.repeat(LIMIT + 1);
    const over = await probe('POST', '/tickets', { token: tokens.ada, body: notJson });
    expect(over.status).toBe(413);
    expect(over.json.error).toBe('payload_too_large');
    // Valid JSON just over the limit: still 413.
    const json = JSON.stringify({ channel: 'email', request: { summary: 's', description: 'd'.repeat(LIMIT) } });
    expect((await probe('POST', '/tickets', { token: tokens.ada, body: json })).status).toBe(413);
    // Even without a token: the body limit is enforced before authentication reads anything.
    expect((await probe('POST', '/policies', { body: notJson })).status).toBe(413);
  });

  test('a chunked body (no Content-Length) is cut off once it crosses the limit', async () => {
    const chunks = [Buffer.from('{"channel":"email","request":{"summary":"s","description":"'), Buffer.alloc(LIMIT, 'd'), Buffer.from('"}}')];
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(c);
        controller.close();
      },
    });
    const before = log.head();
    const res = await fetch(`${svc.baseUrl}/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.ada}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).error).toBe('payload_too_large');
    expect(log.after(before).filter((e) => !String(e.metadata.actorId).startsWith('system'))).toEqual([]);
  });

  test('a body just under the limit is parsed and validated as usual', async () => {
    const body = JSON.stringify({ channel: 'email', request: { summary: 's', description: 'd'.repeat(LIMIT - 200) }, unexpected: true });
    const res = await probe('POST', '/tickets', { token: tokens.ada, body });
    expect(res.status).toBe(400);
    expect(res.json.issues).toEqual([expect.objectContaining({ field: 'unexpected' })]);
  });
});

afterAll(() => {
  // The run's shape, for whoever reads the test output.
  process.stdout.write(`bad-input fuzzing: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}\n`);
  expect(sent).toBeGreaterThan(450);
  expect(readBacks).toBeGreaterThan(20);
  expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
});
