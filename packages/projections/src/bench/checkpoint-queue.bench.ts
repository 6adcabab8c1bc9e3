/**
 * Micro-benchmarks of the two costs issue 23 found in a catch-up: moving queue entries and writing
 * a checkpoint of the read models.
 *
 *   npm run build -w @support-sla/projections
 *   node --expose-gc packages/projections/dist/bench/checkpoint-queue.bench.js [--before DIST] [--after DIST] [--ops N] [--events N] [--runs N]
 *
 * `--before DIST` is the `dist` directory of a build of the code before the change (for example a
 * worktree at the base commit): its `applyQueueChange`, `canonicalJson`, `TicketArchive` and
 * read-models projection are timed in the same process, on the same data, alternating with the
 * current ones, and their output is checked to be the same. `--after DIST` takes the current ones
 * from a copy of this build instead of the modules that folded the model: the JIT keeps what it
 * learnt in the fold (a `TicketArchive` method can run several times slower after it), so for a
 * fair comparison both sides should be fresh copies.
 *
 * 1. Queue: `--ops` (default 1,000,000) calls of `applyQueueChange` with 10,000 and then 50,000
 *    open tickets: half of the changes resolve a ticket and open a new one (a removal and an
 *    insertion), half reclassify one (an entry moves).
 * 2. Checkpoint: a model folded from `--events` generated events (default 1,110,000, about
 *    126,000 tickets) written with `serializeSnapshot`, as the service writes checkpoints, and
 *    `canonicalJson` alone over its archived rows and over 50,000 open tickets.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Category, Ticket, Tier } from '@support-sla/domain';
import { readModelsProjection, type ReadModels } from '../model/read-models.js';
import { TicketArchive } from '../model/ticket-archive.js';
import { applyQueueChange, emptyQueueLists, queueView, type QueueLists } from '../queue/queue.js';
import { canonicalJson } from '../support/canonical-json.js';
import { mulberry32 } from '../support/prng.js';
import { envelopedOf, generateHistory } from '../testing/history.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number): number => {
  const v = Number(arg(name) ?? fallback);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
};
const ops = num('ops', 1_000_000);
const events = num('events', 1_110_000);
const runs = num('runs', 3);
const beforeDir = arg('before');
const afterDir = arg('after');
const gc = (globalThis as { gc?: () => void }).gc;

interface Implementation {
  readonly applyQueueChange: typeof applyQueueChange;
  readonly emptyLists: () => QueueLists;
  readonly canonicalJson: typeof canonicalJson;
  readonly TicketArchive: typeof TicketArchive;
  readonly readModelsProjection: typeof readModelsProjection;
}

const current: Implementation = { applyQueueChange, emptyLists: emptyQueueLists, canonicalJson, TicketArchive, readModelsProjection };
const load = async (dir: string): Promise<Implementation> => {
  const at = async (file: string): Promise<unknown> => (await import(pathToFileURL(path.resolve(dir, file)).href)) as unknown;
  const queue = (await at('queue/queue.js')) as { applyQueueChange: typeof applyQueueChange; emptyQueueLists?: () => QueueLists };
  return {
    applyQueueChange: queue.applyQueueChange,
    // The code before the change began the lists as sorted arrays.
    emptyLists: queue.emptyQueueLists ?? (() => ({ overall: [], byTier: { premium: [], professional: [] } })),
    canonicalJson: ((await at('support/canonical-json.js')) as { canonicalJson: typeof canonicalJson }).canonicalJson,
    TicketArchive: ((await at('model/ticket-archive.js')) as { TicketArchive: typeof TicketArchive }).TicketArchive,
    readModelsProjection: ((await at('model/read-models.js')) as { readModelsProjection: typeof readModelsProjection }).readModelsProjection,
  };
};


// CPU time of this process (user + system), which other jobs on a shared machine disturb far less
// than the wall clock.
const seconds = (f: () => void): number => {
  gc?.();
  const start = process.cpuUsage();
  f();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
};
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] as number;
const fmt = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const report = (label: string, times: Map<string, number[]>, unit?: (s: number) => string): void => {
  const parts = [...times].map(([name, xs]) => `${name} ${fmt(median(xs))}${unit === undefined ? '' : ` (${unit(median(xs))})`}`);
  const before = times.get('before');
  const after = times.get('after');
  const ratio = before !== undefined && after !== undefined ? `  ${(median(before) / median(after)).toFixed(1)}x faster` : '';
  console.log(`${label.padEnd(46)} ${parts.join('  ')}${ratio}   [median of ${runs}]`);
};

// --- 1. The queue -------------------------------------------------------------------------------

const CATEGORIES: readonly Category[] = ['personal/how-to', 'technical/question/integration', 'technical/bug', 'technical/back-end-error', 'personal/configuration'];
const START = Date.parse('2026-01-05T13:00:00Z');

const ticketAt = (i: number, category: Category, usersAffected: number): Ticket => {
  const tier: Tier = i % 4 === 0 ? 'premium' : 'professional';
  return {
    status: 'open',
    ticketId: `q${i}`,
    ticketNumber: `SS-${String(i).padStart(8, '0')}`,
    channel: 'email',
    namedUser: { id: `u${i}`, email: `u${i}@school.example`, license: tier === 'premium' ? 'administrator' : 'teacher' },
    tier,
    request: { summary: '-', description: '-', usersAffected },
    suggestedCategory: null,
    policyVersion: 1,
    openedAtMs: START + i * 60_000,
    receivedAtMs: START + i * 60_000,
    category,
    classifiedAtMs: START + i * 60_000,
    reclassifications: 0,
    queue: `${tier}:${category}`,
    acknowledgedAtMs: null,
    respondedAtMs: null,
    response: null,
    awaitingCustomerSinceMs: null,
    customerWaits: [],
    resolvedAtMs: null,
    resolution: null,
    reopenGaps: [],
    closedAtMs: null,
    resolutionDetails: null,
    reopenCount: 0,
    outageId: null,
    outageSinceMs: null,
    outageRestoredAtMs: null,
    slaAlerts: [],
    lastEventAtMs: START + i * 60_000,
  };
};

/**
 * The same seeded sequence of changes for every implementation, as `[before, after]` pairs in
 * chunks (made untimed, so that the timed loop holds only one chunk of tickets, not a million).
 */
