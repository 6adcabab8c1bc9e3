import Database from 'better-sqlite3';
import { ManualClock } from '../../application/clock';
import { CLOCK_OVERRIDE } from '../../support.module';
import { startService, type InProcessService } from '../../testing/service-harness';
import { runCli } from './testing/run-cli';

/**
 * The auditor's re-derivation against the running service: tickets driven over real HTTP into
 * a SQLite file, then the command line reads that file (read-only, while the service still
 * runs) and must agree with what the service answers.
 */
const clock = new ManualClock(new Date('2026-03-10T13:00:00Z'));
const period = { from: '2026-03-01T00:00:00-05:00', to: '2026-04-01T00:00:00-04:00' };
let svc: InProcessService;

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${svc.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  const json = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { text, json, position: res.headers.get('x-read-model-position') };
};

let phoneTicket = '';
let phoneNumber = '';

beforeAll(async () => {
  svc = await startService({ providers: [{ provide: CLOCK_OVERRIDE, useValue: clock }] });
  const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example' });
  const tom = svc.tokenFor('teacher', 'u-tom', 'acme', { email: 'tom@acme.example' });
  const agent = svc.tokenFor('agent', 'u-agent', 'support');
  const step = async (at: string, method: string, path: string, token: string, body?: unknown) => {
    clock.set(at);
    const res = await call(method, path, token, body);
    if (method === 'POST' && path === '/tickets') await confirmationSent(String(res.json['ticketId']), agent);
    return res.json;
  };

  const premium = await step('2026-03-10T13:00:00Z', 'POST', '/tickets', ada, { channel: 'email', request: { summary: 'Export fails', description: 'The CSV is empty.' } });
  const id = String(premium['ticketId']);
  await step('2026-03-10T13:30:00Z', 'POST', `/tickets/${id}/classification`, agent, { category: 'technical/bug', stepsToReproduce: 'Click Export', usersAffected: 40 });
  await step('2026-03-10T15:00:00Z', 'POST', `/tickets/${id}/response`, agent, { message: 'Reproduced.', actionPlan: 'Hotfix tonight' });
  await step('2026-03-10T16:00:00Z', 'POST', `/tickets/${id}/awaiting-customer`, agent, { reason: 'Which browser?' });
  await step('2026-03-10T17:00:00Z', 'POST', `/tickets/${id}/customer-reply`, ada, { message: 'Firefox' });
  await step('2026-03-11T14:00:00Z', 'POST', `/tickets/${id}/resolution`, agent, { resolution: 'Fixed in 4.2.1' });

  // A phone message left Wednesday 17:30 EDT and typed in on Thursday morning.
  const phone = await step('2026-03-12T13:10:00Z', 'POST', '/tickets', agent, {
    channel: 'phone',
    request: { summary: 'Cannot log in', description: 'The login page loops.' },
    organization: 'acme', namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' },
    receivedAt: '2026-03-11T21:30:00Z',
  });
  phoneTicket = String(phone['ticketId']);
  phoneNumber = String(phone['ticketNumber']);

  await step('2026-03-12T14:00:00Z', 'POST', '/tickets', tom, { channel: 'chat', request: { summary: 'Co-teacher?', description: 'How do I share a class?' } });
}, 60_000);

/**
 * The service's mailer records the confirmation e-mail on the ticket soon after it opens, at the
 * service clock's time; the test waits for it before moving the clock on, as a real day would.
 */
async function confirmationSent(ticketId: string, token: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const history = (await call('GET', `/tickets/${ticketId}/history`, token)).json as { entries: { type: string }[] };
    if (history.entries.some((e) => e.type === 'TicketAcknowledged')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

afterAll(async () => {
  await svc.stop({ removeData: true });
});

/** The position of the last event in the file (the mailer appends too, not only the test). */
function headPosition(): string {
  const db = new Database(svc.dbFile, { readonly: true });
  const { head } = db.prepare('SELECT max(position) AS head FROM events').get() as { head: number };
  db.close();
  return `${head}/${head}`;
}

/** The service's report once its read model has folded every event in the file. */
async function serviceReport(query: string): Promise<string> {
  const auditor = svc.tokenFor('auditor', 'u-audit', 'audit');
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Both judged at the same instant: by default each would use the earlier of `to` and its own now.
    const res = await call('GET', `/reports/compliance?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&asOf=${encodeURIComponent(period.to)}${query}`, auditor);
    if (res.position === headPosition()) return res.text;
    if (Date.now() > deadline) throw new Error(`the read model stayed at ${res.position ?? 'nothing'}, the log is at ${headPosition()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('audit commands on the file the running service writes', () => {
  it('re-derive the compliance report byte for byte, JSON and CSV, with and without a what-if', async () => {
    const args = ['audit', 'report', '--from', period.from, '--to', period.to, '--as-of', period.to, '--db', svc.dbFile];
    for (const [query, extra] of [
      ['', []],
      ['&format=csv', ['--format', 'csv']],
      ['&policyVersion=1', ['--policy', '1']],
    ] as const) {
      const expected = await serviceReport(query);
      const run = await runCli([...args, ...extra]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(expected);
    }
    expect((JSON.parse(await serviceReport('')) as { total: { received: number } }).total.received).toBe(3);
  });

  it('give the same timeline as the service', async () => {
    const auditor = svc.tokenFor('auditor', 'u-audit', 'audit');
    const fromService = (await call('GET', `/tickets/${phoneTicket}/history`, auditor)).json as { entries: unknown[] };
    const run = await runCli(['audit', 'history', phoneNumber, '--json', '--db', svc.dbFile]);
    expect(run.code).toBe(0);
    const fromCli = JSON.parse(run.stdout) as { entries: { occurredAt: string; recordedAt: string; actorId: string }[] };
    expect(fromCli.entries).toEqual(fromService.entries);
    expect(fromCli.entries[0]).toMatchObject({ occurredAt: '2026-03-11T21:30:00Z', recordedAt: '2026-03-12T13:10:00.000Z', actorId: 'u-agent' });
  });

  it('verify the log the service sealed', async () => {
    const run = await runCli(['audit', 'verify', '--db', svc.dbFile]);
    expect(run.code).toBe(0);
    const db = new Database(svc.dbFile, { readonly: true });
    const { events, streams } = db.prepare('SELECT count(*) AS events, count(DISTINCT stream_id) AS streams FROM events').get() as { events: number; streams: number };
    db.close();
    expect(streams).toBeGreaterThanOrEqual(3);
    expect(run.stdout).toMatch(new RegExp(`^Log intact: ${events} events in ${streams} streams`));
  });
});
