import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyChain } from '../hash-chain';
import { startServiceProcess, type ServiceProcess } from '../testing/service-harness';
import { mulberry32 } from '@support-sla/projections';
import { call, eventually, sleep, type Json } from '../testing/http';
import { STREAM_PREFIXES } from '../event-store/streams';
import { clientKeyOf, LogReader, type LoggedEvent } from './support/log-reader';

/**
 * Crash: a child-process service on a temporary SQLite file takes keyed commands from several
 * concurrent clients and is killed with SIGKILL at a seeded random moment (0–900 ms after the
 * round's first answers), three times over.
 * After each restart:
 * - every command that was answered 2xx before the kill is in the log exactly once;
 * - every client retries all its commands with the same Idempotency-Key (the ones answered, and
 *   the ones whose answer the kill swallowed): nothing is created twice, answers repeat;
 * - the read models catch up, and equal a rebuild from position zero (compliance report bytes
 *   and the queue, before and after deleting the `read_models` rows).
 * Needs `tsc -b packages/service` (dist/main.js).
 */
jest.setTimeout(170_000);

const SEED = 20_261_126;
const CLIENTS = 4;
const ROUNDS = 3;
const prng = mulberry32(SEED);
const random = (): number => prng.next();

const dir = mkdtempSync(join(tmpdir(), 'support-sla-crash-'));
const dbFile = join(dir, 'support-sla.sqlite');
let tokenKey: string | undefined;
let svc: ServiceProcess;

const start = async (): Promise<void> => {
  svc = await startServiceProcess({ dbFile, ...(tokenKey === undefined ? {} : { tokenKey }) });
  tokenKey = svc.tokenKey;
};