function* queueChanges(open: number, initial: Ticket[]): Generator<[Ticket | undefined, Ticket][], void, undefined> {
  const prng = mulberry32(open);
  const pick = (): Category => CATEGORIES[prng.int(0, CATEGORIES.length - 1)] as Category;
  const live: Ticket[] = [];
  let next = 0;
  for (; next < open; next++) live.push(ticketAt(next, pick(), prng.int(1, 500)));
  initial.push(...live);
  let made = 0;
  while (made < ops) {
    const chunk: [Ticket | undefined, Ticket][] = [];
    while (chunk.length < 20_000 && made + chunk.length < ops) {
      const k = prng.int(0, open - 1);
      const t = live[k] as Ticket;
      if (prng.next() < 0.5) {
        // Resolved (its entry leaves), and a new ticket arrives (an entry is inserted).
        chunk.push([t, { ...t, status: 'resolved', resolvedAtMs: t.lastEventAtMs }]);
        const fresh = ticketAt(next++, pick(), prng.int(1, 500));
        chunk.push([undefined, fresh]);
        live[k] = fresh;
      } else {
        // Reclassified: the entry moves.
        const moved: Ticket = { ...t, category: pick(), request: { ...t.request, usersAffected: prng.int(1, 500) }, reclassifications: t.reclassifications + 1 };
        chunk.push([t, moved]);
        live[k] = moved;
      }
    }
    made += chunk.length;
    yield chunk;
  }
}

