import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { CATEGORIES, CHANNELS, LICENSES, MONITORS } from '@support-sla/domain';
import { toDomainEvent } from '../application/event-mapping';
import type { StoredEvent } from '../event-store/event-store.port';
import { CLAIM_STREAM_PREFIX, claimStream, STREAM_PREFIXES, TICKET_NUMBER_FLOOR_STREAM } from '../event-store/streams';
import { ProjectionsHost } from '../projection-runner/projections.host';
import { startService, type InProcessService } from '../testing/service-harness';
import { call, until, type Json, type Reply } from '../testing/http';
import { LogReader, type LoggedEvent } from './support/log-reader';

/**
 * Nothing is accepted that cannot be read back (issue 20, point 1). A property test drives random
 * commands, with random text (any Unicode, lone surrogates included) and random callers, through
 * the routes, and afterwards every stored event decodes with the domain's codecs and a rebuild of
 * the read models from position zero gives the same answers. Client-supplied instants outside the
 * plausible window are refused before anything is decided.
 *
 * Budget: 10 runs of up to 10 commands, about 120 requests, a few seconds on one core.
 */
jest.setTimeout(120_000);

let svc: InProcessService;
let log: LogReader;
const tokens = { agent: '', admin: '' };
const monitorToken: Record<string, string> = {};

beforeAll(async () => {
  // No e-mail part: nothing appends behind the test's back while it compares the read models.
  svc = await startService({ env: { NOTIFICATIONS: 'off' } });
  log = new LogReader(svc.dbFile);
  tokens.agent = svc.tokenFor('agent', 'u-agent', 'support');
  tokens.admin = svc.tokenFor('admin', 'u-admin', 'support');
  for (const m of MONITORS) monitorToken[m] = svc.tokenFor('monitor', `mon-${m}`, 'ops', { monitor: m });
});
afterAll(async () => {
  log.close();
  await svc.stop({ removeData: true });
});

/** A token signed with the service's key, whatever its claims (TokenService.sign refuses bad ones). */
const rawToken = (claims: Record<string, unknown>): string => jwt.sign(claims, svc.tokenKey, { algorithm: 'HS256', issuer: 'support-sla', expiresIn: 600 });

/**
 * Decodes a logged event the way the service reads it back: a domain stream's events with the
 * domain's codecs; a number's claim as the allocator reads it (the ticket id it names). The
 * lease's and the seals' events are the service's own bookkeeping, read by their own code.
 */
const decodes = (e: LoggedEvent): boolean => {
  if (e.streamId.startsWith(CLAIM_STREAM_PREFIX)) {
    const data = e.data as { ticketNumber?: unknown; ticketId?: unknown } | null;
    return e.streamId === claimStream(String(data?.ticketNumber)) ? typeof data?.ticketId === 'string' : e.streamId === TICKET_NUMBER_FLOOR_STREAM;
  }
  if (!STREAM_PREFIXES.some((p) => e.streamId.startsWith(p))) return true;
  const stored = { id: e.eventId, streamId: e.streamId, revision: BigInt(e.revision), type: e.type, data: e.data, metadata: e.metadata } as unknown as StoredEvent;
  toDomainEvent(stored);
  return true;
};

