import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { call, eventually } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';

/**
 * The service's ticket flow once more, with events in EventStoreDB (the wire-level test double,
 * spoken to by the real @eventstore/db-client over gRPC) and local state in SQLite.
 */
jest.setTimeout(60_000);

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

const post = (path: string, token: string, body: unknown) => call(svc.baseUrl, 'POST', path, { token, body });
const get = (path: string, token: string) => call(svc.baseUrl, 'GET', path, { token });

test('a Premium ticket from opening to closure on EventStoreDB, with the read models fed by $all', async () => {
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  const opened = await post('/tickets', ada, { channel: 'phone', request: { summary: 'Export fails', description: 'Nothing happens' } });
  expect(opened.status).toBe(201);
  const id = opened.json.ticketId as string;
  expect(opened.json.ticketNumber).toBe('SS-000001');
  for (const [path, body] of [
    ['classification', { category: 'technical/bug', stepsToReproduce: 'Click export', usersAffected: 3 }],
    ['acknowledgement', {}],
    ['response', { message: 'On it', actionPlan: 'Patch and verify' }],
    ['resolution', { resolution: 'Patched' }],
    ['closure', {}],
  ] as const) {
    const res = await post(`/tickets/${id}/${path}`, agent, body);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
  }
  const ticket = await get(`/tickets/${id}`, ada);
  expect(ticket.json.ticket.status).toBe('closed');
  expect(ticket.json.sla.confirmation.status).toBe('met');

  // The mailer records the resolution e-mail on the closed ticket once it went out.
  const history = await eventually('the resolution e-mail recorded', async () => {
    const h = await get(`/tickets/${opened.json.ticketNumber}/history`, agent);
    return h.json.entries.some((e: { type: string }) => e.type === 'TicketNotificationSent') ? h : undefined;
  });
  const types = history.json.entries.map((e: { type: string }) => e.type);
  // The confirmation is recorded once, by the mailer or the agent, whichever came first.
  expect(types.filter((t: string) => t !== 'TicketAcknowledged')).toEqual([
    'TicketOpened',
    'TicketQueued',
    'TicketClassified',
    'TicketQueued',
    'TicketResponded',
    'TicketResolved',
    'TicketClosed',
    'TicketNotificationSent',
  ]);
  expect(types.filter((t: string) => t === 'TicketAcknowledged')).toHaveLength(1);

  // The standing read models follow the store's global log through subscribeToAll.
  const report = await eventually('the read models caught up', async () => {
    const r = await get('/reports/compliance?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', agent);
    return r.json.total?.received === 1 ? r : undefined;
  });
  expect(report.json.total.received).toBe(1);
  expect((await get('/queue', agent)).json.total).toBe(0);
});
