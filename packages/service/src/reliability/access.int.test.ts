import { randomBytes } from 'node:crypto';
import { TokenService, type Role } from '../auth/token.service';
import { startService, type InProcessService } from '../testing/service-harness';
import { call, type Reply } from '../testing/http';
import { LogReader } from './support/log-reader';

/**
 * Access: every route is tried with no token, an expired token, a token signed with another
 * key, each role, and a requester of another organization. The expected matrix below is read
 * off the controllers' `@Roles` decorators (and the tickets slice's `visibleTicket` for ownership):
 *
 * | route | administrator / publisher / teacher | agent | admin | monitor | auditor | other org's requester |
 * | --- | --- | --- | --- | --- | --- | --- |
 * | POST /tickets | 201 (for themselves) | 201 | 201 | 403 | 403 | 201 (own org) |
 * | POST /tickets/:id/{classification, acknowledgement, response, awaiting-customer, resolution, closure, outage-link} | 403 | 200 | 200 | 403 | 403 | 403 |
 * | POST /tickets/:id/{customer-reply, reopening} | 200 (own ticket) | 200 | 200 | 403 | 403 | 404 |
 * | GET /tickets/:id, /tickets/:id/history, /tickets/:id/sla | 200 (own ticket) | 200 | 200 | 403 | 200 | 404 |
 * | GET /queue, /sla, /reports/compliance | 403 | 200 | 200 | 403 | 200 | 403 |
 * | POST /monitors/:location/reports | 403 | 403 | 200 | 200 | 403 | 403 |
 * | POST /outages | 403 | 201 | 201 | 403 | 403 | 403 |
 * | POST /outages/:id/{restoration, acknowledgement, debrief, closure} | 403 | 200 | 200 | 403 | 403 | 403 |
 * | GET /outages | 403 | 200 | 200 | 200 | 200 | 403 |
 * | POST /policies, POST /seals | 403 | 403 | 201 | 403 | 403 | 403 |
 * | GET /policies | 403 | 200 | 200 | 403 | 200 | 403 |
 * | GET /policies/entitlements | 200 | 200 | 200 | 403 | 200 | 200 |
 * | GET /health, /metrics, /status, /docs | 200 for everyone, with or without a token |
 *
 * No token, an expired token and a token signed with another key get 401 on every route but
 * the public ones. A requester of the same organization who is not the ticket's named user
 * also gets 404 on a ticket route (existence does not leak).
 */
jest.setTimeout(120_000);

let svc: InProcessService;
let foreignKeyTokens: TokenService;
let log: LogReader;

beforeAll(async () => {
  svc = await startService();
  log = new LogReader(svc.dbFile);
  foreignKeyTokens = new TokenService(randomBytes(32).toString('base64url'));
});
afterAll(async () => {
  log.close();
  await svc.stop({ removeData: true });
});

const REQUESTER_ROLES = ['administrator', 'publisher', 'teacher'] as const;
const ALL_ROLES: readonly Role[] = [...REQUESTER_ROLES, 'agent', 'admin', 'monitor', 'auditor'];

type CallerKind = 'no token' | 'expired token' | 'wrong-key token' | Role | 'other-org requester' | 'same-org other requester';
const CALLERS: readonly CallerKind[] = ['no token', 'expired token', 'wrong-key token', ...ALL_ROLES, 'other-org requester', 'same-org other requester'];

interface Caller {
  readonly kind: CallerKind;
  readonly token: string | undefined;
  /** The requester whose ticket this caller works on (themselves, or a default one for staff). */
  readonly ownerToken: string;
}

const userOf = (role: Role): string => `u-${role}`;
const requesterToken = (role: Role, user: string, org: string): string =>
  svc.tokenFor(role, user, org, { email: `${user}@${org}.example`, name: user });
/** A monitor's token is bound to its location: the matrix's monitor is Chicago's (the report route below is Chicago's). */
const roleToken = (role: Role): string =>
  (REQUESTER_ROLES as readonly string[]).includes(role)
    ? requesterToken(role, userOf(role), 'acme')
    : svc.tokenFor(role, userOf(role), 'support', role === 'monitor' ? { monitor: 'chicago' } : {});
