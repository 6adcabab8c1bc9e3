import { startService, type InProcessService } from '../testing/service-harness';
import { call, type Reply } from '../testing/http';
import { MAX_JSON_DEPTH } from '../http/json-depth';
import { LogReader } from './support/log-reader';

/**
 * Bodies are JSON or refused, and never nested past the limit (issue 20, points 6 and 7). Before:
 * a resolution sent as `text/plain` answered 200 and stored `TicketResolved` without its text;
 * a body nested 8,000 levels with an `Idempotency-Key` answered 500 (a stack overflow in the
 * canonical JSON of the request fingerprint).
 */
jest.setTimeout(60_000);

let svc: InProcessService;
let log: LogReader;
const tokens = { ada: '', agent: '' };

beforeAll(async () => {
  svc = await startService();
  log = new LogReader(svc.dbFile);
  tokens.ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  tokens.agent = svc.tokenFor('agent', 'u-agent', 'support');
});
afterAll(async () => {
  log.close();
  await svc.stop({ removeData: true });
});

const request = { summary: 'Grades do not export', description: 'The export button does nothing.' };

async function openTicket(stage: 'open' | 'responded' | 'resolved'): Promise<string> {
  const opened = await call(svc.baseUrl, 'POST', '/tickets', { token: tokens.ada, body: { channel: 'email', request } });
  const id = opened.json.ticketId as string;
  const steps: [string, unknown][] = [['classification', { category: 'personal/how-to' }]];
  if (stage !== 'open') steps.push(['response', { message: 'On it', actionPlan: 'Steps', definedAs: 'support-item' }]);
  if (stage === 'resolved') steps.push(['resolution', { resolution: 'Done' }]);
  for (const [path, body] of steps) {
    const res = await call(svc.baseUrl, 'POST', `/tickets/${id}/${path}`, { token: tokens.agent, body });
    if (res.status !== 200) throw new Error(`fixture: ${path} gave ${res.status} ${res.text}`);
  }
  return id;
}

/** Sends a raw body with the given Content-Type (or none); checks that a refusal stored nothing. */
async function sendRaw(path: string, token: string, body: string | undefined, contentType: string | undefined, headers: Record<string, string> = {}): Promise<Reply> {
  const before = log.head();
  const res = await fetch(`${svc.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, ...(contentType === undefined ? {} : { 'content-type': contentType }), ...headers },
    ...(body === undefined ? {} : { body: contentType === undefined ? new Blob([body]) : body }),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) expect(log.after(before).filter((e) => !String(e.metadata.actorId).startsWith('system'))).toEqual([]);
  return { status: res.status, json, text, headers: res.headers };
}

describe('bodies are JSON or refused', () => {
  test.each([
    ['resolution', 'responded', { resolution: 'Cleared the export cache' }],
    ['acknowledgement', 'open', {}],
    ['customer-reply', 'responded', { message: 'Thanks, that worked' }],
    ['closure', 'resolved', { resolutionDetails: 'Cache cleared' }],
  ] as const)('POST /tickets/:id/%s sent as text/plain is a 415 naming application/json, and nothing is stored', async (route, stage, body) => {
    const id = await openTicket(stage);
    const token = route === 'customer-reply' ? tokens.ada : tokens.agent;
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/xml', 'application/jsonp']) {
      const res = await sendRaw(`/tickets/${id}/${route}`, token, JSON.stringify(body), type);
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({ error: 'unsupported_media_type', message: expect.stringContaining('Content-Type: application/json') });
    }
    // A body with no Content-Type at all is refused the same way.
    expect((await sendRaw(`/tickets/${id}/${route}`, token, JSON.stringify(body), undefined)).status).toBe(415);
    // As JSON it is accepted, and the text is stored with it.
    const accepted = await sendRaw(`/tickets/${id}/${route}`, token, JSON.stringify(body), 'application/json; charset=utf-8');
    expect(accepted.status).toBe(200);
  });

  test('a command whose body is optional still works with no body and no Content-Type', async () => {
    const id = await openTicket('responded');
    const res = await sendRaw(`/tickets/${id}/resolution`, tokens.agent, undefined, undefined);
    expect(res.status).toBe(200);
    expect(res.json.events).toContain('TicketResolved');
  });

  test('a vendor JSON type (application/*+json) is read as JSON', async () => {
    const res = await sendRaw('/tickets', tokens.ada, JSON.stringify({ channel: 'email', request }), 'application/vnd.support-sla+json');
    expect(res.status).toBe(201);
  });
});

describe('deep or pathological input', () => {
  const nest = (depth: number): string => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

  test('8,000 levels with an Idempotency-Key is a 400 naming where, not a 500 (a stack overflow before)', async () => {
    for (const path of ['/tickets', '/policies']) {
      const res = await sendRaw(path, tokens.ada, nest(8_000), 'application/json', { 'idempotency-key': `deep-${path.slice(1)}` });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: 'validation', issues: [{ field: expect.stringMatching(/^a(\.a)*$/), message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) }] });
    }
    // Arrays too, and without a key.
    const arrays = await sendRaw('/tickets', tokens.ada, '['.repeat(20_000) + ']'.repeat(20_000), 'application/json');
    expect(arrays.status).toBe(400);
    expect(arrays.json.issues).toEqual([expect.objectContaining({ field: expect.stringMatching(/^0(\.0)*$/) })]);
  });

  test(`the limit is ${MAX_JSON_DEPTH} levels: one more is refused for its depth, up to it the body is validated as usual`, async () => {
    const over = await sendRaw('/tickets', tokens.ada, nest(MAX_JSON_DEPTH + 1), 'application/json', { 'idempotency-key': 'depth-over' });
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.json.issues)).toContain('deeper than');
    const at = await sendRaw('/tickets', tokens.ada, nest(MAX_JSON_DEPTH), 'application/json', { 'idempotency-key': 'depth-at' });
    expect(at.status).toBe(400);
    expect(JSON.stringify(at.json.issues)).not.toContain('deeper than');
  });
});
