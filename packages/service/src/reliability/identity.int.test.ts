import jwt from 'jsonwebtoken';
import { startService, type InProcessService } from '../testing/service-harness';
import { call, type Json, type Reply } from '../testing/http';
import { LogReader } from './support/log-reader';

/**
 * Identity and idempotency, as a hostile client tries them (issue 20, points 4, 5 and 8): an
 * `Idempotency-Key` belongs to one organization, user and route; a key the service cannot use is
 * refused; a monitor token reports for its own location only; a token must expire, within the
 * cap, and carry claims the domain's codecs accept. Each refusal stores nothing.
 */
jest.setTimeout(60_000);

let svc: InProcessService;
let log: LogReader;

beforeAll(async () => {
  svc = await startService();
  log = new LogReader(svc.dbFile);
});
afterAll(async () => {
  log.close();
  await svc.stop({ removeData: true });
});

const request = { summary: 'Grades do not export', description: 'The export button does nothing.' };

/** Sends a request and checks that, if refused, it appended nothing a person caused. */
async function send(method: 'GET' | 'POST', path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const before = log.head();
  const res = await call(svc.baseUrl, method, path, options);
  if (res.status >= 400) expect(log.after(before).filter((e) => !String(e.metadata.actorId).startsWith('system'))).toEqual([]);
  expect(res.status).toBeLessThan(500);
  return res;
}

const rawToken = (claims: Record<string, unknown>, options: jwt.SignOptions = { expiresIn: 600 }): string =>
  jwt.sign(claims, svc.tokenKey, { algorithm: 'HS256', issuer: 'support-sla', ...options });

describe('idempotency keys belong to an organization, a user and a route', () => {
  test('u-ta@acme and u-ta@globex with the same key each get their own ticket, and neither sees the other', async () => {
    const acme = svc.tokenFor('teacher', 'u-ta', 'acme', { email: 'ta@acme.example', name: 'Ta of Acme' });
    const globex = svc.tokenFor('teacher', 'u-ta', 'globex', { email: 'ta@globex.example', name: 'Ta of Globex' });
    const headers = { 'idempotency-key': 'open-1' };
    const first = await send('POST', '/tickets', { token: acme, body: { channel: 'email', request }, headers });
    const second = await send('POST', '/tickets', { token: globex, body: { channel: 'email', request }, headers });
    expect([first.status, second.status]).toEqual([201, 201]);
    // Before the fix globex got acme's answer (with acme's e-mail address), and its own ticket was never created.
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.json.ticketId).not.toBe(first.json.ticketId);
    expect(second.text).not.toContain('ta@acme.example');
    expect(second.json.ticket.namedUser.email).toBe('ta@globex.example');
    const opened = log.all().filter((e) => e.type === 'TicketOpened');
    expect(opened.map((e) => [e.metadata.organization, e.data.namedUser.email]).sort()).toEqual([
      ['acme', 'ta@acme.example'],
      ['globex', 'ta@globex.example'],
    ]);
    // Each reads their own ticket, and not the other's.
    expect((await send('GET', `/tickets/${first.json.ticketId as string}`, { token: acme })).status).toBe(200);
    expect((await send('GET', `/tickets/${second.json.ticketId as string}`, { token: globex })).status).toBe(200);
    expect((await send('GET', `/tickets/${first.json.ticketId as string}`, { token: globex })).status).toBe(404);
    // A retry by either is still answered from the store, with its own ticket.
    const retry = await send('POST', '/tickets', { token: globex, body: { channel: 'email', request }, headers });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.json.ticketId).toBe(second.json.ticketId);
  });

  test('one key on two routes of one ticket is two requests, each applied', async () => {
    const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
    const agent = svc.tokenFor('agent', 'u-agent', 'support');
    const id = (await send('POST', '/tickets', { token: ada, body: { channel: 'email', request } })).json.ticketId as string;
    const headers = { 'idempotency-key': 'same-key' };
    const classified = await send('POST', `/tickets/${id}/classification`, { token: agent, body: { category: 'personal/how-to' }, headers });
    const responded = await send('POST', `/tickets/${id}/response`, { token: agent, body: { message: 'On it', actionPlan: 'Steps', definedAs: 'support-item' }, headers });
    expect([classified.status, responded.status]).toEqual([200, 200]);
    expect(responded.json.events).toContain('TicketResponded');
  });

  test.each([
    ['with a space', 'has space'],
    ['empty', ''],
    ['201 characters long', 'k'.repeat(201)],
    ['non-ASCII', 'clé-1'],
    ['two keys joined', 'k-1, k-2'],
  ])('a key %s is a 400 naming the Idempotency-Key header, and the open does not run (before: ignored, so a retry opened twice)', async (_what, key) => {
    const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
    const before = log.count();
    for (let i = 0; i < 2; i++) {
      // fetch refuses header values outside Latin-1; a non-ASCII key goes out as its UTF-8 bytes.
      const res = await send('POST', '/tickets', { token: ada, body: { channel: 'email', request }, headers: { 'idempotency-key': Buffer.from(key, 'utf8').toString('latin1') } });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: 'validation', issues: [{ field: 'Idempotency-Key', message: expect.stringContaining('visible ASCII') }] });
    }
    expect(log.count()).toBe(before);
  });
});