const DEFAULT_OWNER = (): string => requesterToken('administrator', 'u-owner', 'acme');

const callerOf = (kind: CallerKind): Caller => {
  switch (kind) {
    case 'no token':
      return { kind, token: undefined, ownerToken: DEFAULT_OWNER() };
    case 'expired token':
      return { kind, token: svc.tokenFor('agent', 'u-agent', 'support', { expiresIn: -60 }), ownerToken: DEFAULT_OWNER() };
    case 'wrong-key token':
      return { kind, token: foreignKeyTokens.sign({ sub: 'u-agent', role: 'agent', org: 'support' }), ownerToken: DEFAULT_OWNER() };
    case 'other-org requester':
      return { kind, token: requesterToken('administrator', 'u-owner', 'globex'), ownerToken: DEFAULT_OWNER() };
    case 'same-org other requester':
      return { kind, token: requesterToken('administrator', 'u-someone-else', 'acme'), ownerToken: DEFAULT_OWNER() };
    default: {
      const token = roleToken(kind);
      return { kind, token, ownerToken: (REQUESTER_ROLES as readonly string[]).includes(kind) ? token : DEFAULT_OWNER() };
    }
  }
};

const agent = (): string => roleToken('agent');
/** The token of the monitor at `location` (each reports for its own location only). */
const monitor = (location: 'chicago' | 'california' | 'atlanta' = 'chicago'): string => svc.tokenFor('monitor', `u-monitor-${location}`, 'support', { monitor: location });
const request = { summary: 'Access matrix', description: 'A ticket made for the access matrix.' };

/** Opens a Premium e-mail ticket for the owner and drives it to `stage` with the agent. */
async function ticketAt(ownerToken: string, stage: 'open' | 'classified' | 'responded' | 'awaiting' | 'resolved' | 'closed'): Promise<string> {
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: ownerToken, body: { channel: 'email', request } });
  if (opened.status !== 201) throw new Error(`fixture: open gave ${opened.status} ${opened.text}`);
  const id = opened.json.ticketId as string;
  const steps: [string, unknown][] = [];
  if (stage !== 'open') steps.push(['classification', { category: 'personal/how-to' }]);
  if (['responded', 'awaiting', 'resolved', 'closed'].includes(stage)) steps.push(['response', { message: 'On it', actionPlan: 'Explain the steps', definedAs: 'support-item' }]);
  if (stage === 'awaiting') steps.push(['awaiting-customer', { reason: 'Which browser?' }]);
  if (stage === 'resolved' || stage === 'closed') steps.push(['resolution', { resolution: 'Explained' }]);
  if (stage === 'closed') steps.push(['closure', {}]);
  for (const [path, body] of steps) {
    const res = await call(svc.baseUrl, 'POST', `/tickets/${id}/${path}`, { token: agent(), body });
    if (res.status !== 200) throw new Error(`fixture: ${path} gave ${res.status} ${res.text}`);
  }
  return id;
}

let reportedAt = Date.now() - 3_600_000;
const observedAt = (): string => new Date((reportedAt += 1_000)).toISOString();

/** Declares an outage (all three monitors down) and ends it; returns its id. */
async function endedOutage(): Promise<string> {
  await noOutageGoingOn();
  let outageId: string | undefined;
  for (const location of ['chicago', 'california', 'atlanta'] as const) {
    const res = await call(svc.baseUrl, 'POST', `/monitors/${location}/reports`, { token: monitor(location), body: { status: 'down', observedAt: observedAt() } });
    if (res.status !== 200) throw new Error(`fixture: monitor report gave ${res.status} ${res.text}`);
    outageId ??= (res.json.outages as string[])[0];
  }
  const up = await call(svc.baseUrl, 'POST', '/monitors/chicago/reports', { token: monitor(), body: { status: 'up', observedAt: observedAt() } });
  if (up.status !== 200 || outageId === undefined) throw new Error(`fixture: outage not declared/ended: ${up.text}`);
  return outageId;
}

async function debriefedOutage(): Promise<string> {
  const id = await endedOutage();
  const res = await call(svc.baseUrl, 'POST', `/outages/${id}/debrief`, { token: agent(), body: { whenItOccurred: 'just now', howItOccurred: 'test', preventionPlan: 'none needed' } });
  if (res.status !== 200) throw new Error(`fixture: debrief gave ${res.status} ${res.text}`);
  return id;
}

