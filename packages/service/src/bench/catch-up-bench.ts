/**
 * `npm run bench:catch-up -w @support-sla/service`: what a cold service costs on a large log, side
 * by side with the pure fold of the same log (a benchmark, not a test).
 *
 * 1. Seeds a SQLite event store of BENCH_CATCHUP_EVENTS events (1,000,000 by default; whole ticket
 *    lifecycles through `seedTickets`, about 7.9 events per ticket), or reuses the one seeded
 *    before for that size, under BENCH_CATCHUP_CACHE (`<tmpdir>/support-sla-bench`).
 *    BENCH_CATCHUP_RESEED=1 seeds it afresh. Seeding runs in a child process, so that its garbage
 *    does not slow the fold that follows; the seeded file is only ever read, through copies.
 * 2. The pure fold, in this process, on a copy of it: the global log read in pages
 *    (`readAll`, the stream prefixes and page size the service's subscription uses), each event
 *    through the service's one decoder (`toDomainEvent`) and the read models' `evolve`. No
 *    checkpoint, no HTTP, no mailer: what catching up cannot go below.
 * 3. The real service (`node dist/main.js`, PORT=0) cold on a fresh copy of the file (no read-model
 *    checkpoint, no mail file), twice: with NOTIFICATIONS=off and with the default configuration
 *    (e-mail on, SMTP_URL unset: e-mails are logged, not sent). For each, from the spawn: when
 *    `/health` first answers, when a read (`GET /queue?limit=1`) first answers 200, and when
 *    everything has caught up: every projection at lag 0 and the notifications `sending` (with a
 *    notifications progress field in `/health`, that at 0 too). Each run gives up after
 *    BENCH_CATCHUP_BUDGET_S (600) seconds and says so.
 *
 * BENCH_CATCHUP_ROUNDS (1) repeats steps 2 and 3; the ratios are always against the fold of the
 * same round. The service logs at its default level (info) into a pipe this process drains.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { readModelsProjection, type ReadModels } from '@support-sla/projections';
import { toDomainEvent, envelopeOf } from '../application/event-mapping';
import { TokenService } from '../auth/token.service';
import type { GlobalPosition } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { STREAM_PREFIXES } from '../event-store/streams';
import { describeMachine } from './machine';
import { seedTickets } from './seed-events';

/** A bad BENCH_* setting: reported as one line, without a stack. */
class SettingError extends Error {}

const positiveInteger = (name: string, fallback: number): number => {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!(Number.isInteger(value) && value > 0)) throw new SettingError(`${name} must be a whole number above 0 (got "${text}")`);
  return value;
};

interface Settings {
  readonly events: number;
  readonly budgetMs: number;
  readonly rounds: number;
  readonly cacheDir: string;
  readonly reseed: boolean;
}

const readSettings = (): Settings => ({
  events: positiveInteger('BENCH_CATCHUP_EVENTS', 1_000_000),
  budgetMs: positiveInteger('BENCH_CATCHUP_BUDGET_S', 600) * 1000,
  rounds: positiveInteger('BENCH_CATCHUP_ROUNDS', 1),
  cacheDir: resolve(process.env.BENCH_CATCHUP_CACHE ?? join(tmpdir(), 'support-sla-bench')),
  reseed: process.env.BENCH_CATCHUP_RESEED === '1',
});
const ENTRY = resolve(__dirname, '..', 'main.js');
/** The page the SQLite subscription reads (SqliteEventStoreOptions.pageSize's default). */
const PAGE_SIZE = 500;
/** How often `/health` is asked while waiting: often enough for figures in tenths of a second, rarely enough not to load the service. */
const POLL_MS = 100;
/** How often the read probe is sent while waiting for its first 200. */
const READ_PROBE_MS = 1_000;
/** The argument that makes this script the seeding child. */
const SEED_MODE = '--seed';
/** How long a stopped service may take to exit before it is killed. */
const STOP_GRACE_MS = 20_000;