describe('three monitors means three monitors', () => {
  const at = (offsetS: number): string => new Date(Date.now() - 120_000 + offsetS * 1000).toISOString();

  test('one compromised monitor token cannot report for the other two locations, so it cannot declare an outage', async () => {
    const chicago = svc.tokenFor('monitor', 'mon-chicago', 'ops', { monitor: 'chicago' });
    const own = await send('POST', '/monitors/chicago/reports', { token: chicago, body: { status: 'down', observedAt: at(0) } });
    expect(own.status).toBe(200);
    for (const [i, location] of (['california', 'atlanta'] as const).entries()) {
      const res = await send('POST', `/monitors/${location}/reports`, { token: chicago, body: { status: 'down', observedAt: at(i + 1) } });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: 'forbidden', message: expect.stringContaining(`chicago only, not for ${location}`) });
    }
    expect(log.all().filter((e) => e.type === 'OutageDeclared')).toEqual([]);
    const agent = svc.tokenFor('agent', 'u-agent', 'support');
    expect(((await send('GET', '/outages', { token: agent })).json.outages as Json[]).length).toBe(0);
  });

  test('a monitor token without its location is refused (401 naming the claim); an admin may still report for any location', async () => {
    const unbound = rawToken({ sub: 'mon-x', role: 'monitor', org: 'ops' });
    const res = await send('POST', '/monitors/atlanta/reports', { token: unbound, body: { status: 'up', observedAt: at(10) } });
    expect(res.status).toBe(401);
    expect(res.json.message).toMatch(/claim monitor/);
    const admin = svc.tokenFor('admin', 'u-admin', 'support');
    expect((await send('POST', '/monitors/atlanta/reports', { token: admin, body: { status: 'up', observedAt: at(11) } })).status).toBe(200);
  });
});

describe('tokens expire, within the cap, and carry claims the domain accepts', () => {
  const claims = { sub: 'u-ada', role: 'administrator', org: 'acme', email: 'ada@acme.example' };

  test.each([
    ['without exp (before: accepted forever)', () => rawToken(claims, {}), /no expiry \(claim exp\)/],
    ['living 31 days (the cap is 30)', () => rawToken(claims, { expiresIn: '31d' }), /exceeds the maximum of 30d/],
    ['with email ada@localhost (before: 201, then the read models stopped)', () => rawToken({ ...claims, email: 'ada@localhost' }), /claim email/],
    ['with a blank name', () => rawToken({ ...claims, name: '  ' }), /claim name/],
    ['with a blank sub', () => rawToken({ ...claims, sub: ' ' }), /claim sub/],
  ])('a token %s is a 401 naming the problem, and opens nothing', async (_what, token, message) => {
    const res = await send('POST', '/tickets', { token: token(), body: { channel: 'email', request } });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'unauthorized', message: expect.stringMatching(message) });
  });

  test('a token within the cap is accepted', async () => {
    const res = await send('POST', '/tickets', { token: rawToken(claims, { expiresIn: '30d' }), body: { channel: 'email', request } });
    expect(res.status).toBe(201);
  });
});

describe('tickets opened by staff belong to the customer’s organization (issue 20, point 3)', () => {
  test('an agent opening for a teacher of acme files the ticket under acme: the teacher reads it, a same-named teacher of the support organization does not', async () => {
    const agent = svc.tokenFor('agent', 'u-agent', 'support');
    const opened = await send('POST', '/tickets', {
      token: agent,
      body: { channel: 'email', request, organization: 'acme', namedUser: { id: 'u-tb', email: 'tb@acme.example', license: 'teacher' } },
    });
    expect(opened.status).toBe(201);
    const id = opened.json.ticketId as string;
    expect(log.all().find((e) => e.type === 'TicketOpened' && e.data.ticketId === id)?.metadata.organization).toBe('acme');
    // Before the fix the ticket was filed under the agent's organization: its customer got 404 and
    // a teacher u-tb of the support organization could read it.
    const customer = svc.tokenFor('teacher', 'u-tb', 'acme', { email: 'tb@acme.example' });
    const impostor = svc.tokenFor('teacher', 'u-tb', 'support', { email: 'tb@support.example' });
    expect((await send('GET', `/tickets/${id}`, { token: customer })).status).toBe(200);
    expect((await send('GET', `/tickets/${id}`, { token: impostor })).status).toBe(404);
  });

  test('staff must name the organization when opening for someone else (400 naming organization)', async () => {
    const agent = svc.tokenFor('agent', 'u-agent', 'support');
    const res = await send('POST', '/tickets', { token: agent, body: { channel: 'email', request, namedUser: { id: 'u-tc', email: 'tc@acme.example', license: 'teacher' } } });
    expect(res.status).toBe(400);
    expect(res.json.issues as Json[]).toEqual([expect.objectContaining({ field: 'organization' })]);
  });

  test('a requester cannot file a ticket under another organization (422 NOT_PERMITTED)', async () => {
    const teacher = svc.tokenFor('teacher', 'u-td', 'acme', { email: 'td@acme.example' });
    const res = await send('POST', '/tickets', { token: teacher, body: { channel: 'email', request, organization: 'globex' } });
    expect(res.status).toBe(422);
    expect(res.json.error).toBe('NOT_PERMITTED');
  });
});
