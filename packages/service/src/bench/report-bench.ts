/**
 * `npm run bench:report -w @support-sla/service`: `GET /reports/compliance` for one month on a
 * large store, over HTTP, with and without the report cache, in the same run (a benchmark, not a
 * test).
 *
 * 1. Copies the log the catch-up bench seeded (`<BENCH_CATCHUP_CACHE or tmpdir/support-sla-bench>/
 *    catch-up-<BENCH_REPORT_EVENTS>.sqlite`, 1,000,000 events, about 126,000 tickets; run
 *    `npm run bench:catch-up` once to make it) and starts the real service on the copy
 *    (`node dist/main.js`, NOTIFICATIONS=off), then waits until its read models have caught up.
 * 2. Without the cache: BENCH_REPORT_REQUESTS (200) sequential requests for the month
 *    (BENCH_REPORT_FROM, BENCH_REPORT_TO: 2025-06-01 to 2025-07-01), each with a different `asOf`
 *    (one millisecond apart, from the end of the month back), so each is a new query that the
 *    cache cannot answer: every one is the plain fold of the read models (and its rendering).
 * 3. With the cache: the same number of sequential requests for the month as the console asks
 *    for it (no `asOf`: judged at the end of the month), the first of which fills the cache.
 * 4. Once more with a ticket written between requests (a new ticket, received now, so outside
 *    the month): the cache is kept, as those writes do not touch the month.
 *
 * Prints the median and p99 of each series, and checks that the cached answer is byte for byte
 * the one the service computed before it was cached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TokenService } from '../auth/token.service';
import { describeMachine } from './machine';

const ENTRY = resolve(__dirname, '..', 'main.js');
const SERVICE_SETTINGS = [
  'PORT', 'HOST', 'SUPPORT_SLA_DB', 'EVENT_STORE', 'ESDB_CONNECTION_STRING', 'SUPPORT_SLA_TOKEN_KEY', 'LOG_LEVEL', 'NOTIFICATIONS', 'SMTP_URL',
] as const;

const setting = (name: string, fallback: string): string => {
  const text = process.env[name];
  return text === undefined || text.trim() === '' ? fallback : text.trim();
};

const settings = {
  events: Number(setting('BENCH_REPORT_EVENTS', '1000000')),
  requests: Number(setting('BENCH_REPORT_REQUESTS', '200')),
  from: setting('BENCH_REPORT_FROM', '2025-06-01T00:00:00Z'),
  to: setting('BENCH_REPORT_TO', '2025-07-01T00:00:00Z'),
  cacheDir: setting('BENCH_CATCHUP_CACHE', join(tmpdir(), 'support-sla-bench')),
  budgetMs: Number(setting('BENCH_REPORT_BUDGET_S', '900')) * 1000,
};

const children = new Set<ChildProcess>();

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

interface Series {
  readonly label: string;
  readonly times: number[];
}

const summary = (s: Series): string => {
  const sorted = [...s.times].sort((a, b) => a - b);
  return `${s.label.padEnd(58)} median ${ms(quantile(sorted, 0.5)).padStart(10)}   p99 ${ms(quantile(sorted, 0.99)).padStart(10)}   (${s.times.length} requests)`;
};

async function main(): Promise<void> {
  const seeded = join(settings.cacheDir, `catch-up-${settings.events}.sqlite`);
  if (!existsSync(seeded)) {
    console.error(`No seeded log at ${seeded}: run \`npm run bench:catch-up -w @support-sla/service\` first (it seeds and keeps one).`);
    process.exitCode = 1;
    return;
  }
  console.log(`Compliance report over HTTP: ${describeMachine()}`);
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-report-bench-'));
  const dbFile = join(dir, 'support-sla.sqlite');
  try {
    copyFileSync(seeded, dbFile);
    if (existsSync(`${seeded}-wal`) && statSync(`${seeded}-wal`).size > 0) copyFileSync(`${seeded}-wal`, `${dbFile}-wal`);
    const key = randomBytes(32).toString('base64url');
    const tokens = new TokenService(key);
    const auditor = tokens.sign({ sub: 'u-bench', role: 'auditor', org: 'support' });
    const requester = tokens.sign({ sub: 'u-bench-admin', role: 'administrator', org: 'school-1', email: 'admin@school-1.example', name: 'Bench Admin' });
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SERVICE_SETTINGS) delete env[name];
    Object.assign(env, { PORT: '0', HOST: '127.0.0.1', SUPPORT_SLA_DB: dbFile, SUPPORT_SLA_TOKEN_KEY: key, NOTIFICATIONS: 'off' });
    const started = performance.now();
    const child = spawn(process.execPath, [ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    const port = await new Promise<number>((done, fail) => {
      let pending = '';
      let tail = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.includes('"listening"')) continue;
          try {
            const entry = JSON.parse(line) as { event?: unknown; port?: unknown };
            if (entry.event === 'listening' && typeof entry.port === 'number') done(entry.port);
          } catch {
            // not a JSON line
          }
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-4000);
      });
      child.once('exit', (code) => fail(new Error(`the service stopped (exit code ${code}):\n${tail}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    // Caught up: the read models at lag 0.
    for (;;) {
      if (performance.now() - started > settings.budgetMs) throw new Error(`the read models did not catch up within ${settings.budgetMs / 1000} s`);
      try {
        const health = (await (await fetch(`${base}/health`)).json()) as { projections?: { lag: string }[] };
        if (health.projections !== undefined && health.projections.length > 0 && health.projections.every((p) => p.lag === '0')) break;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    console.log(`Service caught up with ${settings.events.toLocaleString('en-US')} events in ${((performance.now() - started) / 1000).toFixed(1)} s; period ${settings.from} to ${settings.to}\n`);

    const report = async (asOf?: string): Promise<{ ms: number; body: string }> => {
      const query = new URLSearchParams({ from: settings.from, to: settings.to, ...(asOf === undefined ? {} : { asOf }) });
      const t0 = performance.now();
      const res = await fetch(`${base}/reports/compliance?${query.toString()}`, { headers: { authorization: `Bearer ${auditor}` } });
      const body = await res.text();
      const elapsed = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET /reports/compliance answered ${res.status}: ${body.slice(0, 300)}`);
      return { ms: elapsed, body };
    };

    const toMs = Date.parse(settings.to);
    const plain: Series = { label: 'plain fold (a new asOf each request: never cached)', times: [] };
    for (let i = 1; i <= settings.requests; i++) plain.times.push((await report(new Date(toMs - i).toISOString())).ms);

    const cached: Series = { label: 'cached (the same month, asOf = its end)', times: [] };
    const first = await report();
    cached.times.push(first.ms);
    let differ = 0;
    for (let i = 1; i < settings.requests; i++) {
      const r = await report();
      cached.times.push(r.ms);
      if (r.body !== first.body) differ++;
    }

    const writing: Series = { label: 'cached, a new ticket written before each request', times: [] };
    for (let i = 0; i < settings.requests; i++) {
      const opened = await fetch(`${base}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${requester}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'email', request: { summary: `bench ${i}`, description: 'written between report requests' } }),
      });
      const answer = (await opened.json()) as { position?: string };
      if (opened.status !== 201 && opened.status !== 200) throw new Error(`POST /tickets answered ${opened.status}: ${JSON.stringify(answer)}`);
      const query = new URLSearchParams({ from: settings.from, to: settings.to, minPosition: answer.position ?? '' });
      const t0 = performance.now();
      const res = await fetch(`${base}/reports/compliance?${query.toString()}`, { headers: { authorization: `Bearer ${auditor}` } });
      const body = await res.text();
      writing.times.push(performance.now() - t0);
      if (body !== first.body) differ++;
    }

    for (const s of [plain, cached, writing]) console.log(summary(s));
    const total = (JSON.parse(first.body) as { total?: { received?: number } }).total?.received;
    console.log(`\nBody: ${first.body.length.toLocaleString('en-US')} bytes, ${String(total)} tickets received in the period; cached answers that differ from the first (computed) one: ${differ}`);
    if (differ > 0) process.exitCode = 1;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  } finally {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  for (const c of children) c.kill('SIGKILL');
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