/** Service settings a caller's environment might carry: removed, so that "default" means the defaults. */
const SERVICE_SETTINGS = [
  'PORT', 'HOST', 'SUPPORT_SLA_DB', 'EVENT_STORE', 'ESDB_CONNECTION_STRING', 'SUPPORT_SLA_TOKEN_KEY', 'LOG_LEVEL', 'MAX_BODY_BYTES',
  'COMMAND_MAX_ATTEMPTS', 'TOKEN_MAX_LIFETIME', 'IDEMPOTENCY_KEY_TTL', 'NODE_ENV', 'NOTIFICATIONS', 'NOTIFICATIONS_THREAD', 'SMTP_URL',
  'MAIL_FROM', 'MAIL_TEMPLATES_DIR', 'ONCALL_EMAIL', 'ONCALL_WEBHOOK_URL', 'SLA_ALERT_EMAIL', 'SLA_ALERT_TICK_MS', 'SLA_ALERT_WEBHOOK_URL',
  'SLA_WARNING_FRACTIONS',
] as const;

const seconds = (ms: number): string => (ms / 1000).toFixed(1);
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
const load = (): string => loadavg().map((l) => l.toFixed(2)).join(', ');

/** Children still running and directories still to remove, for the exit handlers. */
const children = new Set<ChildProcess>();
const scratchDirs = new Set<string>();

function cleanUp(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  scratchDirs.clear();
}

process.once('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\ncatch-up-bench: ${signal}: stopping the service and removing the copies`);
    cleanUp();
    process.exit(130);
  });
}

/** The file SQLite keeps beside a database in WAL mode, if any. */
const sidecars = (file: string): string[] => [`${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));

/** Copies a closed SQLite file, and its WAL if one was left with content in it (never the `-shm` index, which SQLite rebuilds), to `to`. */
function copyDatabase(from: string, to: string): void {
  copyFileSync(from, to);
  const wal = `${from}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) copyFileSync(wal, `${to}-wal`);
}

/**
 * The seeded log of `target` events: `<cache>/catch-up-<target>.sqlite`, seeded once and reused.
 * Seeding writes a file of its own and renames it when complete, so that an interrupted seeding
 * leaves nothing that looks reusable.
 */
async function seededLog({ events: target, cacheDir, reseed }: Settings): Promise<{ file: string; events: number; seededMs?: number }> {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `catch-up-${target}.sqlite`);
  if (existsSync(file) && !reseed) {
    // Read only: the seeded file is never changed once complete (every run works on copies).
    const db = new Database(file, { readonly: true });
    try {
      const events = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
      if (events >= target) return { file, events };
      console.log(`${file} holds ${events} events, fewer than ${target}: seeding it afresh`);
    } finally {
      db.close();
    }
  }
  const partial = `${file}.${process.pid}.partial`;
  for (const f of [partial, ...sidecars(partial)]) rmSync(f, { force: true });
  console.log(`seeding ${target} events into ${partial} (100–250 s per million events on 2 vCPUs)…`);
  const started = performance.now();
  // In a process of its own: the garbage a million appends leave behind would slow the fold here.
  const child = spawn(process.execPath, [__filename, SEED_MODE, partial, String(target)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
  children.delete(child);
  const match = /^seeded (\d+)$/m.exec(output);
  if (code !== 0 || match === null) throw new Error(`seeding ${partial} failed (exit code ${code}):\n${output}`);
  const events = Number(match[1]);
  for (const f of [file, ...sidecars(file)]) rmSync(f, { force: true });
  for (const side of sidecars(partial)) renameSync(side, `${file}${side.slice(partial.length)}`);
  renameSync(partial, file);
  return { file, events, seededMs: performance.now() - started };
}

interface FoldResult {
  readonly ms: number;
  readonly events: number;
  readonly tickets: number;
  readonly head: GlobalPosition | undefined;
}

/** The pure fold of the log in `file`: read in pages, decode, evolve the read models. */
async function pureFold(file: string): Promise<FoldResult> {
  const store = SqliteEventStore.open(file);
  try {
    const projection = readModelsProjection();
    const started = performance.now();
    let model: ReadModels = projection.initialState();
    let after: GlobalPosition | undefined;
    let events = 0;
    for (;;) {
      const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: PAGE_SIZE, streamPrefixes: STREAM_PREFIXES });
      for (const stored of page) model = projection.evolve(model, toDomainEvent(stored), envelopeOf(stored));
      events += page.length;
      const last = page[page.length - 1];
      if (last === undefined || page.length < PAGE_SIZE) break;
      after = last.position;
    }
    const ms = performance.now() - started;
    return { ms, events, tickets: model.open.size + model.closed.size, head: await store.headPosition() };
  } finally {
    await store.close();
  }
}

