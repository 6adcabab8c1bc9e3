/**
 * `npm run bench -w @support-sla/sla-calendar`: operations per second for deadline math on the
 * New York support calendar (08:00–18:00 Mon–Fri, US federal holidays) over 100,000 seeded random
 * instants in 2026, next to
 *   - a bare binary search over precomputed epoch-millisecond intervals (the floor: no calendar
 *     object, no validation, no lazily compiled years), and
 *   - moment-business-time + moment-timezone, the fastest npm peer that gave correct answers,
 * in the same process, on the same inputs, with every answer compared.
 *
 * Two phases (additions, then spans), each keeping only its own inputs alive: temporal-polyfill
 * registers every Temporal object in a WeakMap, and creating one gets several times slower while
 * hundreds of thousands are alive, so the "floor" line shows what creating the result alone costs.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import moment from 'moment-timezone';
import 'moment-business-time'; // patches moment.fn with addWorkingTime / workingDiff
import {
  Temporal,
  addBusinessMillis,
  addBusinessTime,
  businessMillisBetween,
  businessTimeBetween,
  defineCalendar,
  usFederalHolidays,
  type Weekday,
} from '../index';

const ZONE = 'America/New_York';
const N = 100_000;
const SEED = 20_260_101;
const HOUR = 3_600_000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const PEER_BUDGET_MS = Number(process.env['BENCH_PEER_BUDGET_MS'] ?? 4000);
const holidays = [2026, 2027].flatMap((y) => usFederalHolidays(y));
const weekdays: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

const calendar = defineCalendar({
  timeZone: ZONE,
  weeklyHours: weekdays.map((day) => ({ day, start: '08:00', end: '18:00' })),
  holidays,
});

// ---------------------------------------------------------------------------------------------
// Inputs: seeded, whole seconds, uniformly over 2026 (the New York local year).
// ---------------------------------------------------------------------------------------------
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const random = mulberry32(SEED);
const yearStart = Temporal.PlainDate.from('2026-01-01').toZonedDateTime(ZONE).epochMilliseconds;
const yearEnd = Temporal.PlainDate.from('2027-01-01').toZonedDateTime(ZONE).epochMilliseconds;
const draw = (): number => yearStart + Math.floor((random() * (yearEnd - yearStart)) / 1000) * 1000;
const addInputsMs = Float64Array.from({ length: N }, draw);
const fromMs = Float64Array.from({ length: N }, draw);
const toMs = Float64Array.from({ length: N }, draw);
for (let i = 0; i < N; i++) if (toMs[i]! < fromMs[i]!) [fromMs[i], toMs[i]] = [toMs[i]!, fromMs[i]!];

// ---------------------------------------------------------------------------------------------
// Baseline: a bare binary search over precomputed intervals, built independently with Temporal.
// ---------------------------------------------------------------------------------------------
const bare = (() => {
  const holidaySet = new Set(holidays);
  const s: number[] = [];
  const e: number[] = [];
  for (let d = Temporal.PlainDate.from('2026-01-01'); d.year <= 2027; d = d.add({ days: 1 })) {
    if (d.dayOfWeek > 5 || holidaySet.has(d.toString())) continue;
    s.push(d.toZonedDateTime({ timeZone: ZONE, plainTime: '08:00' }).epochMilliseconds);
    e.push(d.toZonedDateTime({ timeZone: ZONE, plainTime: '18:00' }).epochMilliseconds);
  }
  const starts = Float64Array.from(s);
  const ends = Float64Array.from(e);
  const cum = new Float64Array(s.length + 1);
  for (let i = 0; i < s.length; i++) cum[i + 1] = cum[i]! + (ends[i]! - starts[i]!);
  return { starts, ends, cum, m: s.length };
})();

function bareUpper(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function bareLower(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function barePosition(t: number): number {
  const i = bareUpper(bare.starts, bare.m, t) - 1;
  if (i < 0) return 0;
  const e = bare.ends[i]!;
  return bare.cum[i]! + ((t < e ? t : e) - bare.starts[i]!);
}
function bareAdd(t: number, d: number): number {
  const target = barePosition(t) + d;
  const j = bareLower(bare.cum, bare.m + 1, target) - 1;
  return bare.starts[j]! + (target - bare.cum[j]!);
}
const bareBetween = (a: number, b: number): number => barePosition(b) - barePosition(a);

// ---------------------------------------------------------------------------------------------
// Peer: moment-business-time with moment-timezone, configured for the same hours and holidays.
// ---------------------------------------------------------------------------------------------
type BusinessMoment = moment.Moment & {
  addWorkingTime(amount: number, unit: string): BusinessMoment;
  workingDiff(other: moment.Moment, unit: string, detail?: boolean): number;
};
const open = ['08:00:00', '18:00:00'];
moment.updateLocale('en', {
  workinghours: { 0: null, 1: open, 2: open, 3: open, 4: open, 5: open, 6: null },
  holidays,
} as moment.LocaleSpecification);
const toMoment = (ms: number): BusinessMoment => moment.tz(ms, ZONE) as BusinessMoment;

// ---------------------------------------------------------------------------------------------
// Harness: our variants run round-robin (median of ROUNDS), and each round also gives the peer a
// time slice, so background load and GC pressure hit every variant alike.
// ---------------------------------------------------------------------------------------------
let sink = 0; // keeps results observable so the JIT cannot drop the work
// With --expose-gc (as `npm run bench` runs it), every timed pass starts from a collected heap, so
// no variant pays for the garbage of the one before it (moment creates a lot).
const collect = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);

interface Peer {
  readonly count: number;
  readonly run: (i: number) => number;
  readonly answers: number[];
  seconds: number;
}

interface Phase {
  variants: Map<string, (i: number) => number>;
  peers: Map<string, Peer>;
}

function runPhase(phase: Phase): { median: (key: string) => number; peer: (key: string) => Peer & { rate: number } } {
  const rates = new Map<string, number[]>();
  for (const [key, run] of phase.variants) {
    for (let i = 0; i < N; i++) sink += run(i); // warm-up
    rates.set(key, []);
  }
  for (const peer of phase.peers.values()) for (let i = 0; i < 20; i++) peer.run(i);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [key, run] of phase.variants) {
      collect();
      const t0 = performance.now();
      for (let i = 0; i < N; i++) sink += run(i);
      rates.get(key)!.push(N / ((performance.now() - t0) / 1000));
    }
    for (const peer of phase.peers.values()) {
      collect();
      const t0 = performance.now();
      const slice = PEER_BUDGET_MS / ROUNDS;
      while (peer.answers.length < peer.count && performance.now() - t0 < slice) peer.answers.push(peer.run(peer.answers.length));
      peer.seconds += (performance.now() - t0) / 1000;
    }
  }
  return {
    median: (key) => {
      const r = [...rates.get(key)!].sort((a, b) => a - b);
      return r[r.length >> 1]!;
    },
    peer: (key) => {
      const p = phase.peers.get(key)!;
      return { ...p, rate: p.answers.length / p.seconds };
    },
  };
}

const local = (ms: number): string =>
  Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(ZONE).toString({ timeZoneName: 'never' }).slice(0, 19);
const fmtRate = (r: number): string =>
  r >= 1e6 ? `${(r / 1e6).toFixed(2)} M/s` : r >= 1e3 ? `${(r / 1e3).toFixed(1)} k/s` : `${r.toFixed(0)} /s`;

interface Row {
  op: string;
  bare: number;
  millis: number;
  temporal: number;
  floor: number;
  peer: number;
  peerN: number;
  peerWrong: number;
}
const rows: Row[] = [];
const notes: string[] = [];

// ---------------------------------------------------------------------------------------------
// Phase 1: addBusinessTime with 2 h, 10 h and 1,000 h.
// ---------------------------------------------------------------------------------------------
function additions(): void {
  const instants = Array.from(addInputsMs, (ms) => Temporal.Instant.fromEpochMilliseconds(ms));
  const phase: Phase = { variants: new Map(), peers: new Map() };
  const hoursList = [2, 10, 1000];
  for (const hours of hoursList) {
    const d = hours * HOUR;
    const duration = Temporal.Duration.from({ hours });
    // Correctness first: ours against the bare baseline, and the two APIs against each other.
    for (let i = 0; i < N; i++) {
      const ours = addBusinessMillis(calendar, addInputsMs[i]!, d);
      if (ours !== bareAdd(addInputsMs[i]!, d)) throw new Error(`addBusinessMillis disagrees with the bare baseline at ${local(addInputsMs[i]!)}`);
      if (addBusinessTime(calendar, instants[i]!, duration).epochMilliseconds !== ours) throw new Error('addBusinessTime disagrees with addBusinessMillis');
    }
    phase.variants.set(`bare ${hours}`, (i) => bareAdd(addInputsMs[i]!, d));
    phase.variants.set(`millis ${hours}`, (i) => addBusinessMillis(calendar, addInputsMs[i]!, d));
    phase.variants.set(`temporal ${hours}`, (i) => addBusinessTime(calendar, instants[i]!, duration).epochMilliseconds);
    const moments = Array.from(addInputsMs.subarray(0, 20_000), toMoment);
    phase.peers.set(`moment ${hours}`, {
      count: moments.length,
      run: (i) => (moments[i]!.clone() as BusinessMoment).addWorkingTime(hours, 'hours').valueOf(),
      answers: [],
      seconds: 0,
    });
  }
  // The floor of any Temporal API: creating the result Instant, with the same inputs alive.
  const results = Float64Array.from(addInputsMs, (ms) => addBusinessMillis(calendar, ms, 2 * HOUR));
  phase.variants.set('floor', (i) => Temporal.Instant.fromEpochMilliseconds(results[i]!).epochMilliseconds);

  const run = runPhase(phase);
  for (const hours of hoursList) {
    const peer = run.peer(`moment ${hours}`);
    let wrong = 0;
    const examples: string[] = [];
    peer.answers.forEach((theirs, i) => {
      const ours = addBusinessMillis(calendar, addInputsMs[i]!, hours * HOUR);
      if (ours !== theirs && ++wrong <= 3) {
        examples.push(`    ${local(addInputsMs[i]!)} + ${hours} h: ours ${local(ours)}, moment-business-time ${local(theirs)}`);
      }
    });
    if (wrong > 0) notes.push(`add ${hours} h: ${wrong} of ${peer.answers.length} disagree, e.g.\n${examples.join('\n')}`);
    rows.push({
      op: `addBusinessTime ${hours} h`,
      bare: run.median(`bare ${hours}`),
      millis: run.median(`millis ${hours}`),
      temporal: run.median(`temporal ${hours}`),
      floor: run.median('floor'),
      peer: peer.rate,
      peerN: peer.answers.length,
      peerWrong: wrong,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: businessTimeBetween over pairs of random instants in 2026.
// ---------------------------------------------------------------------------------------------
function spans(): void {
  const from = Array.from(fromMs, (ms) => Temporal.Instant.fromEpochMilliseconds(ms));
  const to = Array.from(toMs, (ms) => Temporal.Instant.fromEpochMilliseconds(ms));
  for (let i = 0; i < N; i++) {
    const ours = businessMillisBetween(calendar, fromMs[i]!, toMs[i]!);
    if (ours !== bareBetween(fromMs[i]!, toMs[i]!)) throw new Error('businessMillisBetween disagrees with the bare baseline');
    if (businessTimeBetween(calendar, from[i]!, to[i]!).total('milliseconds') !== ours) throw new Error('businessTimeBetween disagrees');
  }
  const fromMoments = Array.from(fromMs.subarray(0, 5_000), toMoment);
  const toMoments = Array.from(toMs.subarray(0, 5_000), toMoment);
  const results = Float64Array.from(fromMs, (a, i) => businessMillisBetween(calendar, a, toMs[i]!));
  const phase: Phase = {
    variants: new Map([
      ['bare', (i: number) => bareBetween(fromMs[i]!, toMs[i]!)],
      ['millis', (i: number) => businessMillisBetween(calendar, fromMs[i]!, toMs[i]!)],
      ['temporal', (i: number) => businessTimeBetween(calendar, from[i]!, to[i]!).sign],
      // the floor: creating the result Duration alone
      ['floor', (i: number) => Temporal.Duration.from({ milliseconds: results[i]! }).sign],
    ]),
    peers: new Map([
      ['moment', { count: toMoments.length, run: (i: number) => toMoments[i]!.workingDiff(fromMoments[i]!, 'milliseconds'), answers: [], seconds: 0 }],
    ]),
  };
  const run = runPhase(phase);
  const peer = run.peer('moment');
  let wrong = 0;
  const examples: string[] = [];
  peer.answers.forEach((theirs, i) => {
    const ours = businessMillisBetween(calendar, fromMs[i]!, toMs[i]!);
    if (ours !== theirs && ++wrong <= 3) {
      examples.push(`    ${local(fromMs[i]!)} → ${local(toMs[i]!)}: ours ${ours / HOUR} h, moment-business-time ${theirs / HOUR} h`);
    }
  });
  if (wrong > 0) notes.push(`between: ${wrong} of ${peer.answers.length} disagree, e.g.\n${examples.join('\n')}`);
  rows.push({
    op: 'businessTimeBetween',
    bare: run.median('bare'),
    millis: run.median('millis'),
    temporal: run.median('temporal'),
    floor: run.median('floor'),
    peer: peer.rate,
    peerN: peer.answers.length,
    peerWrong: wrong,
  });
}

// ---------------------------------------------------------------------------------------------
const cpus = os.cpus();
const collectNote = (globalThis as { gc?: unknown }).gc ? ', heap collected before each pass' : '';
process.stdout.write(
  `sla-calendar benchmark — Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n` +
    `${N.toLocaleString('en-US')} seeded random instants in 2026, ${ZONE} 08:00–18:00 Mon–Fri + US federal holidays 2026–2027\n` +
    `ours, the bare search and the floor: median of ${ROUNDS} rounds, interleaved${collectNote}; every answer checked against the bare search\n` +
    `moment-business-time: up to ${PEER_BUDGET_MS / 1000} s per case, in slices between our rounds, on the first inputs; answers compared with ours\n\n`,
);
additions();
spans();

const pad = (s: string, n: number): string => s.padEnd(n);
const header = ['operation', 'bare search', 'addBusinessMillis', 'Temporal API', 'floor', 'moment-business-time', 'Temporal ÷ moment', 'bare ÷ millis'];
const widths = [24, 11, 17, 12, 10, 31, 17, 13];
process.stdout.write(`| ${header.map((h, i) => pad(h, widths[i]!)).join(' | ')} |\n`);
process.stdout.write(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
for (const r of rows) {
  const cells = [
    r.op,
    fmtRate(r.bare),
    fmtRate(r.millis),
    fmtRate(r.temporal),
    fmtRate(r.floor),
    `${fmtRate(r.peer)} (${r.peerWrong}/${r.peerN} differ)`,
    `${(r.temporal / r.peer).toFixed(0)}×`,
    `${(r.bare / r.millis).toFixed(2)}×`,
  ];
  process.stdout.write(`| ${cells.map((c, i) => pad(c, widths[i]!)).join(' | ')} |\n`);
}
const [two, , thousand] = rows as [Row, Row, Row, Row];
const peerBest = Math.max(...rows.slice(0, 3).map((r) => r.peer));
process.stdout.write(
  `\n(the "millis" column for businessTimeBetween is businessMillisBetween; "floor" is creating the result Temporal object alone)\n` +
    `cost of 1,000 h ÷ cost of 2 h: addBusinessMillis ${(two.millis / thousand.millis).toFixed(2)}×, Temporal API ${(two.temporal / thousand.temporal).toFixed(2)}× (target ≤ 2×)\n` +
    `Temporal API (2 h) ÷ fastest peer addition (${fmtRate(peerBest)}): ${(two.temporal / peerBest).toFixed(0)}× (target ≥ 50×)\n` +
    `bare search ÷ addBusinessMillis (2 h): ${(two.bare / two.millis).toFixed(2)}× (target ≤ 3×)\n`,
);
process.stdout.write(
  notes.length > 0 ? `\nDisagreements with moment-business-time:\n${notes.join('\n')}\n` : '\nmoment-business-time agreed with us on every input it ran.\n',
);
if (sink === 0.5) process.stdout.write('\n');