async function nextPolicy(): Promise<unknown> {
  const res = await call(svc.baseUrl, 'GET', '/policies', { token: roleToken('admin') });
  const versions = res.json.versions as { version: number }[];
  const last = versions[versions.length - 1]!;
  return { ...last, version: last.version + 1 };
}

interface Route {
  readonly name: string;
  /** Roles the controller lets through. */
  readonly roles: readonly Role[];
  /** The route works on a ticket, so a requester must own it (404 otherwise). */
  readonly ownTicket?: boolean;
  /** Public: 200 for everyone. */
  readonly open?: boolean;
  readonly success: number;
  /** Builds the request for this caller (fixtures in the state that makes it succeed). */
  prepare(caller: Caller): Promise<{ method: 'GET' | 'POST'; path: string; body?: unknown }>;
}

const STAFF: readonly Role[] = ['agent', 'admin'];
const REQ_STAFF: readonly Role[] = [...REQUESTER_ROLES, ...STAFF];
const READERS: readonly Role[] = [...REQ_STAFF, 'auditor'];
const BOARD: readonly Role[] = [...STAFF, 'auditor'];

const ticketAction = (action: string, stage: Parameters<typeof ticketAt>[1], body: unknown, roles: readonly Role[]): Route => ({
  name: `POST /tickets/:id/${action}`,
  roles,
  ownTicket: roles.includes('teacher'),
  success: 200,
  prepare: async (caller) => ({ method: 'POST', path: `/tickets/${await ticketAt(caller.ownerToken, stage)}/${action}`, body }),
});

const ticketRead = (suffix: string): Route => ({
  name: `GET /tickets/:id${suffix}`,
  roles: READERS,
  ownTicket: true,
  success: 200,
  prepare: async (caller) => ({ method: 'GET', path: `/tickets/${await ticketAt(caller.ownerToken, 'open')}${suffix}` }),
});

