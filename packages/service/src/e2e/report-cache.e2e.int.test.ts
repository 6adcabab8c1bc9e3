import { renderComplianceReport, reportPeriod, type ReportFormat } from '../application/report-rendering';
import { ManualClock } from '../application/clock';
import { ReadModelsHost } from '../application/read-models.host';
import { CLOCK_OVERRIDE } from '../support.module';
import { call, type Json } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';
import { ComplianceReportCache } from '../reports/report-cache';

/**
 * The report cache answers the bytes the plain fold renders, however the log moves: a generated
 * log of tickets over three months (opened, classified, acknowledged, responded to, paused,
 * resolved, closed, reopened, linked to an outage), an outage declared and ended, with writes
 * between the requests. After every write, each query of a fixed set (periods, formats, asOf,
 * what-if) is asked over HTTP and compared, byte for byte, with `renderComplianceReport` of the
 * read models at that moment; and the cache must have answered some of them (hits) and dropped
 * exactly the periods a write touched.
 */
jest.setTimeout(90_000);

const clock = new ManualClock(new Date('2026-01-05T14:00:00Z'));
let svc: InProcessService;
let agent: string;
let admin: string;
let teacher: string;

beforeAll(async () => {
  svc = await startService({ providers: [{ provide: CLOCK_OVERRIDE, useValue: clock }], env: { NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0' } });
  agent = svc.tokenFor('agent', 'u-agent', 'support', { name: 'Alex Agent' });
  admin = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' });
  teacher = svc.tokenFor('teacher', 'u-tom', 'acme', { email: 'tom@acme.example', name: 'Tom' });
});

afterAll(async () => {
  await svc?.stop({ removeData: true });
});

let position = '';
const write = async (path: string, token: string, body: unknown = {}): Promise<Json> => {
  const reply = await call(svc.baseUrl, 'POST', path, { token, body });
  expect({ path, status: reply.status, body: reply.status < 300 ? null : reply.json }).toEqual({ path, status: reply.status < 300 ? reply.status : 201, body: null });
  if (typeof reply.json.position === 'string') position = reply.json.position;
  return reply.json;
};

interface Ask {
  readonly from: string;
  readonly to: string;
  readonly format: ReportFormat;
  readonly asOf?: string;
  readonly policyVersion?: number;
}

const ASKS: readonly Ask[] = [
  { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', format: 'json' },
  { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', format: 'csv' },
  { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', format: 'json', policyVersion: 1 },
  { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z', format: 'json' },
  { from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z', format: 'json', asOf: '2026-02-10T12:00:00Z' },
  { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z', format: 'csv' },
  { from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z', format: 'json' },
  // Judged after the writes below, so they show in it.
  { from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z', format: 'json', asOf: '2026-12-31T00:00:00Z' },
];

/** Asks every query over HTTP and compares each answer with the plain fold's rendering of the read models now. */
const compareAll = async (): Promise<Map<Ask, string>> => {
  const bodies = new Map<Ask, string>();
  for (const ask of ASKS) {
    const query = new URLSearchParams({
      from: ask.from,
      to: ask.to,
      format: ask.format,
      ...(ask.asOf === undefined ? {} : { asOf: ask.asOf }),
      ...(ask.policyVersion === undefined ? {} : { policyVersion: String(ask.policyVersion) }),
      ...(position === '' ? {} : { minPosition: position }),
    });
    const reply = await call(svc.baseUrl, 'GET', `/reports/compliance?${query.toString()}`, { token: agent });
    expect(reply.status).toBe(200);
    // Nothing is written meanwhile: the read models are the ones the answer was computed from.
    const model = svc.app.get(ReadModelsHost).current();
    const plain = renderComplianceReport(model, reportPeriod(ask.from, ask.to, ask.asOf, clock.now().getTime()), ask.format, ask.policyVersion);
    expect({ ask, body: reply.text }).toEqual({ ask, body: plain });
    bodies.set(ask, reply.text);
  }
  return bodies;
};

const stats = () => svc.app.get(ComplianceReportCache).stats();

test('cached answers equal the plain fold after every write, and only the touched periods are recomputed', async () => {
  const tickets: { id: string; month: number }[] = [];
  const days = ['2026-01-05', '2026-01-20', '2026-02-03', '2026-02-17', '2026-03-03', '2026-03-18'];
  let before = await compareAll();
  let beforeMs = clock.now().getTime();
  let compared = 0;
  for (const [i, day] of days.entries()) {
    clock.set(`${day}T14:00:00Z`);
    for (let k = 0; k < 3; k++) {
      const opened = await write('/tickets', k % 2 === 0 ? teacher : admin, { channel: 'email', request: { summary: `Ticket ${i}-${k}`, description: 'Generated for the report cache test' } });
      tickets.push({ id: opened.ticketId as string, month: Number(day.slice(5, 7)) });
      clock.advance(7 * 60_000);
    }
    const [a, b, c] = tickets.slice(-3).map((t) => t.id);
    await write(`/tickets/${a}/classification`, agent, { category: 'technical/bug', usersAffected: 12 + i, stepsToReproduce: 'Open it' });
    await write(`/tickets/${b}/classification`, agent, { category: 'personal/how-to' });
    clock.advance(30 * 60_000);
    await write(`/tickets/${a}/acknowledgement`, agent);
    await write(`/tickets/${b}/acknowledgement`, agent);
    clock.advance((i % 2 === 0 ? 1 : 9) * 3_600_000);
    await write(`/tickets/${a}/response`, agent, { message: 'We are on it', actionPlan: 'Fix and deploy', definedAs: 'support-item' });
    await write(`/tickets/${b}/awaiting-customer`, agent, { reason: 'Which browser?' });
    await write(`/tickets/${c}/acknowledgement`, agent);
    const after = await compareAll();
    compared++;
    // This month's tickets changed the reports that hold them, and no other.
    for (const ask of ASKS) {
      const holds = Date.parse(ask.from) <= Date.parse(`${day}T14:00:00Z`) && Date.parse(`${day}T14:00:00Z`) < Date.parse(ask.to);
      // (A period not over at the previous comparison was judged at the clock then: its asOf moved.)
      if (!holds && ask.asOf === undefined && Date.parse(ask.to) <= beforeMs) expect({ ask, same: after.get(ask) === before.get(ask) }).toEqual({ ask, same: true });
    }
    before = after;
    beforeMs = clock.now().getTime();
  }

  // Writes to January's tickets in March: January's answers are computed again (judged as of
  // the end of the year, they change), February's are kept.
  const hitsBefore = stats().hits;
  const january = tickets.filter((t) => t.month === 1).map((t) => t.id);
  await write(`/tickets/${january[1]}/customer-reply`, agent, { message: 'Chrome' });
  let after = await compareAll();
  expect(after.get(ASKS[7]!)).not.toBe(before.get(ASKS[7]!));
  expect(after.get(ASKS[3]!)).toBe(before.get(ASKS[3]!));
  expect(stats().hits).toBeGreaterThan(hitsBefore);
  before = after;

  // A ticket closed (archived), then reopened.
  await write(`/tickets/${january[0]}/resolution`, agent, { resolution: 'Fixed' });
  await write(`/tickets/${january[0]}/closure`, agent, { resolutionDetails: 'Fixed in full' });
  after = await compareAll();
  await write(`/tickets/${january[0]}/reopening`, agent, { reason: 'It came back' });
  after = await compareAll();
  compared += 3;
  before = after;

  // An outage declared by staff, a February ticket linked to it, the outage ended: every report may change.
  const declared = await write('/outages', agent, { scope: 'all schools', reason: 'Gradebook down' });
  const outageId = (declared.outages as string[])[0]!;
  const february = tickets.filter((t) => t.month === 2).map((t) => t.id);
  await write(`/tickets/${february[2]}/outage-link`, agent, { outageId });
  after = await compareAll();
  clock.advance(2 * 3_600_000);
  await write(`/outages/${outageId}/restoration`, agent);
  after = await compareAll();
  compared += 2;

  expect(compared).toBeGreaterThanOrEqual(9);
  const { hits, misses } = stats();
  expect(hits).toBeGreaterThan(20);
  expect(misses).toBeGreaterThan(ASKS.length);
});