afterAll(async () => {
  await svc.kill();
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  readonly key: string;
  readonly method: 'POST';
  readonly path: string;
  readonly body: unknown;
  readonly token: string;
  /** The answer, if one arrived; undefined when the kill cut the request off. */
  status?: number;
  json?: Json;
}

/** One client: a requester who opens tickets and an agent who works each through to closure. */
class Client {
  readonly sent: Sent[] = [];
  private ticket = 0;
  constructor(
    readonly name: string,
    private readonly requesterToken: () => string,
    private readonly agentToken: () => string,
  ) {}

  /** The next ticket's commands, each with its own key. `ticketRef` is filled in after the open. */
  private script(n: number): { path: (id: string) => string; body: unknown; staff: boolean }[] {
    return [
      { path: () => '/tickets', body: { channel: 'email', request: { summary: `${this.name} #${n}`, description: 'Crash test ticket' } }, staff: false },
      { path: (id) => `/tickets/${id}/classification`, body: { category: 'technical/question/capacity' }, staff: true },
      { path: (id) => `/tickets/${id}/acknowledgement`, body: {}, staff: true },
      { path: (id) => `/tickets/${id}/response`, body: { message: 'Looking', definedAs: 'project' }, staff: true },
      { path: (id) => `/tickets/${id}/resolution`, body: { resolution: 'Answered' }, staff: true },
      { path: (id) => `/tickets/${id}/closure`, body: { resolutionDetails: 'Answered in full' }, staff: true },
    ];
  }

  /** Sends commands until the process dies (a request fails to connect) or `stop` is set. */
  async run(round: number, baseUrl: string, stop: { value: boolean }): Promise<void> {
    while (!stop.value) {
      const n = this.ticket++;
      let id: string | undefined;
      for (const [step, command] of this.script(n).entries()) {
        if (stop.value) return;
        const sent: Sent = {
          key: `${this.name}-r${round}-t${n}-s${step}`,
          method: 'POST',
          path: command.path(id ?? ''),
          body: command.body,
          token: command.staff ? this.agentToken() : this.requesterToken(),
        };
        this.sent.push(sent);
        try {
          const res = await call(baseUrl, 'POST', sent.path, { token: sent.token, body: sent.body, headers: { 'idempotency-key': sent.key } });
          sent.status = res.status;
          sent.json = res.json;
        } catch {
          return; // the service is gone: this request's outcome is unknown
        }
        if (sent.status !== 200 && sent.status !== 201) throw new Error(`${sent.key} ${sent.path}: ${sent.status} ${JSON.stringify(sent.json)}`);
        id ??= sent.json?.ticketId as string;
      }
    }
  }
}

const bySent = (events: readonly LoggedEvent[]): Map<string, LoggedEvent[]> => {
  const map = new Map<string, LoggedEvent[]>();
  for (const e of events) {
    // The command's own events: an open's number claim (same key) is not one of them.
    if (!STREAM_PREFIXES.some((p) => e.streamId.startsWith(p))) continue;
    const key = clientKeyOf(e.metadata);
    if (typeof key === 'string') map.set(key, [...(map.get(key) ?? []), e]);
  }
  return map;
};

// A fixed `asOf` makes the report independent of when it is asked for.
const REPORT = `/reports/compliance?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&asOf=${new Date(Date.now() + 3_600_000).toISOString()}`;

/** Waits until every projection has folded the whole log, then returns what the read side says. */
async function readSide(auditor: string): Promise<{ report: string; queue: unknown }> {
  // Caught up, and the log quiet: the mailer (a worker thread) records each confirmation it sent
  // as an event of its own, so the log can still grow for a moment after the clients stopped.
  let head: unknown;
  let quietSince = Date.now();
  await eventually(
    'projections caught up with a quiet log',
    async () => {
      const health = await call(svc.baseUrl, 'GET', '/health');
      const projections = health.json.projections as { lag: string; status: string }[] | undefined;
      // The mailer sending too: while it is still starting, the confirmations it owes are not in the log yet.
      const sending = (health.json.notifications as { state?: string } | undefined)?.state === 'sending';
      const caughtUp =
        health.status === 200 && sending && projections !== undefined && projections.length > 0 && projections.every((p) => p.lag === '0' && p.status === 'running');
      const now = (health.json.store as { head?: unknown } | undefined)?.head;
      if (!caughtUp || now !== head) {
        head = now;
        quietSince = Date.now();
        return undefined;
      }
      return Date.now() - quietSince >= 1_000 ? true : undefined;
    },
    15_000,
  );
  const report = await call(svc.baseUrl, 'GET', REPORT, { token: auditor });
  const queue = await call(svc.baseUrl, 'GET', '/queue', { token: auditor });
  expect([report.status, queue.status]).toEqual([200, 200]);
  return { report: report.text, queue: queue.json.entries };
}

test(`SIGKILL at ${ROUNDS} seeded random moments under ${CLIENTS} concurrent clients loses nothing and duplicates nothing`, async () => {
  await start();
  const agent = () => svc.tokenFor('agent', 'u-agent', 'support');
  const auditor = () => svc.tokenFor('auditor', 'u-audit', 'audit');
  const clients = Array.from(
    { length: CLIENTS },
    (_, i) => new Client(`c${i}`, () => svc.tokenFor('teacher', `u-c${i}`, 'acme', { email: `c${i}@acme.example` }), agent),
  );
  const killPoints: number[] = [];

  for (let round = 0; round < ROUNDS; round++) {
    // Load, then a kill at a seeded moment while every client has a command in flight or about
    // to. The moment counts from the round's first answers, so a slow start cannot leave a round
    // without acknowledged commands.
    const killAfterMs = Math.floor(random() * 900);
    killPoints.push(killAfterMs);
    const stop = { value: false };
    const running = clients.map((c) => c.run(round, svc.baseUrl, stop));
    const answered = (): number => clients.reduce((n, c) => n + c.sent.filter((s) => s.key.includes(`-r${round}-`) && s.status !== undefined).length, 0);
    await eventually('the clients got their first answers', async () => (answered() >= CLIENTS ? true : undefined), 30_000, 10);
    await sleep(killAfterMs);
    await svc.kill();
    stop.value = true;
    await Promise.all(running);

    await start();
    const log = new LogReader(dbFile);
    try {
      const sentThisRound = clients.flatMap((c) => c.sent.filter((s) => s.key.includes(`-r${round}-`)));
      expect(sentThisRound.filter((s) => s.status !== undefined).length).toBeGreaterThanOrEqual(CLIENTS);

      // 1. Every answered command is in the log exactly once: its events, and only those.
      const logged = bySent(log.all());
      for (const s of sentThisRound.filter((x) => x.status !== undefined)) {
        const types = (logged.get(s.key) ?? []).map((e) => e.type);
        expect({ key: s.key, types }).toEqual({ key: s.key, types: s.json?.events });
      }

      // 2. Retrying every command of the round with its key: the same answer, nothing new.
      const before = log.head();
      const retryAnswers = new Map<string, Json>();
      for (const s of sentThisRound) {
        const again = await call(svc.baseUrl, 'POST', s.path, { token: s.token, body: s.body, headers: { 'idempotency-key': s.key } });
        expect({ key: s.key, status: again.status }).toEqual({ key: s.key, status: s.key.endsWith('-s0') ? 201 : 200 });
        retryAnswers.set(s.key, again.json);
        if (s.json !== undefined) {
          expect({ key: s.key, ticketNumber: again.json.ticketNumber, events: again.json.events, position: again.json.position }).toEqual({
            key: s.key,
            ticketNumber: s.json.ticketNumber,
            events: s.json.events,
            position: s.json.position,
          });
        }
      }
      // Every command's events are in the log once: answered ones appended nothing more, and a
      // cut-off one appended its events exactly once, whether before the kill or on the retry.
      const afterRetries = bySent(log.all());
      for (const s of sentThisRound) {
        const types = (afterRetries.get(s.key) ?? []).map((e) => e.type);
        expect({ key: s.key, types }).toEqual({ key: s.key, types: retryAnswers.get(s.key)?.events });
      }
      const cutOff = new Set(sentThisRound.filter((s) => s.status === undefined).map((s) => s.key));
      const appendedByRetries = log.after(before).filter((e) => !String(e.metadata.actorId).startsWith('system'));
      expect(appendedByRetries.filter((e) => !cutOff.has(String(clientKeyOf(e.metadata))))).toEqual([]);

      // 3. Whole-log invariants: one TicketOpened per ticket, unique numbers, intact hash chains.
      const all = log.all();
      const opened = all.filter((e) => e.type === 'TicketOpened');
      expect(new Set(opened.map((e) => e.streamId)).size).toBe(opened.length);
      expect(new Set(opened.map((e) => e.data.ticketNumber)).size).toBe(opened.length);
      expect(verifyChain(all.map((e) => ({ streamId: e.streamId, revision: BigInt(e.revision), type: e.type, data: e.data, metadata: e.metadata as never })))).toMatchObject({ ok: true });
    } finally {
      log.close();
    }

    // 4. The read models caught up from their checkpoints equal a rebuild from position zero.
    const resumed = await readSide(auditor());
    await svc.stop();
    const db = new Database(dbFile);
    const removed = db.prepare('DELETE FROM read_models').run().changes;
    db.close();
    expect(removed).toBeGreaterThan(0);
    await start();
    const rebuilt = await readSide(auditor());
    expect(rebuilt.report).toBe(resumed.report);
    expect(rebuilt.queue).toEqual(resumed.queue);
    expect(JSON.parse(resumed.report)).toMatchObject({ total: { received: expect.any(Number) } });
  }
  process.stdout.write(
    `crash: seed ${SEED}, kills ${killPoints.join(', ')} ms after the first answers of each round; ${clients.reduce((n, c) => n + c.sent.length, 0)} commands sent, ${clients.reduce((n, c) => n + c.sent.filter((s) => s.status === undefined).length, 0)} cut off by a kill\n`,
  );
});