/** What `/health` says, as far as this benchmark reads it; fields a later version may add are optional. */
interface Health {
  readonly store?: { readonly head?: string | null };
  readonly projections?: readonly { readonly name?: string; readonly lag?: string | number; readonly status?: string }[];
  readonly notifications?: { readonly state?: string; readonly lag?: string | number; readonly position?: string | null };
}

interface ServiceRun {
  readonly label: string;
  /** From the spawn to the first answer of `/health` (any status). */
  readonly listenMs: number | undefined;
  /** From the spawn to the first 200 of `GET /queue?limit=1`. */
  readonly firstReadMs: number | undefined;
  /** The read model's position the first read answered with, and the log's head then. */
  readonly firstReadFreshness: string | undefined;
  /** From the spawn to every projection at lag 0 (first seen). */
  readonly readModelsMs: number | undefined;
  /** From the spawn to the notifications caught up (first seen); undefined with them off. */
  readonly mailerMs: number | undefined;
  /** From the spawn to both at once. */
  readonly allMs: number | undefined;
  /** Set when the budget ran out or the service died first. */
  readonly gaveUp: string | undefined;
  /** The notification states `/health` showed, in order, and any progress field it carried. */
  readonly statesSeen: readonly string[];
  readonly progressSeen: boolean;
}

const lagIsZero = (lag: string | number | undefined): boolean => lag !== undefined && Number(lag) === 0;

/** Whether `/health` says the notifications have caught up ('off' counts as nothing to catch up). */
function mailerCaughtUp(health: Health): boolean | undefined {
  const n = health.notifications;
  if (n === undefined || n.state === 'off') return undefined;
  if (n.state !== 'sending') return false;
  if (n.lag !== undefined) return lagIsZero(n.lag);
  if (n.position !== undefined) return n.position === (health.store?.head ?? null);
  return true;
}

/** The port in the service's `listening` log line (`"event":"listening"`, or its message if that changes), if `line` is it. */
function listeningPort(line: string): number | undefined {
  if (line.includes('"listening"')) {
    try {
      const entry = JSON.parse(line) as { event?: unknown; port?: unknown };
      if (entry.event === 'listening' && typeof entry.port === 'number') return entry.port;
    } catch {
      // not a JSON log line
    }
  }
  const match = /listening on[^\n]*?https?:\/\/[^\s/]+:(\d+)/.exec(line);
  return match === null ? undefined : Number(match[1]);
}

