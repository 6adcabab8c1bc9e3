import type { Reply } from '../testing/http';
import { contractClient, fetchOpenApiDocument, OpenApiContract } from '../testing/openapi-contract';
import { startService, type InProcessService } from '../testing/service-harness';

/**
 * The API contract end to end: every route is exercised at least once over real HTTP (a full
 * ticket life, an outage from monitor reports to closure, the read models, policies, seals,
 * health and metrics, and the usual error answers), and every answer is checked against the
 * schema, status and headers that `/docs/openapi.json` declares for it.
 */
jest.setTimeout(120_000);

let svc: InProcessService;
let contract: OpenApiContract;
let api: ReturnType<typeof contractClient>;

const tokens = () => ({
  admin: svc.tokenFor('admin', 'u-admin', 'support'),
  agent: svc.tokenFor('agent', 'u-lee', 'support', { name: 'Lee' }),
  auditor: svc.tokenFor('auditor', 'u-aud', 'support'),
  monitor: svc.tokenFor('monitor', 'mon-chicago', 'support'),
  ada: svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' }),
  pat: svc.tokenFor('publisher', 'u-pat', 'acme', { email: 'pat@acme.example', name: 'Pat' }),
});
const request = { summary: 'Grade export fails', description: 'Clicking Export does nothing since the last update.' };
const expectStatus = (reply: Reply, status: number): Reply => {
  expect({ status: reply.status, body: reply.status === status ? undefined : reply.text }).toEqual({ status, body: undefined });
  return reply;
};

