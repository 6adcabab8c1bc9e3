import { Temporal } from './temporal';
import { type BusinessCalendar, engineOf } from './calendar';

/**
 * An amount of business (open) time. Calendar units (days, weeks, months, years) are rejected:
 * a business day is not 24 hours — use hours, or {@link endOfNextBusinessDay}.
 */
export type DurationLike =
  | Temporal.Duration
  | {
      readonly hours?: number;
      readonly minutes?: number;
      readonly seconds?: number;
      readonly milliseconds?: number;
    };

/** Where `endOfNextBusinessDay` starts counting; see {@link EndOfNextBusinessDayOptions}. */
export type CountFrom = 'receipt-date' | 'next-opening';

export interface EndOfNextBusinessDayOptions {
  /**
   * - `'receipt-date'` (default): the next business day is the first business day whose local
   *   date is after the local date of the instant, whether or not the calendar was open then.
   * - `'next-opening'`: when the instant falls outside open hours, count from the local date of
   *   `nextOpening(instant)` instead (a ticket received on Friday evening is "received" on
   *   Monday morning, so its next business day is Tuesday). Inside open hours both agree.
   */
  readonly countFrom?: CountFrom;
}

const NS_PER_MS = 1_000_000;
const NS_PER_MS_BIG = 1_000_000n;

// ---------------------------------------------------------------------------------------------
// Epoch-millisecond API: plain numbers in, plain numbers out. The fast path for replays.
// ---------------------------------------------------------------------------------------------