describe('client-supplied instants have a plausible window', () => {
  test('a monitor report observed at 1901-01-01T00:00:00+23:59 (UTC 1900) is a 400 naming observedAt, and /outages still answers', async () => {
    const before = log.count();
    for (const observedAt of ['1901-01-01T00:00:00+23:59', '1999-12-31T23:59:59Z', new Date(Date.now() + 10 * 60_000).toISOString()]) {
      const res = await call(svc.baseUrl, 'POST', '/monitors/chicago/reports', { token: monitorToken.chicago!, body: { status: 'down', observedAt } });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: 'validation', issues: [expect.objectContaining({ field: 'observedAt' })] });
    }
    const phone = await call(svc.baseUrl, 'POST', '/tickets', {
      token: tokens.agent,
      body: { channel: 'phone', request: { summary: 's', description: 'd' }, organization: 'acme', namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' }, receivedAt: '1999-06-01T00:00:00Z' },
    });
    expect(phone.status).toBe(400);
    expect(phone.json.issues).toEqual([expect.objectContaining({ field: 'receivedAt' })]);
    expect(log.count()).toBe(before);
    expect((await call(svc.baseUrl, 'GET', '/outages', { token: tokens.agent })).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Random commands

const text = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.constantFrom('é', '😀', '\u0000x', 'a\u2028b', '\ud800', ' x ')).filter((s) => s.trim() !== '');
const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });
const compact = (o: Record<string, unknown>): Json => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const minutesAgo = fc.integer({ min: 1, max: 60 * 24 * 20 });

type Step =
  | { kind: 'open'; license: (typeof LICENSES)[number]; name: string | undefined; email: string | undefined; channel: (typeof CHANNELS)[number]; summary: string; description: string; category: string | undefined }
  | { kind: 'phone'; name: string | undefined; summary: string; receivedMinutesAgo: number }
  | { kind: 'classify'; category: string; reason: string | undefined; usersAffected: number | undefined; steps: string | undefined }
  | { kind: 'respond'; message: string; actionPlan: string | undefined; definedAs: 'support-ticket' | 'support-item' | 'project' }
  | { kind: 'await'; reason: string }
  | { kind: 'reply'; message: string | undefined }
  | { kind: 'resolve'; resolution: string | undefined }
  | { kind: 'close'; details: string | undefined }
  | { kind: 'reopen'; reason: string }
  | { kind: 'acknowledge' }
  | { kind: 'report'; monitor: (typeof MONITORS)[number]; status: 'up' | 'down'; observedAt: string | undefined }
  | { kind: 'debrief'; text: string };

const openStep: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('open' as const),
  license: fc.constantFrom(...LICENSES),
  // Token claims too: now and then a blank name or an address the domain's Email refuses
  // (before the fix, `ada@localhost` opened a ticket whose TicketOpened did not decode).
  name: maybe(fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: fc.constantFrom(' ', '') })),
  email: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('ada@localhost', 'no-at-sign', ' ', 'a@b.') }),
  channel: fc.constantFrom(...CHANNELS),
  summary: text,
  description: text,
  category: maybe(fc.constantFrom(...CATEGORIES)),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: openStep },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('phone' as const), name: maybe(text), summary: text, receivedMinutesAgo: minutesAgo }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('classify' as const), category: fc.constantFrom(...CATEGORIES), reason: maybe(text), usersAffected: maybe(fc.integer({ min: 1, max: 5000 })), steps: maybe(text) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('respond' as const), message: text, actionPlan: maybe(text), definedAs: fc.constantFrom('support-ticket' as const, 'support-item' as const, 'project' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('await' as const), reason: text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reply' as const), message: maybe(text) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resolve' as const), resolution: maybe(text) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), details: maybe(text) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), reason: text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('acknowledge' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('report' as const),
      monitor: fc.constantFrom(...MONITORS),
      status: fc.constantFrom('up' as const, 'down' as const),
      // Mostly now; now and then an implausible instant (before the fix, one in 1900 made an
      // OutageDeclared that did not decode).
      observedAt: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('1901-01-01T00:00:00+23:59', '1999-12-31T23:59:59Z', '2199-01-01T00:00:00Z') }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('debrief' as const), text }) },
);

let run = 0;
let accepted = 0;
let reportedAt = Date.now() - 3_600_000;