const ROUTES: readonly Route[] = [
  {
    name: 'POST /tickets',
    roles: REQ_STAFF,
    success: 201,
    prepare: async (caller) => ({
      method: 'POST',
      path: '/tickets',
      body:
        caller.kind === 'agent' || caller.kind === 'admin'
          ? { channel: 'phone', request, organization: 'acme', namedUser: { id: 'u-owner', email: 'u-owner@acme.example', license: 'administrator' } }
          : { channel: 'email', request },
    }),
  },
  ticketAction('classification', 'open', { category: 'personal/how-to' }, STAFF),
  ticketAction('acknowledgement', 'open', {}, STAFF),
  ticketAction('response', 'classified', { message: 'On it', actionPlan: 'Explain the steps', definedAs: 'support-item' }, STAFF),
  ticketAction('awaiting-customer', 'responded', { reason: 'Which browser?' }, STAFF),
  ticketAction('customer-reply', 'awaiting', { message: 'Firefox' }, REQ_STAFF),
  ticketAction('resolution', 'responded', { resolution: 'Explained' }, STAFF),
  ticketAction('closure', 'resolved', {}, STAFF),
  ticketAction('reopening', 'closed', { reason: 'It came back' }, REQ_STAFF),
  {
    name: 'POST /tickets/:id/outage-link',
    roles: STAFF,
    success: 200,
    prepare: async (caller) => {
      // Only a declared (not yet ended) outage accepts links: declare one, link, then end it.
      const down = await endedOutageStillDeclared();
      return { method: 'POST', path: `/tickets/${await ticketAt(caller.ownerToken, 'open')}/outage-link`, body: { outageId: down } };
    },
  },
  ticketRead(''),
  ticketRead('/history'),
  ticketRead('/sla'),
  { name: 'GET /queue', roles: BOARD, success: 200, prepare: async () => ({ method: 'GET', path: '/queue' }) },
  { name: 'GET /sla', roles: BOARD, success: 200, prepare: async () => ({ method: 'GET', path: '/sla' }) },
  {
    name: 'GET /reports/compliance',
    roles: BOARD,
    success: 200,
    prepare: async () => ({ method: 'GET', path: '/reports/compliance?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z' }),
  },
  {
    name: 'POST /monitors/:location/reports',
    roles: ['monitor', 'admin'],
    success: 200,
    prepare: async () => ({ method: 'POST', path: '/monitors/chicago/reports', body: { status: 'up', observedAt: observedAt() } }),
  },
  {
    name: 'POST /outages',
    roles: STAFF,
    success: 201,
    prepare: async () => {
      await noOutageGoingOn();
      return { method: 'POST', path: '/outages', body: { scope: 'all users', reason: 'nothing loads', occurredAt: observedAt() } };
    },
  },
  {
    name: 'POST /outages/:id/restoration',
    roles: STAFF,
    success: 200,
    prepare: async () => ({ method: 'POST', path: `/outages/${await staffOutage()}/restoration`, body: { occurredAt: observedAt() } }),
  },
  {
    name: 'POST /outages/:id/acknowledgement',
    roles: STAFF,
    success: 200,
    prepare: async () => ({ method: 'POST', path: `/outages/${await endedOutage()}/acknowledgement`, body: {} }),
  },
  {
    name: 'POST /outages/:id/debrief',
    roles: STAFF,
    success: 200,
    prepare: async () => ({
      method: 'POST',
      path: `/outages/${await endedOutage()}/debrief`,
      body: { whenItOccurred: 'just now', howItOccurred: 'test', preventionPlan: 'none needed' },
    }),
  },
  {
    name: 'POST /outages/:id/closure',
    roles: STAFF,
    success: 200,
    prepare: async () => ({ method: 'POST', path: `/outages/${await debriefedOutage()}/closure`, body: {} }),
  },
  { name: 'GET /outages', roles: [...STAFF, 'auditor', 'monitor'], success: 200, prepare: async () => ({ method: 'GET', path: '/outages' }) },
  { name: 'POST /seals', roles: ['admin'], success: 201, prepare: async () => ({ method: 'POST', path: '/seals' }) },
  { name: 'POST /policies', roles: ['admin'], success: 201, prepare: async () => ({ method: 'POST', path: '/policies', body: await nextPolicy() }) },
  { name: 'GET /policies', roles: ['admin', 'agent', 'auditor'], success: 200, prepare: async () => ({ method: 'GET', path: '/policies' }) },
  { name: 'GET /policies/entitlements', roles: [...REQ_STAFF, 'auditor'], success: 200, prepare: async () => ({ method: 'GET', path: '/policies/entitlements' }) },
  { name: 'GET /health', roles: ALL_ROLES, open: true, success: 200, prepare: async () => ({ method: 'GET', path: '/health' }) },
  { name: 'GET /metrics', roles: ALL_ROLES, open: true, success: 200, prepare: async () => ({ method: 'GET', path: '/metrics' }) },
  { name: 'GET /status', roles: ALL_ROLES, open: true, success: 200, prepare: async () => ({ method: 'GET', path: '/status' }) },
  { name: 'GET /docs/openapi.json', roles: ALL_ROLES, open: true, success: 200, prepare: async () => ({ method: 'GET', path: '/docs/openapi.json' }) },
];

/** A declared outage that is still running (for the link route); ended later by the next fixture. */
async function endedOutageStillDeclared(): Promise<string> {
  await noOutageGoingOn();
  let outageId: string | undefined;
  for (const location of ['chicago', 'california', 'atlanta'] as const) {
    const res = await call(svc.baseUrl, 'POST', `/monitors/${location}/reports`, { token: monitor(location), body: { status: 'down', observedAt: observedAt() } });
    outageId ??= (res.json.outages as string[] | undefined)?.[0];
  }
  if (outageId === undefined) throw new Error('fixture: no outage declared');
  afterLink.push(async () => {
    await call(svc.baseUrl, 'POST', '/monitors/chicago/reports', { token: monitor(), body: { status: 'up', observedAt: observedAt() } });
  });
  return outageId;
}
const afterLink: (() => Promise<void>)[] = [];

/**
 * Ends every outage still going on (staff declare one only when none is). Every instant in these
 * fixtures comes from `observedAt()`, one timeline, so that monitors can declare again after an
 * outage staff ended.
 */