/** Starts `node dist/main.js` on a fresh copy of `seeded` and watches it catch up. */
async function runService(label: string, seeded: string, workdir: string, extraEnv: Readonly<Record<string, string>>, budgetMs: number): Promise<ServiceRun> {
  const dir = mkdtempSync(join(workdir, 'service-'));
  const dbFile = join(dir, 'support-sla.sqlite');
  copyDatabase(seeded, dbFile);
  const key = randomBytes(32).toString('base64url');
  const token = new TokenService(key).sign({ sub: 'u-bench', role: 'agent', org: 'support' });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVICE_SETTINGS) delete env[name];
  Object.assign(env, { PORT: '0', SUPPORT_SLA_DB: dbFile, SUPPORT_SLA_TOKEN_KEY: key }, extraEnv);

  const started = performance.now();
  const child = spawn(process.execPath, [ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let exited: string | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = signal === null ? `exit code ${code}` : `signal ${signal}`;
      children.delete(child);
      done();
    }),
  );
  // The port comes from the start-up log; the rest of the log is drained, its tail kept for errors.
  let port: number | undefined;
  let tail = '';
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = pending + chunk.toString();
    const lines = text.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (port === undefined) port = listeningPort(line);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });

  let listenMs: number | undefined;
  let firstReadMs: number | undefined;
  let firstReadFreshness: string | undefined;
  let readModelsMs: number | undefined;
  let mailerMs: number | undefined;
  let allMs: number | undefined;
  let gaveUp: string | undefined;
  let progressSeen = false;
  const statesSeen: string[] = [];
  let nextReadProbe = 0;
  const since = (): number => performance.now() - started;
  try {
    while (allMs === undefined) {
      if (exited !== undefined) {
        gaveUp = `the service stopped (${exited}) after ${seconds(since())} s:\n${tail}`;
        break;
      }
      if (since() > budgetMs) {
        gaveUp = `gave up after ${budgetMs / 1000} s (BENCH_CATCHUP_BUDGET_S)`;
        break;
      }
      if (port === undefined) {
        await sleep(20);
        continue;
      }
      const url = `http://127.0.0.1:${port}`;
      let health: Health | undefined;
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        health = (await res.json()) as Health;
        listenMs ??= since();
      } catch {
        // not answering (yet, or at the moment)
      }
      if (health !== undefined) {
        const at = since();
        const state = health.notifications?.state;
        if (state !== undefined && statesSeen[statesSeen.length - 1] !== state) statesSeen.push(state);
        if (health.notifications?.lag !== undefined || health.notifications?.position !== undefined) progressSeen = true;
        const projections = health.projections ?? [];
        const readModels = projections.length > 0 && projections.every((p) => lagIsZero(p.lag));
        const mailer = mailerCaughtUp(health);
        if (readModels) readModelsMs ??= at;
        if (mailer === true) mailerMs ??= at;
        if (readModels && mailer !== false) allMs = at;
      }
      if (firstReadMs === undefined && port !== undefined && performance.now() >= nextReadProbe) {
        nextReadProbe = performance.now() + READ_PROBE_MS;
        try {
          const res = await fetch(`${url}/queue?limit=1`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
          const body = (await res.json()) as { readModelPosition?: string | null };
          if (res.status === 200) {
            firstReadMs = since();
            firstReadFreshness = `readModelPosition ${body.readModelPosition ?? 'null'}, head ${health?.store?.head ?? '?'}`;
          }
        } catch {
          // not answering yet
        }
      }
      if (allMs === undefined) await sleep(POLL_MS);
    }
  } finally {
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return { label, listenMs, firstReadMs, firstReadFreshness, readModelsMs, mailerMs, allMs, gaveUp, statesSeen, progressSeen };
}

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function printRound(round: number, fold: FoldResult, runs: readonly ServiceRun[]): void {
  const cell = (ms: number | undefined, run: ServiceRun): string => (ms !== undefined ? seconds(ms) : run.gaveUp !== undefined ? 'gave up' : '-');
  const ratio = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / fold.ms).toFixed(1)}×`);
  const header = ['', '/health answers s', 'first read s', 'read models s', 'mailer s', 'all caught up s', 'vs pure fold'];
  const widths = [Math.max(34, ...runs.map((r) => r.label.length)), 17, 12, 13, 9, 15, 12];
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? pad(c, widths[i]!) : lpad(c, widths[i]!))).join(' ');
  console.log(`\nRound ${round}: ${fold.events.toLocaleString('en-US')} events, ${fold.tickets.toLocaleString('en-US')} tickets (times from the spawn of node dist/main.js)`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join(' '));
  console.log(line(['pure fold (read + decode + evolve)', '', '', seconds(fold.ms), '', seconds(fold.ms), '1.0×']));
  for (const run of runs) {
    console.log(line([run.label, cell(run.listenMs, run), cell(run.firstReadMs, run), cell(run.readModelsMs, run), run.mailerMs === undefined ? '-' : seconds(run.mailerMs), cell(run.allMs, run), ratio(run.allMs)]));
  }
  for (const run of runs) {
    const notes = [
      `notifications in /health: ${run.statesSeen.length === 0 ? 'none' : run.statesSeen.join(' → ')}${run.progressSeen ? ', with a progress field' : ', no progress field'}`,
      `first read: ${run.firstReadFreshness ?? 'none'}`,
      ...(run.gaveUp === undefined ? [] : [run.gaveUp]),
    ];
    console.log(`  ${run.label}: ${notes.join('; ')}`);
  }
}

/** The seeding child: `catch-up-bench.js --seed <file> <events>`; prints `seeded <events in the log>`. */
async function seedChild(file: string, target: number): Promise<void> {
  const store = SqliteEventStore.open(file);
  try {
    const { events } = await seedTickets(store, target);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    process.stdout.write(`seeded ${events}\n`);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(ENTRY)) throw new SettingError(`${ENTRY} is missing: run "npx tsc -b packages/service" first`);
  const settings = readSettings();
  console.log(`machine: ${describeMachine()}; load average (1, 5, 15 min) at start: ${load()}`);
  const seeded = await seededLog(settings);
  console.log(
    `log: ${seeded.file}, ${seeded.events.toLocaleString('en-US')} events, ${(statSync(seeded.file).size / 2 ** 20).toFixed(0)} MiB` +
      (seeded.seededMs === undefined ? ' (reused; BENCH_CATCHUP_RESEED=1 seeds it afresh)' : ` (seeded in ${seconds(seeded.seededMs)} s)`),
  );
  const workdir = mkdtempSync(join(tmpdir(), 'support-sla-catch-up-'));
  scratchDirs.add(workdir);
  const summary: string[] = [];
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      const foldCopy = join(workdir, 'fold.sqlite');
      copyDatabase(seeded.file, foldCopy);
      const fold = await pureFold(foldCopy);
      for (const f of [foldCopy, ...sidecars(foldCopy)]) rmSync(f, { force: true });
      console.log(`round ${round}: pure fold ${seconds(fold.ms)} s (${Math.round(fold.events / (fold.ms / 1000)).toLocaleString('en-US')} events/s); starting the service…`);
      const runs: ServiceRun[] = [];
      for (const [label, extraEnv] of [
        ['read models only (NOTIFICATIONS=off)', { NOTIFICATIONS: 'off' }],
        ['read models + mailer (default)', {}],
      ] as const) {
        const run = await runService(label, seeded.file, workdir, extraEnv, settings.budgetMs);
        console.log(`  ${label}: ${run.allMs === undefined ? (run.gaveUp ?? 'not caught up') : `caught up in ${seconds(run.allMs)} s`} (load average: ${load()})`);
        runs.push(run);
      }
      printRound(round, fold, runs);
      const ratio = (run: ServiceRun | undefined): string =>
        run?.allMs === undefined ? (run?.gaveUp?.split('\n')[0] ?? 'not caught up') : `${seconds(run.allMs)} s = ${(run.allMs / fold.ms).toFixed(1)}× (/health after ${run.listenMs === undefined ? '-' : seconds(run.listenMs)} s)`;
      summary.push(`round ${round}: fold ${seconds(fold.ms)} s; read models only ${ratio(runs[0])}; read models + mailer ${ratio(runs[1])}`);
    }
  } finally {
    rmSync(workdir, { recursive: true, force: true });
    scratchDirs.delete(workdir);
  }
  console.log(`\n${summary.join('\n')}`);
  console.log(`targets: /health within a few seconds; read models + mailer at most 1.5× the pure fold`);
  console.log(`load average (1, 5, 15 min) at the end: ${load()}`);
}

(process.argv[2] === SEED_MODE ? seedChild(process.argv[3]!, Number(process.argv[4])) : main()).catch((error: unknown) => {
  console.error(error instanceof SettingError ? `catch-up-bench: ${error.message}` : error);
  process.exitCode = 1;
});
