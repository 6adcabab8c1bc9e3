// The service's own harness, from its sources under Jest (tsc checks it against its declarations).
import { startService, type InProcessService } from '../../service/src/testing/service-harness';
import { after, createSupportSlaClient, isSupportSlaError, SupportSlaError, type SupportSlaClient } from './index';

/**
 * One full ticket life through the typed client against the real service (in process, on a
 * temporary SQLite file): a requester opens it (with a replayed idempotency key), support
 * classifies, acknowledges, responds, resolves and closes it, and the ticket, its SLA clocks, its
 * timeline and the queue are read back, the queue with read-your-writes. Then the error answers.
 */
jest.setTimeout(60_000);

let svc: InProcessService;
let ada: SupportSlaClient;
let agent: SupportSlaClient;

beforeAll(async () => {
  svc = await startService({ env: { NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0', SEAL_FILE: '' } });
  ada = createSupportSlaClient({ baseUrl: svc.baseUrl, token: svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' }) });
  agent = ada.withToken(svc.tokenFor('agent', 'u-lee', 'support', { name: 'Lee' }));
});

afterAll(async () => {
  await svc?.stop({ removeData: true });
});

const request = { summary: 'Grade export fails', description: 'Export does nothing since Monday' };

describe('the typed client against the real service', () => {
  let ticketNumber = '';

  test('a ticket from opening to closure, read back with its SLA clocks', async () => {
    const opened = await ada.POST('/tickets', { body: { channel: 'email', request }, idempotencyKey: 'client-e2e-open-1' });
    expect(opened.events).toEqual(['TicketOpened', 'TicketQueued']);
    expect(opened.ticket?.tier).toBe('premium');
    ticketNumber = opened.ticketNumber ?? '';
    expect(ticketNumber).toMatch(/^SS-\d{6}$/);
    // The same key again: the first answer, no second ticket.
    const replayed = await ada.POST('/tickets', { body: { channel: 'email', request }, idempotencyKey: 'client-e2e-open-1' });
    expect(replayed.ticketId).toBe(opened.ticketId);

    // Read your writes: the agent's first queue read waits for Ada's open (same session).
    expect(agent.lastPosition).toBe(opened.position);
    const queue = await agent.GET('/queue');
    expect(queue.entries.map((e) => e.ticketNumber)).toContain(ticketNumber);

    const id = { path: { id: ticketNumber } };
    const classified = await agent.POST('/tickets/{id}/classification', {
      params: id,
      body: { category: 'technical/bug', stepsToReproduce: 'Click Export', usersAffected: 40 },
    });
    expect(classified.events).toContain('TicketClassified');
    await agent.POST('/tickets/{id}/acknowledgement', { params: id });
    await agent.POST('/tickets/{id}/response', { params: id, body: { message: 'Reproduced', actionPlan: 'Hotfix tonight, confirm tomorrow' } });
    await agent.POST('/tickets/{id}/resolution', { params: id, body: { resolution: 'Fixed in 2.3.1' } });
    const closed = await agent.POST('/tickets/{id}/closure', { params: id, body: { resolutionDetails: 'Upgrade to 2.3.1.' } });
    expect(closed.ticket?.status).toBe('closed');

    const details = await ada.GET('/tickets/{id}', { params: id });
    expect(details.ticket.status).toBe('closed');
    expect(details.ticket.category).toBe('technical/bug');
    expect([details.sla.confirmation.status, details.sla.response.status]).toEqual(['met', 'met']);
    expect(details.sla.resolution.stoppedAt).not.toBeNull();

    // The clocks as of an instant (here: now, judged by when each event happened).
    const asOf = await agent.GET('/tickets/{id}/sla', { params: { ...id, query: { reading: 'occurred' } } });
    expect(asOf.state?.status).toBe('closed');
    expect(asOf.sla?.confirmation.deadline).not.toBeNull();

    const history = await agent.GET('/tickets/{id}/history', { params: id });
    expect(history.entries.map((e) => e.type)).toEqual(expect.arrayContaining(['TicketOpened', 'TicketClassified', 'TicketResponded', 'TicketResolved', 'TicketClosed']));

    // The closed ticket left the queue: with the closure's position, explicitly, and implicitly.
    const afterClosure = await agent.GET('/queue', { params: { query: { ...after(closed) } } });
    expect(afterClosure.readModelPosition).not.toBeNull();
    expect(afterClosure.entries.map((e) => e.ticketNumber)).not.toContain(ticketNumber);
    expect((await agent.GET('/queue', { params: { query: { tier: 'premium' } } })).entries.map((e) => e.ticketNumber)).not.toContain(ticketNumber);
  });

  test('error answers are SupportSlaError with the service’s body', async () => {
    const invalid = await ada.POST('/tickets', { body: { channel: 'email', request: { summary: ' ', description: 'x' } } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(SupportSlaError);
    const e = invalid as SupportSlaError;
    expect([e.status, e.error]).toEqual([400, 'validation']);
    expect(e.issues.map((i) => i.field)).toContain('request.summary');
    expect(e.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.requestId).toBeDefined();

    const notFound = await agent.GET('/tickets/{id}', { params: { path: { id: 'SS-999999' } } }).catch((err: unknown) => err);
    expect(isSupportSlaError(notFound) && [notFound.status, notFound.error]).toEqual([404, expect.any(String)]);

    // A requester may not classify.
    const forbidden = await ada.POST('/tickets/{id}/classification', { params: { path: { id: ticketNumber } }, body: { category: 'personal/how-to' } }).catch((err: unknown) => err);
    expect(isSupportSlaError(forbidden) && forbidden.status).toBe(403);

    const noToken = await createSupportSlaClient({ baseUrl: svc.baseUrl }).GET('/queue').catch((err: unknown) => err);
    expect(isSupportSlaError(noToken, 'unauthorized') && noToken.status).toBe(401);

    // /health needs no token.
    expect((await createSupportSlaClient({ baseUrl: svc.baseUrl }).GET('/health')).status).toBe('ok');
  });
});