async function noOutageGoingOn(): Promise<void> {
  for (const undo of afterLink.splice(0)) await undo();
  const listed = await call(svc.baseUrl, 'GET', '/outages', { token: agent() });
  for (const o of listed.json.outages as { outageId: string; endedAt: string | null }[]) {
    if (o.endedAt !== null) continue;
    const restored = await call(svc.baseUrl, 'POST', `/outages/${o.outageId}/restoration`, { token: agent(), body: { occurredAt: observedAt() } });
    // One the monitors declared ends at their first "up" report.
    if (restored.status !== 200) await call(svc.baseUrl, 'POST', '/monitors/chicago/reports', { token: monitor(), body: { status: 'up', observedAt: observedAt() } });
  }
}

/** An outage staff declared and that is still going on; returns its id. */
async function staffOutage(): Promise<string> {
  await noOutageGoingOn();
  const res = await call(svc.baseUrl, 'POST', '/outages', { token: agent(), body: { scope: 'all users', reason: 'nothing loads', occurredAt: observedAt() } });
  const id = (res.json.outages as string[] | undefined)?.[0];
  if (res.status !== 201 || id === undefined) throw new Error(`fixture: staff declaration gave ${res.status} ${res.text}`);
  return id;
}

/** What the matrix says this caller gets on this route. */
function expectedStatus(route: Route, caller: Caller): number {
  if (route.open) return route.success;
  if (caller.kind === 'no token' || caller.kind === 'expired token' || caller.kind === 'wrong-key token') return 401;
  if (caller.kind === 'other-org requester' || caller.kind === 'same-org other requester') {
    // Requester role (administrator); only their own tickets exist for them.
    if (!route.roles.includes('administrator')) return 403;
    if (route.ownTicket) return 404;
    return route.success;
  }
  return route.roles.includes(caller.kind) ? route.success : 403;
}

let requests = 0;
const ERROR_NAMES: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found' };

describe('access matrix: every route × every kind of caller', () => {
  for (const route of ROUTES) {
    test(route.name, async () => {
      const outcomes: { caller: CallerKind; status: number; error?: unknown }[] = [];
      const expected: { caller: CallerKind; status: number; error?: unknown }[] = [];
      for (const kind of CALLERS) {
        const caller = callerOf(kind);
        const { method, path, body } = await route.prepare(caller);
        const prepared = log.head();
        const requestId = `access-${++requests}`;
        const res: Reply = await call(svc.baseUrl, method, path, {
          ...(caller.token === undefined ? {} : { token: caller.token }),
          ...(body === undefined ? {} : { body }),
          headers: { 'x-request-id': requestId },
        });
        const want = expectedStatus(route, caller);
        outcomes.push({ caller: kind, status: res.status, ...(res.status >= 400 ? { error: res.json.error } : {}) });
        expected.push({ caller: kind, status: want, ...(want >= 400 ? { error: ERROR_NAMES[want] } : {}) });
        if (res.status >= 400) {
          // A refused request stored nothing (background reactors may append on their own behalf).
          const caused = log.after(prepared).filter((e) => e.metadata.causationId === requestId || !String(e.metadata.actorId).startsWith('system:'));
          expect({ caller: kind, caused }).toEqual({ caller: kind, caused: [] });
          if (res.status === 401) expect(res.headers.get('www-authenticate')).toBe('Bearer');
          expect([kind, res.status, typeof res.json.message, res.text]).toEqual([kind, res.status, 'string', res.text]);
        }
        for (const undo of afterLink.splice(0)) await undo();
      }
      expect(outcomes).toEqual(expected);
    });
  }
});

test('the matrix covers every route the OpenAPI document lists', async () => {
  const doc = await call(svc.baseUrl, 'GET', '/docs/openapi.json');
  const documented = Object.entries(doc.json.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  const tried = new Set(ROUTES.map((r) => r.name));
  expect(documented.length).toBeGreaterThanOrEqual(ROUTES.length - 3);
  const untested = documented.filter((route) => !tried.has(route) && !route.startsWith('GET /docs'));
  expect(untested).toEqual([]);
});
