import { after, comparePositions, createSupportSlaClient, isSupportSlaError, SupportSlaError, type Schemas } from './index';

/**
 * The wrapper against a fake fetch: what it sends (token, idempotency key, minPosition) and what it
 * makes of the answers (parsed bodies, SupportSlaError).
 */
interface Sent {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: unknown;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const fakeFetch = (answer: (sent: Sent) => Response = () => json(200, {})) => {
  const sent: Sent[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const text = request.body === null ? '' : await request.text();
    const call: Sent = { method: request.method, url: new URL(request.url), headers: request.headers, body: text === '' ? undefined : JSON.parse(text) };
    sent.push(call);
    return answer(call);
  };
  return { fetch, sent };
};

const commandAnswer = (position: string): Schemas['TicketCommandAnswer'] =>
  ({ ticketId: 'T-1', ticketNumber: 'SS-000001', events: ['TicketOpened'], revision: '1', position }) as Schemas['TicketCommandAnswer'];

const openBody = { channel: 'email', request: { summary: 'Grade export fails', description: 'Export does nothing since Monday' } } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createSupportSlaClient', () => {
  test('sends the bearer token on every call, to the base URL (trailing slash or not)', async () => {
    const { fetch, sent } = fakeFetch((s) => (s.method === 'POST' ? json(201, commandAnswer('3')) : json(200, { tickets: [] })));
    const sla = createSupportSlaClient({ baseUrl: 'http://svc.test:3000/', token: 'tok-1', fetch });
    await sla.POST('/tickets', { body: openBody });
    await sla.GET('/tickets/{id}', { params: { path: { id: 'SS-000001' } } });
    expect(sent.map((s) => [s.method, s.url.href, s.headers.get('authorization')])).toEqual([
      ['POST', 'http://svc.test:3000/tickets', 'Bearer tok-1'],
      ['GET', 'http://svc.test:3000/tickets/SS-000001', 'Bearer tok-1'],
    ]);
    expect(sent[0]!.body).toEqual(openBody);
  });

  test('asks a token function before every call (so a token can be refreshed)', async () => {
    const { fetch, sent } = fakeFetch();
    let n = 0;
    const sla = createSupportSlaClient({ baseUrl: 'http://svc.test', token: async () => `tok-${++n}`, fetch });
    await sla.GET('/policies');
    await sla.GET('/policies');
    expect(sent.map((s) => s.headers.get('authorization'))).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  test('sends no Authorization header without a token', async () => {
    const { fetch, sent } = fakeFetch(() => json(200, { status: 'ok' }));
    await createSupportSlaClient({ baseUrl: 'http://svc.test', fetch }).GET('/health');
    expect(sent[0]!.headers.has('authorization')).toBe(false);
  });

  test('a command gets a new random Idempotency-Key unless one is given; queries get none', async () => {
    const { fetch, sent } = fakeFetch((s) => json(s.method === 'POST' ? 201 : 200, commandAnswer('1')));
    const sla = createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch });
    await sla.POST('/tickets', { body: openBody });
    await sla.POST('/tickets', { body: openBody });
    await sla.POST('/tickets', { body: openBody, idempotencyKey: 'ada-1' });
    await sla.POST('/tickets', { body: openBody, params: { header: { 'Idempotency-Key': 'ada-2' } } });
    await sla.POST('/tickets', { body: openBody, headers: { 'idempotency-key': 'ada-3' } });
    await sla.GET('/policies');
    const keys = sent.map((s) => s.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(UUID);
    expect(keys[1]).toMatch(UUID);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys.slice(2)).toEqual(['ada-1', 'ada-2', 'ada-3', null]);
  });

