import { ManualClock } from '../application/clock';
import { call as httpCall, type Json } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';
import { CLOCK_OVERRIDE } from '../support.module';

/**
 * The agreement read as written, over real HTTP on a temporary SQLite file: late entries keep
 * their real times, a wait on the customer pauses resolution only, nothing is resolved before it
 * is typed, and a report counts only what has happened.
 */
jest.setTimeout(60_000);

const clock = new ManualClock(new Date('2026-03-10T13:00:00Z')); // Tuesday 09:00 New York
let svc: InProcessService;

const tokens = () => ({
  ada: svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' }),
  agent: svc.tokenFor('agent', 'u-agent', 'support'),
});
const call = (method: string, path: string, token: string, body?: unknown) =>
  httpCall(svc.baseUrl, method, path, { token, ...(body === undefined ? {} : { body }), headers: {} });
const request = { summary: 'Roster sync stalls', description: 'The nightly roster import has not finished since Monday.' };

let lastNumber = '';
let lastPosition = '';
const open = async (): Promise<string> => {
  const res = await call('POST', '/tickets', tokens().ada, { channel: 'email', request });
  expect(res.status).toBe(201);
  lastNumber = res.json.ticketNumber as string;
  lastPosition = res.json.position as string;
  return res.json.ticketId as string;
};

beforeAll(async () => {
  svc = await startService({ providers: [{ provide: CLOCK_OVERRIDE, useValue: clock }] });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
});

describe('late entries keep their real times', () => {
  test('staff record a phone response after the fact: occurred and recorded times stand side by side', async () => {
    clock.set('2026-03-10T13:00:00Z');
    const id = await open();
    const t = tokens();
    clock.set('2026-03-10T13:05:00Z');
    expect((await call('POST', `/tickets/${id}/classification`, t.agent, { category: 'personal/how-to' })).status).toBe(200);
    clock.set('2026-03-10T16:00:00Z');
    const res = await call('POST', `/tickets/${id}/response`, t.agent, {
      message: 'Called Ada back.',
      actionPlan: 'Re-run the import with logging; call back Thursday',
      via: 'phone',
      occurredAt: '2026-03-10T10:30:00-04:00',
    });
    expect(res.status).toBe(200);
    const history = await call('GET', `/tickets/${id}/history`, t.agent);
    const responded = (history.json.entries as Json[]).find((e) => e.type === 'TicketResponded');
    // The instant as staff entered it (with their offset), and when the service stored it.
    expect(responded).toMatchObject({ occurredAt: '2026-03-10T10:30:00-04:00', recordedAt: '2026-03-10T16:00:00.000Z' });
    const sla = await call('GET', `/tickets/${id}`, t.agent);
    expect(sla.json.sla.response).toMatchObject({ status: 'met', stoppedAt: '2026-03-10T14:30:00.000Z' });
    // What was known at 15:00: nothing yet (recorded at 16:00); what had happened: the response.
    const recorded = await call('GET', `/tickets/${id}/sla?asOf=2026-03-10T15:00:00Z&reading=recorded`, t.agent);
    expect(recorded.json.sla.response.stoppedAt).toBeNull();
    const occurred = await call('GET', `/tickets/${id}/sla?asOf=2026-03-10T15:00:00Z&reading=occurred`, t.agent);
    expect(occurred.json.sla.response.stoppedAt).toBe('2026-03-10T14:30:00.000Z');
  });

  test('occurredAt in the future, before the previous event, or without an offset is refused', async () => {
    clock.set('2026-03-10T17:00:00Z');
    const id = await open();
    const t = tokens();
    const future = await call('POST', `/tickets/${id}/awaiting-customer`, t.agent, { reason: 'Away', occurredAt: '2026-03-10T17:02:00Z' });
    expect(future.status).toBe(422);
    expect(future.json.error).toBe('OCCURRED_IN_FUTURE');
    const early = await call('POST', `/tickets/${id}/awaiting-customer`, t.agent, { reason: 'Away', occurredAt: '2026-03-10T16:00:00Z' });
    expect(early.json.error).toBe('OCCURRED_BEFORE_PREVIOUS_EVENT');
    const local = await call('POST', `/tickets/${id}/awaiting-customer`, t.agent, { reason: 'Away', occurredAt: '2026-03-10T12:00:00' });
    expect(local.status).toBe(400);
    expect(JSON.stringify(local.json)).toContain('occurredAt');
  });

  test('requesters cannot backdate', async () => {
    clock.set('2026-03-10T17:10:00Z');
    const id = await open();
    const t = tokens();
    clock.set('2026-03-10T17:20:00Z');
    expect((await call('POST', `/tickets/${id}/awaiting-customer`, t.agent, { reason: 'Which school?' })).status).toBe(200);
    clock.set('2026-03-10T17:40:00Z');
    const reply = await call('POST', `/tickets/${id}/customer-reply`, t.ada, { message: 'North', occurredAt: '2026-03-10T17:30:00Z' });
    expect(reply.status).toBe(422);
    expect(reply.json.error).toBe('NOT_PERMITTED');
  });
});