function checkMs(value: number, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number of epoch milliseconds, got ${String(value)}`);
  }
}

/**
 * The instant (epoch ms) at which `durationMs` of open time has passed, counting from `epochMs`.
 * A deadline landing exactly on a closing time is that closing time. A negative duration counts
 * backwards (the latest instant with that much open time before `epochMs`); zero returns `epochMs`.
 */
export function addBusinessMillis(calendar: BusinessCalendar, epochMs: number, durationMs: number): number {
  checkMs(epochMs, 'epochMs');
  checkMs(durationMs, 'durationMs');
  return engineOf(calendar).add(epochMs, durationMs);
}

/** Open time in milliseconds in `[fromMs, toMs)`; when `toMs < fromMs`, minus the open time in `[toMs, fromMs)`. */
export function businessMillisBetween(calendar: BusinessCalendar, fromMs: number, toMs: number): number {
  checkMs(fromMs, 'fromMs');
  checkMs(toMs, 'toMs');
  return engineOf(calendar).between(fromMs, toMs);
}

/** Whether the calendar is open at `epochMs` (intervals are half-open: open at opening, closed at closing). */
export function isOpenAt(calendar: BusinessCalendar, epochMs: number): boolean {
  checkMs(epochMs, 'epochMs');
  return engineOf(calendar).isOpen(epochMs);
}

/** `epochMs` itself when open, else the next opening. */
export function nextOpeningMillis(calendar: BusinessCalendar, epochMs: number): number {
  checkMs(epochMs, 'epochMs');
  return engineOf(calendar).nextOpening(epochMs);
}

/**
 * When the open period containing `epochMs` ends (or, when closed, the one that opens next).
 * Always after `epochMs`. Throws a `RangeError` for a calendar that never closes (`ALWAYS_OPEN`).
 */
export function nextClosingMillis(calendar: BusinessCalendar, epochMs: number): number {
  checkMs(epochMs, 'epochMs');
  return engineOf(calendar).nextClosing(epochMs);
}

/** Epoch-millisecond form of {@link endOfNextBusinessDay}. */
export function endOfNextBusinessDayMillis(
  calendar: BusinessCalendar,
  epochMs: number,
  options?: EndOfNextBusinessDayOptions,
): number {
  checkMs(epochMs, 'epochMs');
  const engine = engineOf(calendar);
  const countFrom = options?.countFrom ?? 'receipt-date';
  if (countFrom === 'receipt-date') return engine.endOfNextBusinessDay(epochMs);
  if (countFrom === 'next-opening') return engine.endOfNextBusinessDay(engine.nextOpening(epochMs));
  throw new RangeError(`countFrom must be 'receipt-date' or 'next-opening', got ${JSON.stringify(countFrom)}`);
}

// ---------------------------------------------------------------------------------------------
// Temporal API. Exact to the nanosecond: calendar boundaries are whole milliseconds, so a
// sub-millisecond part only shifts a result inside one open interval; the common case of
// whole-millisecond inputs takes a pure-number path.
// ---------------------------------------------------------------------------------------------

/** An exact time value as whole milliseconds plus 0 ≤ sub < 1e6 nanoseconds. */
interface Exact {
  ms: number;
  sub: number;
}

/** The validated instant's epoch nanoseconds (also accepts an Instant from another copy of the polyfill). */
function epochNs(value: Temporal.Instant, name: string): bigint {
  if (!(value instanceof Temporal.Instant)) {
    if (typeof value === 'string') {
      throw new TypeError(
        `${name} must be a Temporal.Instant, not a string; parse it with Temporal.Instant.from(), ` +
          `which requires an explicit offset or 'Z' (a local time without an offset is ambiguous)`,
      );
    }
    const tag = (value as { [Symbol.toStringTag]?: unknown } | null | undefined)?.[Symbol.toStringTag];
    if (tag !== 'Temporal.Instant') throw new TypeError(`${name} must be a Temporal.Instant, got ${describe(value)}`);
  }
  return value.epochNanoseconds;
}

/**
 * Whole epoch milliseconds of `ns`, or NaN when it has a sub-millisecond part. One BigInt
 * operation and no object: with many Temporal objects alive, every allocation makes the
 * polyfill's WeakMap-heavy garbage collection dearer.
 */
function wholeMs(ns: bigint): number {
  // |ns| < 2^63: Number(ns) is within 1 µs of ns, so rounding recovers the exact millisecond.
  return ns % NS_PER_MS_BIG === 0n ? Math.round(Number(ns) / NS_PER_MS) : NaN;
}

/** `ns` as floored milliseconds plus 0 ≤ sub < 1e6 nanoseconds. */
function splitNs(ns: bigint): Exact {
  const rem = ns % NS_PER_MS_BIG;
  const sub = rem < 0n ? Number(rem) + NS_PER_MS : Number(rem);
  return { ms: Number((ns - BigInt(sub)) / NS_PER_MS_BIG), sub };
}

/** Floored epoch milliseconds of an instant. */
function floorMs(value: Temporal.Instant, name: string): number {
  const ns = epochNs(value, name);
  const ms = wholeMs(ns);
  return ms === ms ? ms : splitNs(ns).ms;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}

function toInstant(ms: number, sub: number): Temporal.Instant {
  if (sub === 0) return Temporal.Instant.fromEpochMilliseconds(ms);
  return Temporal.Instant.fromEpochNanoseconds(BigInt(ms) * NS_PER_MS_BIG + BigInt(sub));
}

const durationCache = new WeakMap<Temporal.Duration, Exact>();

/** A duration as exact signed nanoseconds, split as `ms * 1e6 + sub` (0 ≤ sub < 1e6, `ms` floored). */
function durationParts(duration: DurationLike): Exact {
  if (duration instanceof Temporal.Duration) {
    let parts = durationCache.get(duration);
    if (parts === undefined) {
      parts = temporalDurationParts(duration);
      durationCache.set(duration, parts);
    }
    return parts;
  }
  return { ms: plainDurationMs(duration), sub: 0 };
}

/** A duration's whole milliseconds, or NaN when it has a sub-millisecond part (no allocation). */
function durationWholeMs(duration: DurationLike): number {
  if (duration === lastDuration) return lastDurationMs; // a constant target, reused call after call
  if (duration instanceof Temporal.Duration) {
    const parts = durationParts(duration);
    lastDuration = duration;
    lastDurationMs = parts.sub === 0 ? parts.ms : NaN;
    return lastDurationMs;
  }
  return plainDurationMs(duration);
}
let lastDuration: Temporal.Duration | undefined;
let lastDurationMs = NaN;

function plainDurationMs(duration: DurationLike): number {
  if ((duration as { [Symbol.toStringTag]?: unknown } | null)?.[Symbol.toStringTag] === 'Temporal.Duration') {
    // A Duration from another copy of the polyfill: its fields are getters, not own properties.
    const parts = temporalDurationParts(duration as Temporal.Duration);
    if (parts.sub !== 0) throw new RangeError('duration: a sub-millisecond Temporal.Duration must come from this package’s Temporal');
    return parts.ms;
  }
  if (typeof duration !== 'object' || duration === null) {
    throw new TypeError(
      typeof duration === 'string'
        ? `duration must be a Temporal.Duration or { hours, minutes, seconds, milliseconds }; parse ISO strings with Temporal.Duration.from()`
        : `duration must be a Temporal.Duration or { hours, minutes, seconds, milliseconds }, got ${describe(duration)}`,
    );
  }
  let total = 0;
  let sign = 0;
  for (const key in duration) {
    if (!Object.prototype.hasOwnProperty.call(duration, key)) continue;
    const unit = UNIT_MS[key];
    if (unit === undefined) {
      throw new RangeError(
        `duration: unknown or unsupported field ${JSON.stringify(key)}; use hours, minutes, seconds, milliseconds ` +
          `(a business day is not 24 hours: use endOfNextBusinessDay)`,
      );
    }
    const v = (duration as Record<string, unknown>)[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`duration.${key} must be a finite number`);
    if (v !== 0) {
      const s = Math.sign(v);
      if (sign !== 0 && s !== sign) throw new RangeError('duration: fields must not mix positive and negative values');
      sign = s;
    }
    total += v * unit;
  }
  if (!Number.isSafeInteger(total)) {
    throw new RangeError(`duration must be a whole number of milliseconds within ±2^53, got ${total} ms`);
  }
  return total;
}

const UNIT_MS: Record<string, number | undefined> = Object.assign(Object.create(null) as Record<string, number>, {
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
});

function temporalDurationParts(d: Temporal.Duration): Exact {
  if (d.years !== 0 || d.months !== 0 || d.weeks !== 0 || d.days !== 0) {
    throw new RangeError(
      `duration ${d.toString()} has calendar units (years, months, weeks or days); business time is measured ` +
        `in hours, minutes and seconds (a business day is not 24 hours: use endOfNextBusinessDay)`,
    );
  }
  const ns =
    BigInt(d.hours) * 3_600_000_000_000n +
    BigInt(d.minutes) * 60_000_000_000n +
    BigInt(d.seconds) * 1_000_000_000n +
    BigInt(d.milliseconds) * NS_PER_MS_BIG +
    BigInt(d.microseconds) * 1_000n +
    BigInt(d.nanoseconds);
  let rem = ns % NS_PER_MS_BIG;
  if (rem < 0n) rem += NS_PER_MS_BIG;
  const ms = (ns - rem) / NS_PER_MS_BIG;
  if (ms > BigInt(Number.MAX_SAFE_INTEGER) || ms < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`duration ${d.toString()} is too large`);
  }
  return { ms: Number(ms), sub: Number(rem) };
}

/** Balanced `PT#H#M#S` duration (hours are the largest unit) of exactly `ms * 1e6 + subNs` nanoseconds, |subNs| < 1e6. */
function toDuration(ms: number, subNs: number): Temporal.Duration {
  if (subNs < 0) {
    ms -= 1;
    subNs += NS_PER_MS;
  }
  // Now total = ms * 1e6 + subNs with 0 <= subNs < 1e6; take the magnitude.
  if (ms < 0 && subNs !== 0) {
    ms += 1;
    subNs = subNs - NS_PER_MS; // total = ms * 1e6 + subNs with -1e6 < subNs < 0, ms <= 0
  }
  const sign = ms < 0 || (ms === 0 && subNs < 0) ? -1 : 1;
  let a = Math.abs(ms);
  const b = Math.abs(subNs);
  const hours = Math.floor(a / 3_600_000);
  a -= hours * 3_600_000;
  const minutes = Math.floor(a / 60_000);
  a -= minutes * 60_000;
  const seconds = Math.floor(a / 1000);
  const millis = a - seconds * 1000;
  const micros = Math.floor(b / 1000);
  const nanos = b - micros * 1000;
  return new Temporal.Duration(
    0,
    0,
    0,
    0,
    sign * hours,
    sign * minutes,
    sign * seconds,
    sign * millis,
    sign * micros,
    sign * nanos,
  );
}

/**
 * The instant at which `duration` of open time has passed, counting from `instant`.
 *
 * Intervals are half-open `[opening, closing)`: a deadline landing exactly on a closing time is
 * that closing time, not the next opening. Counting starts at the next opening when `instant` is
 * closed. A negative duration counts backwards; a zero duration returns `instant`.
 *
 * @example addBusinessTime(calendar, Temporal.Instant.from('2026-03-06T17:30:00-05:00'), { hours: 2 })
 *   // 2026-03-09T13:30:00Z (09:30 New York time on Monday, after the spring-forward weekend)
 */
export function addBusinessTime(
  calendar: BusinessCalendar,
  instant: Temporal.Instant,
  duration: DurationLike,
): Temporal.Instant {
  const engine = engineOf(calendar);
  const ns = epochNs(instant, 'instant');
  const tMs = wholeMs(ns);
  const dMs = durationWholeMs(duration);
  if (tMs === tMs && dMs === dMs) return Temporal.Instant.fromEpochMilliseconds(engine.add(tMs, dMs));
  const t = splitNs(ns);
  const d = durationParts(duration);
  if (d.ms === 0 && d.sub === 0) return instant;
  const carried = engine.isOpen(t.ms) ? t.sub : 0;
  if (d.ms >= 0) {
    // Forward: the target position is P(t.ms) + carried + d, in nanoseconds.
    const x = carried + d.sub; // < 2e6
    const q = d.ms + Math.floor(x / NS_PER_MS);
    const rem = x % NS_PER_MS;
    if (rem === 0) return toInstant(engine.add(t.ms, q), 0);
    // Strictly inside an open interval: reach the next whole millisecond, step back the remainder.
    return toInstant(engine.add(t.ms, q + 1) - 1, rem);
  }
  // Backward by |d| = a nanoseconds.
  const aMs = d.sub === 0 ? -d.ms : -d.ms - 1;
  const aSub = d.sub === 0 ? 0 : NS_PER_MS - d.sub;
  // Within the open millisecond `t` lies in: step back inside it.
  if (aMs === 0 && aSub <= carried) return toInstant(t.ms, t.sub - aSub);
  // Otherwise the target position is P(t.ms) - y with y = |d| - carried = yMs * 1e6 + ySub.
  const yMs = aSub >= carried ? aMs : aMs - 1;
  const ySub = aSub >= carried ? aSub - carried : aSub - carried + NS_PER_MS;
  if (ySub === 0) return toInstant(engine.add(t.ms, -yMs), 0);
  return toInstant(engine.add(t.ms, -(yMs + 1)), NS_PER_MS - ySub);
}

/**
 * The open time between two instants: in `[from, to)`, or, when `to` is before `from`, the
 * negative of the open time in `[to, from)` — so `businessTimeBetween(a, addBusinessTime(a, d))`
 * is `d` in both directions. The result is balanced with hours as the largest unit (`PT12H30M`).
 */
export function businessTimeBetween(
  calendar: BusinessCalendar,
  from: Temporal.Instant,
  to: Temporal.Instant,
): Temporal.Duration {
  const engine = engineOf(calendar);
  const aNs = epochNs(from, 'from');
  const bNs = epochNs(to, 'to');
  const aMs = wholeMs(aNs);
  const bMs = wholeMs(bNs);
  if (aMs === aMs && bMs === bMs) return toDuration(engine.between(aMs, bMs), 0);
  const a = splitNs(aNs);
  const b = splitNs(bNs);
  const ms = engine.between(a.ms, b.ms);
  const sub = (engine.isOpen(b.ms) ? b.sub : 0) - (engine.isOpen(a.ms) ? a.sub : 0);
  return toDuration(ms, sub);
}

/** Whether the calendar is open at `instant` (open at an opening time, closed at a closing time). */
export function isOpen(calendar: BusinessCalendar, instant: Temporal.Instant): boolean {
  return engineOf(calendar).isOpen(floorMs(instant, 'instant'));
}

/** `instant` itself when the calendar is open then, else the next opening. */
export function nextOpening(calendar: BusinessCalendar, instant: Temporal.Instant): Temporal.Instant {
  const engine = engineOf(calendar);
  const t = floorMs(instant, 'instant');
  const r = engine.nextOpening(t);
  return r === t ? instant : toInstant(r, 0);
}

/**
 * When the open period containing `instant` ends — or, when closed, when the next one ends.
 * Always after `instant`. Throws a `RangeError` for a calendar that never closes (`ALWAYS_OPEN`).
 */
export function nextClosing(calendar: BusinessCalendar, instant: Temporal.Instant): Temporal.Instant {
  return toInstant(engineOf(calendar).nextClosing(floorMs(instant, 'instant')), 0);
}

/**
 * The end of the next business day: the last closing time of the first business day (a local date
 * with open time) whose local date is after the local date of `instant` — or, with
 * `countFrom: 'next-opening'` and `instant` outside open hours, after the local date of
 * `nextOpening(instant)`. See {@link EndOfNextBusinessDayOptions}.
 */
export function endOfNextBusinessDay(
  calendar: BusinessCalendar,
  instant: Temporal.Instant,
  options?: EndOfNextBusinessDayOptions,
): Temporal.Instant {
  return toInstant(endOfNextBusinessDayMillis(calendar, floorMs(instant, 'instant'), options), 0);
}