beforeAll(async () => {
  svc = await startService({ env: { NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0', SEAL_FILE: '' } });
  contract = new OpenApiContract(await fetchOpenApiDocument(svc.baseUrl));
  api = contractClient(svc.baseUrl, contract);
});

afterAll(async () => {
  await svc?.stop({ removeData: true });
});

describe('every answer matches the OpenAPI document', () => {
  let ticketId = '';
  let ticketNumber = '';
  let linkedId = '';
  let outageId = '';
  let lastPosition = '';

  test('operations: health and metrics', async () => {
    expect((await api('GET', '/health')).json.status).toBe('ok');
    expect((await api('GET', '/metrics')).text).toContain('support_sla_');
    expect((await api('GET', '/status')).json.monitors).toHaveLength(3);
  });

  test('a full ticket life, with a replayed keyed command', async () => {
    const t = tokens();
    const opened = expectStatus(await api('POST', '/tickets', { token: t.ada, body: { channel: 'email', request }, headers: { 'Idempotency-Key': 'contract-open-1' } }), 201);
    ({ ticketId, ticketNumber } = opened.json as { ticketId: string; ticketNumber: string });
    const replayed = expectStatus(await api('POST', '/tickets', { token: t.ada, body: { channel: 'email', request }, headers: { 'Idempotency-Key': 'contract-open-1' } }), 201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.json.ticketId).toBe(ticketId);

    const id = { id: ticketNumber };
    expectStatus(await api('POST', '/tickets/{id}/classification', { token: t.agent, params: id, body: { category: 'personal/how-to' } }), 200);
    expectStatus(await api('POST', '/tickets/{id}/acknowledgement', { token: t.agent, params: id }), 200);
    expectStatus(
      await api('POST', '/tickets/{id}/response', { token: t.agent, params: id, body: { message: 'Here is the plan.', actionPlan: 'Reproduce, then fix the export.', definedAs: 'support-ticket' } }),
      200,
    );
    expectStatus(await api('POST', '/tickets/{id}/awaiting-customer', { token: t.agent, params: id, body: { reason: 'Which browser?' } }), 200);
    expectStatus(await api('POST', '/tickets/{id}/customer-reply', { token: t.ada, params: id, body: { message: 'Firefox.' } }), 200);
    expectStatus(await api('POST', '/tickets/{id}/resolution', { token: t.agent, params: id, body: { resolution: 'Fixed in 2.3.1' } }), 200);
    expectStatus(await api('POST', '/tickets/{id}/closure', { token: t.agent, params: id, body: { resolutionDetails: 'Upgrade to 2.3.1.' } }), 200);
    const reopened = expectStatus(await api('POST', '/tickets/{id}/reopening', { token: t.ada, params: id, body: { reason: 'It failed again.' } }), 200);
    expect(reopened.json.ticket.reopenCount).toBe(1);

    const details = expectStatus(await api('GET', '/tickets/{id}', { token: t.ada, params: { id: ticketId } }), 200);
    expect(details.json.sla.confirmation.status).toBe('met');
    expect((await api('GET', '/tickets/{id}', { token: t.agent, params: id, query: { asOf: new Date().toISOString() } })).status).toBe(200);
    expect(expectStatus(await api('GET', '/tickets/{id}/history', { token: t.auditor, params: id }), 200).json.entries.length).toBeGreaterThan(8);
    expectStatus(await api('GET', '/tickets/{id}/sla', { token: t.agent, params: id, query: { reading: 'recorded' } }), 200);
    // Before the ticket existed: state and clocks are null.
    const before = expectStatus(await api('GET', '/tickets/{id}/sla', { token: t.agent, params: id, query: { asOf: '2026-01-05T12:00:00Z' } }), 200);
    expect(before.json.state).toBeNull();
  });

  test('an outage: monitor reports, staff declaration, link, acknowledgement, restoration, debrief, closure', async () => {
    const t = tokens();
    expectStatus(await api('POST', '/monitors/{location}/reports', { token: t.monitor, params: { location: 'chicago' }, body: { status: 'up', observedAt: new Date().toISOString() } }), 200);
    const declared = expectStatus(await api('POST', '/outages', { token: t.agent, body: { scope: 'Gradebook', reason: 'Every school reports 500s' } }), 201);
    outageId = (declared.json.outages as string[])[0]!;
    const linked = expectStatus(await api('POST', '/tickets', { token: t.pat, body: { channel: 'chat', request } }), 201);
    linkedId = linked.json.ticketId as string;
    const link = expectStatus(await api('POST', '/tickets/{id}/outage-link', { token: t.agent, params: { id: linkedId }, body: { outageId } }), 200);
    expect(link.json.ticket.outageId).toBe(outageId);
    const od = { id: outageId };
    expectStatus(await api('POST', '/outages/{id}/acknowledgement', { token: t.agent, params: od }), 200);
    expectStatus(await api('POST', '/outages/{id}/restoration', { token: t.agent, params: od }), 200);
    expectStatus(
      await api('POST', '/outages/{id}/debrief', {
        token: t.agent,
        params: od,
        body: { whenItOccurred: 'This morning', howItOccurred: 'A full disk', preventionPlan: 'Alert at 80 % disk' },
      }),
      200,
    );
    const closed = expectStatus(await api('POST', '/outages/{id}/closure', { token: t.agent, params: od }), 200);
    lastPosition = closed.json.position as string;
    const listing = expectStatus(await api('GET', '/outages', { token: t.auditor }), 200);
    expect(listing.json.outages).toEqual([expect.objectContaining({ outageId, debriefed: true, closed: true })]);
  });

  test('policies and entitlements', async () => {
    const t = tokens();
    const listed = expectStatus(await api('GET', '/policies', { token: t.admin }), 200);
    const v1 = (listed.json.versions as Record<string, unknown>[])[0]!;
    const published = expectStatus(await api('POST', '/policies', { token: t.admin, body: { ...v1, version: 2 } }), 201);
    lastPosition = published.json.position as string;
    expectStatus(await api('GET', '/policies/entitlements', { token: t.ada }), 200);
    expect(expectStatus(await api('GET', '/policies/entitlements', { token: t.agent }), 200).json.tiers).toHaveLength(2);
  });

  test('read models, read-your-writes: queue, SLA board, compliance report (JSON, what-if, CSV)', async () => {
    const t = tokens();
    const minPosition = lastPosition;
    const queue = expectStatus(await api('GET', '/queue', { token: t.agent, query: { minPosition, limit: '10' } }), 200);
    expect((queue.json.entries as { ticketId: string }[]).map((e) => e.ticketId)).toEqual(expect.arrayContaining([ticketId, linkedId]));
    expectStatus(await api('GET', '/queue', { token: t.auditor, query: { tier: 'premium' } }), 200);
    expectStatus(await api('GET', '/sla', { token: t.agent, query: { minPosition } }), 200);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const report = expectStatus(await api('GET', '/reports/compliance', { token: t.auditor, query: { from, to, minPosition } }), 200);
    expect(report.headers.get('x-read-model-position')).toMatch(/^\d+\/\d+$/);
    expect(report.json.total.received).toBeGreaterThanOrEqual(2);
    const whatIf = expectStatus(await api('GET', '/reports/compliance', { token: t.agent, query: { from, to, policyVersion: '2' } }), 200);
    expect(whatIf.json.whatIf.policy).toBe(2);
    const csv = expectStatus(await api('GET', '/reports/compliance', { token: t.agent, query: { from, to, format: 'csv' } }), 200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[0]).toMatch(/^policy,period_from,period_to,as_of/);
  });

  test('seals', async () => {
    const sealed = expectStatus(await api('POST', '/seals', { token: tokens().admin }), 201);
    expect(sealed.json.seal).not.toBeNull();
  });

  test('error answers carry the declared error body', async () => {
    const t = tokens();
    expect((await api('POST', '/tickets', { token: t.ada, body: { channel: 'email', request: { summary: '' } } })).json.error).toBe('validation');
    expect((await api('POST', '/tickets', { body: { channel: 'email', request } })).status).toBe(401);
    expect((await api('POST', '/policies', { token: t.agent, body: {} })).status).toBe(403);
    expect((await api('GET', '/tickets/{id}', { token: t.agent, params: { id: 'SS-999999' } })).status).toBe(404);
    expect((await api('POST', '/tickets/{id}/closure', { token: t.agent, params: { id: linkedId } })).status).toBe(422);
    expect((await api('POST', '/tickets', { token: t.ada, body: 'not json', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await api('POST', '/tickets', { token: t.ada, body: { channel: 'email', request }, headers: { 'Idempotency-Key': 'with space' } })).status).toBe(400);
    expect((await api('GET', '/reports/compliance', { token: t.agent, query: { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', policyVersion: '9' } })).status).toBe(404);
  });

  test('every route of the document was exercised', () => {
    expect(contract.unexercised()).toEqual([]);
  });
});