  test('resolves with the parsed answer, typed by path', async () => {
    const { fetch } = fakeFetch(() => json(201, commandAnswer('42/42')));
    const opened = await createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch }).POST('/tickets', { body: openBody });
    const number: string | null = opened.ticketNumber;
    expect([number, opened.position]).toEqual(['SS-000001', '42/42']);
  });

  test('parseAs text gives the text (CSV report, metrics)', async () => {
    const { fetch } = fakeFetch(() => new Response('# HELP x\nx 1\n', { status: 200, headers: { 'Content-Type': 'text/plain' } }));
    const text: string = await createSupportSlaClient({ baseUrl: 'http://svc.test', fetch }).GET('/metrics', { parseAs: 'text' });
    expect(text).toContain('x 1');
  });

  describe('read your writes', () => {
    test('read-model queries wait for the latest command position of the session, shared by withToken', async () => {
      const positions = ['5/5', '9/9', '7/7'];
      const { fetch, sent } = fakeFetch((s) => (s.method === 'POST' ? json(200, commandAnswer(positions.shift()!)) : json(200, {})));
      const ada = createSupportSlaClient({ baseUrl: 'http://svc.test', token: 'ada', fetch });
      const agent = ada.withToken('agent');
      await agent.GET('/queue');
      expect(sent[0]!.url.searchParams.has('minPosition')).toBe(false);

      await ada.POST('/tickets', { body: openBody });
      await agent.GET('/queue', { params: { query: { tier: 'premium' } } });
      expect(Object.fromEntries(sent[2]!.url.searchParams)).toEqual({ tier: 'premium', minPosition: '5/5' });
      expect(sent[2]!.headers.get('authorization')).toBe('Bearer agent');

      // The later of concurrent answers wins, whichever arrives last.
      await agent.POST('/tickets/{id}/acknowledgement', { params: { path: { id: 'SS-000001' } } });
      await ada.POST('/tickets/{id}/customer-reply', { params: { path: { id: 'SS-000001' } }, body: { message: 'Firefox' } });
      expect(agent.lastPosition).toBe('9/9');
      await ada.GET('/sla');
      await ada.GET('/reports/compliance', { params: { query: { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } } });
      expect(sent.slice(5).map((s) => s.url.searchParams.get('minPosition'))).toEqual(['9/9', '9/9']);
    });

    test('ticket reads (always current) get no minPosition; an explicit one is kept; readYourWrites: false turns it off', async () => {
      const { fetch, sent } = fakeFetch((s) => (s.method === 'POST' ? json(201, commandAnswer('5')) : json(200, {})));
      const sla = createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch });
      const opened = await sla.POST('/tickets', { body: openBody });
      await sla.GET('/tickets/{id}', { params: { path: { id: 'SS-000001' } } });
      await sla.GET('/queue', { params: { query: { minPosition: '2' } } });
      await sla.GET('/queue', { params: { query: { ...after(opened) } } });
      expect(after({ position: null })).toEqual({});
      const off = createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch, readYourWrites: false });
      await off.POST('/tickets', { body: openBody });
      await off.GET('/queue');
      expect(sent.map((s) => s.url.searchParams.get('minPosition'))).toEqual([null, null, '2', '5', null, null]);
    });

    test('positions compare as commit/prepare pairs or plain numbers', () => {
      expect(comparePositions('10/10', '9/9')).toBe(1);
      expect(comparePositions('9/9', '9/12')).toBe(-1);
      expect(comparePositions('100', '99')).toBe(1);
      expect(comparePositions('7', '7')).toBe(0);
      expect(comparePositions('x', '7')).toBe(0);
    });
  });

  describe('errors', () => {
    test('a non-2xx answer rejects with SupportSlaError: status, the error body, request id, idempotency key', async () => {
      const body = { error: 'validation', message: 'The body is invalid', issues: [{ field: 'request.summary', message: 'is required' }] };
      const { fetch } = fakeFetch(() => json(400, body, { 'X-Request-Id': 'req-7' }));
      const sla = createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch });
      const failure = await sla.POST('/tickets', { body: openBody, idempotencyKey: 'k-1' }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SupportSlaError);
      expect(isSupportSlaError(failure, 'validation')).toBe(true);
      expect(isSupportSlaError(failure, 'forbidden')).toBe(false);
      const e = failure as SupportSlaError;
      expect({ status: e.status, error: e.error, issues: e.issues, body: e.body, requestId: e.requestId, key: e.idempotencyKey, method: e.method, path: e.path }).toEqual({
        status: 400,
        error: 'validation',
        issues: body.issues,
        body,
        requestId: 'req-7',
        key: 'k-1',
        method: 'POST',
        path: '/tickets',
      });
      expect(e.message).toBe('POST /tickets: 400 validation: The body is invalid');
    });

    test('an answer that is not the service error body still gives a SupportSlaError', async () => {
      const { fetch } = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
      const failure = await createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch })
        .GET('/tickets/{id}', { params: { path: { id: 'SS-1' } } })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SupportSlaError);
      expect((failure as SupportSlaError).body).toEqual({ error: 'http_502', message: '<html>Bad gateway</html>' });
      expect((failure as SupportSlaError).issues).toEqual([]);
    });

    test('a failed command does not move the read-your-writes position', async () => {
      const { fetch } = fakeFetch(() => json(409, { error: 'conflict', position: '99' }));
      const sla = createSupportSlaClient({ baseUrl: 'http://svc.test', token: 't', fetch });
      await expect(sla.POST('/tickets', { body: openBody })).rejects.toThrow(SupportSlaError);
      expect(sla.lastPosition).toBeUndefined();
    });

    test('the service cannot be reached: fetch’s own error', async () => {
      const sla = createSupportSlaClient({ baseUrl: 'http://svc.test', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
      await expect(sla.GET('/health')).rejects.toThrow('fetch failed');
    });
  });
});
