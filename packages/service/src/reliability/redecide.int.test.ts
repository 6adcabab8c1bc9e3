import { verifyChain } from '../hash-chain';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';
import { startServiceProcess, type ServiceProcess } from '../testing/service-harness';
import { call, type Reply } from '../testing/http';
import { LogReader, type LoggedEvent } from './support/log-reader';

/**
 * Re-decidable commands under contention (issue 21, point 4): two service processes on one
 * SQLite file, both giving up a classic command at its first conflict (COMMAND_MAX_ATTEMPTS=1,
 * the setting under which e2e/service.contention still gets 409 for reclassifications), take
 * many concurrent monitor reports on the one outage board. Every report is re-decided on the
 * board as it then is until it lands: all answer 200 and all are on the board, once each.
 * Needs `tsc -b packages/service` (dist/main.js).
 */
jest.setTimeout(120_000);

let a: ServiceProcess;
let b: ServiceProcess;
let log: LogReader;

beforeAll(async () => {
  a = await startServiceProcess({ env: { COMMAND_MAX_ATTEMPTS: '1' } });
  b = await startServiceProcess({ dbFile: a.dbFile, tokenKey: a.tokenKey, env: { COMMAND_MAX_ATTEMPTS: '1' } });
  log = new LogReader(a.dbFile);
});
afterAll(async () => {
  log.close();
  await Promise.all([a.stop(), b.stop()]);
  a.removeData();
});

const MONITORS = ['chicago', 'california', 'atlanta'] as const;

const conflictsCounted = async (baseUrl: string): Promise<number> => {
  const text = (await call(baseUrl, 'GET', '/metrics')).text;
  return text
    .split('\n')
    .filter((line) => line.startsWith('support_sla_append_conflicts_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
};

const toVerifiable = (e: LoggedEvent) => ({ streamId: e.streamId, revision: BigInt(e.revision), type: e.type, data: e.data, metadata: e.metadata as never });

test('many concurrent monitor reports through two processes that give up classic commands at the first conflict: all 200, all on the board', async () => {
  const N = 90;
  // Each report a distinct observation (its own instant), so each must append; the statuses
  // alternate in rounds of three, so outages are declared and ended along the way.
  const base = Date.now() - 10 * 60_000;
  const sent = Array.from({ length: N }, (_, i) => ({
    monitor: MONITORS[i % 3]!,
    status: Math.floor(i / 3) % 2 === 0 ? 'down' : 'up',
    observedAt: new Date(base + i * 1_000).toISOString(),
  }));
  const started = performance.now();
  const replies: Reply[] = await Promise.all(
    sent.map((r, i) =>
      call(i % 2 === 0 ? a.baseUrl : b.baseUrl, 'POST', `/monitors/${r.monitor}/reports`, {
        token: a.tokenFor('monitor', `mon-${r.monitor}`, 'ops'),
        body: { status: r.status, observedAt: r.observedAt },
      }),
    ),
  );
  const tookMs = performance.now() - started;

  const odd = replies.map((r, i) => ({ i, status: r.status, body: r.json })).filter((r) => r.status !== 200);
  expect(odd).toEqual([]);
  for (const r of replies) expect(r.json.events).toContain('MonitorReportedStatus');

  // Every report is on the board exactly once, and nothing else a monitor sent.
  const board = log.all().filter((e) => e.streamId === OUTAGE_BOARD_STREAM);
  const reported = board.filter((e) => e.type === 'MonitorReportedStatus').map((e) => `${e.data.monitor as string} ${e.data.status as string} ${e.data.observedAt as string}`);
  expect(reported.sort()).toEqual(sent.map((r) => `${r.monitor} ${r.status} ${r.observedAt}`).sort());
  // No gap, the hash chain intact, and no two answers claim the same revision.
  expect(board.map((e) => e.revision)).toEqual(board.map((_, i) => i));
  expect(verifyChain(board.map(toVerifiable))).toMatchObject({ ok: true });
  const revisions = replies.map((r) => r.json.revision as string);
  expect(new Set(revisions).size).toBe(N);

  // The races were real: with one attempt, each of these conflicts would have been a 409.
  const conflicts = (await conflictsCounted(a.baseUrl)) + (await conflictsCounted(b.baseUrl));
  process.stdout.write(`redecide: ${N} monitor reports through 2 processes in ${Math.round(tookMs)} ms: all 200, ${conflicts} version conflicts re-decided\n`);
  expect(conflicts).toBeGreaterThan(0);
});
