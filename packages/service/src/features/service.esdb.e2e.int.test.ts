import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
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

const post = async (path: string, token: string, body: unknown) => {
  const res = await fetch(`${svc.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const get = async (path: string, token: string) => {
  const res = await fetch(`${svc.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

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
  const deadlineMail = Date.now() + 10_000;
  let history = await get(`/tickets/${opened.json.ticketNumber}/history`, agent);
  while (!history.json.entries.some((e: { type: string }) => e.type === 'TicketNotificationSent') && Date.now() < deadlineMail) {
    await new Promise((r) => setTimeout(r, 100));
    history = await get(`/tickets/${opened.json.ticketNumber}/history`, agent);
  }
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
  const deadline = Date.now() + 10_000;
  let report = await get('/reports/compliance?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', agent);
  while (report.json.total?.received !== 1 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    report = await get('/reports/compliance?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z', agent);
  }
  expect(report.json.total.received).toBe(1);
  expect((await get('/queue', agent)).json.total).toBe(0);
});