const main = async (): Promise<void> => {
  const after = afterDir === undefined ? current : await load(afterDir);
  const implementations: [string, Implementation][] = beforeDir === undefined ? [['after', after]] : [['before', await load(beforeDir)], ['after', after]];
  console.log(
    `issue 23 micro-benchmarks — Node ${process.version}, ${gc ? 'gc exposed' : 'no --expose-gc'}, CPU time${beforeDir === undefined ? '' : `, before: ${beforeDir}`}, after: ${afterDir ?? 'this build'}`,
  );
  for (const open of [10_000, 50_000]) {
    const times = new Map<string, number[]>();
    const views = new Map<string, string>();
    let count = 0;
    for (let r = 0; r < runs; r++) {
      for (const [name, impl] of implementations) {
        const initial: Ticket[] = [];
        const changes = queueChanges(open, initial);
        let first = changes.next();
        const lists = impl.emptyLists();
        for (const t of initial) impl.applyQueueChange(lists, undefined, t);
        let total = 0;
        count = 0;
        for (; first.done !== true; first = changes.next()) {
          const chunk = first.value;
          total += seconds(() => {
            for (const [before, after] of chunk) impl.applyQueueChange(lists, before, after);
          });
          count += chunk.length;
        }
        times.set(name, [...(times.get(name) ?? []), total]);
        views.set(name, JSON.stringify([queueView(lists), queueView(lists, { tier: 'premium', limit: 50 })]));
      }
    }
    if (new Set(views.values()).size !== 1) throw new Error('the queues differ');
    report(`queue: ${count.toLocaleString('en-US')} changes, ${open.toLocaleString('en-US')} open`, times, (s) => `${((s / count) * 1e6).toFixed(2)} µs each`);
  }

  // --- 2. The checkpoint --------------------------------------------------------------------------

  const projection = readModelsProjection();
  let model = projection.initialState();
  for (const g of generateHistory({ seed: 42, events })) {
    const { event, envelope } = envelopedOf(g);
    model = projection.evolve(model, event, envelope);
  }
  console.log(`model: ${events.toLocaleString('en-US')} events, ${model.open.size.toLocaleString('en-US')} open + ${model.closed.size.toLocaleString('en-US')} archived tickets`);

  // Each implementation's own model: the same open tickets, its own archive built from the same
  // rows (so both archives hold their slots in the same order).
  const rows = model.closed.rows();
  const modelFor = (impl: Implementation): ReadModels => ({ ...model, closed: impl.TicketArchive.fromRows(rows) });
  const drain = (pieces: Iterable<string>): string => {
    const out: string[] = [];
    for (const piece of pieces) out.push(piece);
    return out.join('');
  };
  const snapshotTimes = new Map<string, number[]>();
  const rowTimes = new Map<string, number[]>();
  const openTimes = new Map<string, number[]>();
  const loadedTimes = new Map<string, number[]>();
  const outputs = new Map<string, string>();
  const manyOpen = Array.from({ length: 50_000 }, (_, i): [string, Ticket] => {
    const t = ticketAt(i, CATEGORIES[i % CATEGORIES.length] as Category, 1 + (i % 97));
    return [t.ticketId, i % 3 === 0 ? { ...t, customerWaits: [{ fromMs: t.receivedAtMs + 1, toMs: t.receivedAtMs + 2 }], awaitingCustomerSinceMs: t.receivedAtMs + 3 } : t];
  });
  // The same tickets as a model loaded from a checkpoint holds them: parsed from canonical JSON, keys in order.
  const loadedOpen = JSON.parse(canonicalJson(manyOpen)) as [string, Ticket][];
  for (let r = 0; r < runs; r++) {
    for (const [name, impl] of implementations) {
      const m = modelFor(impl);
      const p = impl.readModelsProjection();
      const serializeSnapshot = p.serializeSnapshot;
      if (serializeSnapshot === undefined) throw new Error('the read models serialize snapshots');
      let text = '';
      snapshotTimes.set(name, [...(snapshotTimes.get(name) ?? []), seconds(() => (text = drain(serializeSnapshot(m))))]);
      outputs.set(name, text);
      let bytes = 0;
      rowTimes.set(name, [
        ...(rowTimes.get(name) ?? []),
        seconds(() => {
          for (const row of rows) bytes += impl.canonicalJson(row).length;
        }),
      ]);
      openTimes.set(name, [
        ...(openTimes.get(name) ?? []),
        seconds(() => {
          for (const entry of manyOpen) bytes += impl.canonicalJson(entry).length;
        }),
      ]);
      loadedTimes.set(name, [
        ...(loadedTimes.get(name) ?? []),
        seconds(() => {
          for (const entry of loadedOpen) bytes += impl.canonicalJson(entry).length;
        }),
      ]);
      if (bytes === 0) throw new Error('nothing written');
    }
  }
  if (new Set(outputs.values()).size !== 1) throw new Error('the checkpoints differ');
  const size = [...outputs.values()][0]?.length ?? 0;
  report(`checkpoint: serializeSnapshot, drained`, snapshotTimes, () => `${(size / 1024 / 1024).toFixed(1)} MiB`);
  report(`canonicalJson of ${rows.length.toLocaleString('en-US')} archived rows`, rowTimes, (s) => `${((s / rows.length) * 1e6).toFixed(2)} µs each`);
  report(`canonicalJson of ${manyOpen.length.toLocaleString('en-US')} open tickets`, openTimes, (s) => `${((s / manyOpen.length) * 1e6).toFixed(2)} µs each`);
  report(`  the same, as loaded from a checkpoint`, loadedTimes, (s) => `${((s / loadedOpen.length) * 1e6).toFixed(2)} µs each`);
  if (implementations.length > 1) console.log('outputs: the same queue views and the same checkpoint bytes before and after');
};

void main();