/** Sends one step against the run's current ticket (and the newest outage); any answer below 500 is fine. */
async function perform(s: Step, state: { ticket?: string; owner?: string; outage?: string; user: number }): Promise<Reply> {
  const agent = tokens.agent;
  const post = (path: string, token: string, body: unknown) => call(svc.baseUrl, 'POST', path, { token, body });
  switch (s.kind) {
    case 'open': {
      const user = `u-${run}-${++state.user}`;
      const owner = rawToken(compact({ sub: user, role: s.license, org: 'acme', email: s.email ?? `${user}@acme.example`, name: s.name }));
      const res = await post('/tickets', owner, compact({ channel: s.channel, request: { summary: s.summary, description: s.description }, suggestedCategory: s.category }));
      if (res.status === 201) Object.assign(state, { ticket: res.json.ticketId as string, owner });
      return res;
    }
    case 'phone': {
      const user = `u-${run}-${++state.user}`;
      const namedUser = compact({ id: user, email: `${user}@acme.example`, license: 'administrator', name: s.name });
      const receivedAt = new Date(Date.now() - s.receivedMinutesAgo * 60_000).toISOString();
      const res = await post('/tickets', agent, { channel: 'phone', request: { summary: s.summary, description: 'Left on the phone' }, organization: 'acme', namedUser, receivedAt });
      if (res.status === 201) Object.assign(state, { ticket: res.json.ticketId as string, owner: undefined });
      return res;
    }
    case 'report': {
      const observedAt = s.observedAt ?? new Date((reportedAt += 1_000)).toISOString();
      const res = await post(`/monitors/${s.monitor}/reports`, monitorToken[s.monitor]!, { status: s.status, observedAt });
      const outage = (res.json.outages as string[] | undefined)?.[0];
      if (outage !== undefined) state.outage = outage;
      return res;
    }
    case 'debrief':
      return post(`/outages/${state.outage ?? 'none'}/debrief`, agent, { whenItOccurred: s.text, howItOccurred: s.text, preventionPlan: s.text });
    default:
      break;
  }
  const id = state.ticket ?? 'T-none';
  const requester = state.owner ?? agent;
  switch (s.kind) {
    case 'classify':
      return post(`/tickets/${id}/classification`, agent, compact({ category: s.category, reason: s.reason, usersAffected: s.usersAffected, stepsToReproduce: s.steps }));
    case 'respond':
      return post(`/tickets/${id}/response`, agent, compact({ message: s.message, actionPlan: s.actionPlan, definedAs: s.definedAs }));
    case 'await':
      return post(`/tickets/${id}/awaiting-customer`, agent, { reason: s.reason });
    case 'reply':
      return post(`/tickets/${id}/customer-reply`, requester, compact({ message: s.message }));
    case 'resolve':
      return post(`/tickets/${id}/resolution`, agent, compact({ resolution: s.resolution }));
    case 'close':
      return post(`/tickets/${id}/closure`, agent, compact({ resolutionDetails: s.details }));
    case 'reopen':
      return post(`/tickets/${id}/reopening`, requester, { reason: s.reason });
    case 'acknowledge':
      return post(`/tickets/${id}/acknowledgement`, agent, {});
  }
}

describe('every accepted command stores events that read back', () => {
  test('random commands through the routes: every stored event decodes, and a rebuild from position zero agrees', async () => {
    await fc.assert(
      // Each run opens a ticket first, so the other steps have one to work on.
      fc.asyncProperty(fc.tuple(openStep, fc.array(step, { maxLength: 9 })), async ([first, rest]) => {
        const steps = [first, ...rest];
        run += 1;
        const state: { ticket?: string; owner?: string; outage?: string; user: number } = { user: 0 };
        for (const s of steps) {
          const before = log.head();
          const res = await perform(s, state);
          expect({ step: s.kind, status: res.status, body: res.status >= 500 ? res.text : '' }).toEqual({ step: s.kind, status: expect.any(Number), body: '' });
          if (res.status < 400) accepted += 1;
          // Read back at once what this request (and the e-mail reactor meanwhile) appended.
          for (const e of log.after(before)) expect(decodes(e)).toBe(true);
        }
      }),
      // A fixed seed: the same ten runs every time, so the count below is not left to chance (an
      // unlucky draw once had only 8 of them accepted).
      { numRuns: 10, seed: 20261206 },
    );
    expect(accepted).toBeGreaterThan(10);

    // The whole log decodes, from position zero.
    const all = log.all();
    for (const e of all) expect(decodes(e)).toBe(true);

    // The read models are healthy; rebuilt from position zero, they give the same queue.
    const queue = async (): Promise<Json> => {
      const res = await call(svc.baseUrl, 'GET', '/queue', { token: tokens.agent });
      expect(res.status).toBe(200);
      const { readModelPosition: _position, ...rest } = res.json;
      return rest;
    };
    const host = svc.app.get(ProjectionsHost);
    const head = BigInt(log.head());
    await until('the read models to catch up', () => host.all().every((r) => r.status === 'running' && (r.position?.commit ?? 0n) >= head));
    const before = await queue();
    for (const runner of host.all()) await runner.rebuild();
    await until('the rebuild to catch up', () => host.all().every((r) => r.status === 'running' && (r.position?.commit ?? 0n) >= head));
    expect(await queue()).toEqual(before);
    expect((await call(svc.baseUrl, 'GET', '/health')).status).toBe(200);
  });
});