describe('waiting on the customer pauses resolution only', () => {
  test('while the ticket waits on the customer, confirmation and response keep running', async () => {
    clock.set('2026-03-11T13:00:00Z'); // Wednesday 09:00
    const id = await open();
    const t = tokens();
    clock.set('2026-03-11T13:30:00Z');
    expect((await call('POST', `/tickets/${id}/awaiting-customer`, t.agent, { reason: 'Need the import log' })).status).toBe(200);
    clock.set('2026-03-11T15:30:00Z');
    const res = await call('GET', `/tickets/${id}`, t.agent);
    expect(res.json.sla.response).toMatchObject({ status: 'running', businessTimeUsedMs: 2.5 * 3_600_000, pausedTimeMs: 0 });
    expect(res.json.sla.resolution).toMatchObject({ status: 'paused', pausedTimeMs: 2 * 3_600_000 });
  });
});

describe('every request is assigned a type before it is resolved or closed', () => {
  test('resolving an unclassified ticket is 422 NOT_CLASSIFIED', async () => {
    clock.set('2026-03-11T16:00:00Z');
    const id = await open();
    const res = await call('POST', `/tickets/${id}/resolution`, tokens().agent, { resolution: 'Done' });
    expect(res.status).toBe(422);
    expect(res.json.error).toBe('NOT_CLASSIFIED');
  });

  test('a blank or punctuation-only Premium action plan is refused', async () => {
    clock.set('2026-03-11T16:10:00Z');
    const id = await open();
    const t = tokens();
    expect((await call('POST', `/tickets/${id}/classification`, t.agent, { category: 'personal/how-to' })).status).toBe(200);
    const res = await call('POST', `/tickets/${id}/response`, t.agent, { message: 'Hi', actionPlan: '...' });
    expect(res.status).toBe(422);
    expect(res.json.error).toBe('MISSING_ACTION_PLAN');
  });
});

describe('reports count only what has happened', () => {
  test('a report for the current month counts a response due tomorrow as pending, and states its asOf', async () => {
    clock.set('2026-03-12T14:00:00Z'); // Thursday 10:00: responses of today's tickets are due Friday 18:00
    await open();
    const t = tokens();
    const month = 'from=2026-03-01T00:00:00-05:00&to=2026-04-01T00:00:00-04:00';
    const report = await call('GET', `/reports/compliance?${month}&minPosition=${lastPosition}`, t.agent);
    expect(report.status).toBe(200);
    expect(report.json.asOf).toBe('2026-03-12T14:00:00.000Z');
    // Today's ticket is pending, never breached, although `to` (the end of the month) is weeks away.
    expect(lastNumber).toMatch(/^SS-\d+$/);
    expect(report.json.total.breachedTickets).not.toContain(lastNumber);
    expect(report.json.total.response.pending).toBeGreaterThanOrEqual(1);
    const csv = await httpCall(svc.baseUrl, 'GET', `/reports/compliance?${month}&format=csv`, { token: t.agent, headers: {} });
    expect(csv.text).toContain(',2026-03-12T14:00:00.000Z,');
    const pinned = await call('GET', `/reports/compliance?${month}&asOf=2026-03-12T13:00:00Z`, t.agent);
    expect(pinned.json.asOf).toBe('2026-03-12T13:00:00.000Z');
    // An hour earlier, today's ticket had not been received yet.
    expect(pinned.json.total.received).toBe(report.json.total.received - 1);
  });
});
