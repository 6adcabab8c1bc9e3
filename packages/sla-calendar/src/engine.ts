import { holidayRuleDays } from './holidays';
import { MAX_YEAR, MIN_YEAR, type MinuteRange, type ParsedSpec } from './spec';
import { MS_PER_DAY, MS_PER_MINUTE, OffsetTimeline, utcYear, weekdayIndex } from './zone';

/**
 * One local year of a calendar, compiled to epoch milliseconds.
 *
 * Open time is the union of the year's shifts minus its closures, as sorted, disjoint,
 * non-touching intervals `[starts[i], ends[i])`; `cum[i]` is the open time before interval `i`
 * (so `cum[m]` is the year's total). Every interval lies inside the year
 * `[dayStarts[0], dayStarts[n])`, so chunks never overlap; an interval ending exactly at the
 * year's end may continue in the next chunk (24/7 over New Year), which `nextClosing` follows.
 */
export interface YearChunk {
  readonly year: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Start of each local day of the year, plus the start of the next year (length days + 1). */
  readonly dayStarts: Float64Array;
  /** The last closing of each local day's own open time, or NaN when the day has none. */
  readonly dayLastEnd: Float64Array;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  readonly cum: Float64Array;
  readonly total: number;
}

export class CalendarRangeError extends RangeError {
  override readonly name = 'CalendarRangeError';
}

const NO_CHUNK: YearChunk = {
  year: NaN,
  startMs: Infinity,
  endMs: -Infinity,
  dayStarts: new Float64Array(0),
  dayLastEnd: new Float64Array(0),
  starts: new Float64Array(0),
  ends: new Float64Array(0),
  cum: new Float64Array(1),
  total: 0,
};

/** First index in `a[0..n)` whose value is > x (n if none). */
function upperBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in `a[0..n)` whose value is >= x (n if none). */
function lowerBound(a: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mergeInto(out: number[], s: number, e: number): void {
  // `out` holds flattened [start, end] pairs sorted by start; pieces arrive sorted by start.
  const n = out.length;
  if (n > 0 && s <= out[n - 1]!) {
    if (e > out[n - 1]!) out[n - 1] = e;
  } else {
    out.push(s, e);
  }
}

function compileYear(spec: ParsedSpec, year: number): YearChunk {
  const timeZone = spec.normalized.timeZone;
  const firstDay = Date.UTC(year, 0, 1) / MS_PER_DAY;
  const days = Date.UTC(year + 1, 0, 1) / MS_PER_DAY - firstDay;
  // Offsets within ±14 h (±26 h for historical zones) of the wall-clock year: a 3-day margin is ample.
  const zone = OffsetTimeline.read(timeZone, (firstDay - 3) * MS_PER_DAY, (firstDay + days + 3) * MS_PER_DAY);

  const dayStarts = new Float64Array(days + 1);
  for (let i = 0; i <= days; i++) dayStarts[i] = zone.startOfDay((firstDay + i) * MS_PER_DAY);
  const dayLastEnd = new Float64Array(days).fill(NaN);

  // `00:00` and `24:00` are the starts of the day and of the next day; other wall times are
  // resolved like Temporal's 'compatible'. Each day's pieces are clamped to that day.
  let steadyOffset = NaN; // the day's single offset, when no transition is near (most days)
  const toEpoch = (dayIndex: number, minute: number): number => {
    if (minute === 0) return dayStarts[dayIndex]!;
    if (minute === 1440) return dayStarts[dayIndex + 1]!;
    const wall = (firstDay + dayIndex) * MS_PER_DAY + minute * MS_PER_MINUTE;
    if (steadyOffset === steadyOffset) return wall - steadyOffset;
    const e = zone.wallToEpoch(wall);
    return Math.min(Math.max(e, dayStarts[dayIndex]!), dayStarts[dayIndex + 1]!);
  };
  const toPieces = (dayIndex: number, ranges: readonly MinuteRange[]): number[] => {
    const out: number[] = [];
    let sorted = true;
    for (const r of ranges) {
      const s = toEpoch(dayIndex, r.startMin);
      const e = toEpoch(dayIndex, r.endMin);
      if (e <= s) continue;
      if (out.length > 0 && s < out[out.length - 2]!) sorted = false;
      out.push(s, e);
    }
    return sorted ? mergeSorted(out) : mergeSorted(sortPairs(out));
  };

  // Rule holidays close whole dates; computed for this year only, so compiling stays lazy.
  const rules = spec.normalized.holidayRules;
  let ruleDays: Set<number> | undefined;
  if (rules !== undefined) {
    ruleDays = new Set();
    for (const rule of rules) for (const d of holidayRuleDays(rule, year)) ruleDays.add(d);
  }

  const flat: number[] = [];
  for (let i = 0; i < days; i++) {
    const epochDay = firstDay + i;
    const shifts = spec.shiftsByWeekday[weekdayIndex(epochDay)]!;
    if (shifts.length === 0) continue;
    if (ruleDays !== undefined && ruleDays.has(epochDay)) continue;
    steadyOffset = zone.steadyOffsetForDay(epochDay * MS_PER_DAY);
    let pieces = toPieces(i, shifts);
    const closures = spec.closuresByEpochDay.get(epochDay);
    if (closures !== undefined && pieces.length > 0) pieces = subtract(pieces, toPieces(i, closures));
    if (pieces.length === 0) continue;
    dayLastEnd[i] = pieces[pieces.length - 1]!;
    for (let p = 0; p < pieces.length; p += 2) mergeInto(flat, pieces[p]!, pieces[p + 1]!);
  }

  const m = flat.length / 2;
  const starts = new Float64Array(m);
  const ends = new Float64Array(m);
  const cum = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    starts[i] = flat[2 * i]!;
    ends[i] = flat[2 * i + 1]!;
    cum[i + 1] = cum[i]! + (ends[i]! - starts[i]!);
  }
  return {
    year,
    startMs: dayStarts[0]!,
    endMs: dayStarts[days]!,
    dayStarts,
    dayLastEnd,
    starts,
    ends,
    cum,
    total: cum[m]!,
  };
}

/** Wall-clock order is not always instant order inside a DST gap: sort flattened pairs by start. */
function sortPairs(flat: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  return pairs.flat();
}

/** Merges overlapping or touching pairs of flattened pairs sorted by start. */
function mergeSorted(flat: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < flat.length; i += 2) mergeInto(out, flat[i]!, flat[i + 1]!);
  return out;
}

/** `a` minus `b`, both flattened sorted disjoint [start, end] pairs. */
function subtract(a: number[], b: number[]): number[] {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let s = a[i]!;
    const e = a[i + 1]!;
    while (j < b.length && b[j + 1]! <= s) j += 2;
    let k = j;
    while (s < e && k < b.length && b[k]! < e) {
      if (b[k]! > s) out.push(s, b[k]!);
      s = Math.max(s, b[k + 1]!);
      k += 2;
    }
    if (s < e) out.push(s, e);
  }
  return out;
}

/**
 * The compiled, lazily-expanded form of a calendar: answers every query with plain numbers,
 * binary searches and prefix sums of open time. Years are compiled on first use and kept.
 */
export class Engine {
  private readonly chunks: (YearChunk | undefined)[] = [];
  private last: YearChunk;

  constructor(readonly spec: ParsedSpec) {
    this.last = NO_CHUNK;
  }

  get alwaysOpen(): boolean {
    return this.spec.alwaysOpen;
  }

  chunk(year: number): YearChunk {
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw new CalendarRangeError(
        `the calendar covers local years ${MIN_YEAR}–${MAX_YEAR}; this query needs ${year} ` +
          `(an instant out of range, or no open time left before the range ends)`,
      );
    }
    let c = this.chunks[year - MIN_YEAR];
    if (c === undefined) {
      c = compileYear(this.spec, year);
      this.chunks[year - MIN_YEAR] = c;
    }
    return c;
  }

  /** The chunk whose local year contains `ms`. */
  chunkAt(ms: number): YearChunk {
    const c = this.last;
    if (ms >= c.startMs && ms < c.endMs) return c;
    return this.locate(ms);
  }

  private locate(ms: number): YearChunk {
    if (!Number.isFinite(ms)) throw new RangeError(`expected a finite epoch-millisecond instant, got ${ms}`);
    // The local year differs from the UTC year only within a day of New Year.
    let year = utcYear(ms);
    if (year < MIN_YEAR && utcYear(ms + 2 * MS_PER_DAY) >= MIN_YEAR) year = MIN_YEAR;
    if (year > MAX_YEAR && utcYear(ms - 2 * MS_PER_DAY) <= MAX_YEAR) year = MAX_YEAR;
    for (;;) {
      const c = this.chunk(year);
      if (ms < c.startMs) year--;
      else if (ms >= c.endMs) year++;
      else {
        this.last = c;
        return c;
      }
    }
  }

  /** Open time from the start of `c`'s year up to `ms` (which lies in `c`). */
  private position(c: YearChunk, ms: number): number {
    const m = c.starts.length;
    const i = upperBound(c.starts, m, ms) - 1;
    if (i < 0) return 0;
    const e = c.ends[i]!;
    return c.cum[i]! + ((ms < e ? ms : e) - c.starts[i]!);
  }

  isOpen(ms: number): boolean {
    const c = this.chunkAt(ms);
    if (this.spec.alwaysOpen) return true;
    const i = upperBound(c.starts, c.starts.length, ms) - 1;
    return i >= 0 && ms < c.ends[i]!;
  }

  /**
   * For `d > 0` the earliest `r >= t` with `d` of open time in `[t, r)`; for `d < 0` the latest
   * `r <= t` with `-d` of open time in `[r, t)`; `t` itself for `d = 0`.
   */
  add(t: number, d: number): number {
    if (d === 0) {
      this.chunkAt(t); // range check
      return t;
    }
    if (this.spec.alwaysOpen) {
      this.chunkAt(t + d);
      return t + d;
    }
    let c = this.chunkAt(t);
    let target = this.position(c, t) + d;
    if (d > 0) {
      while (target > c.total) {
        target -= c.total;
        c = this.chunk(c.year + 1);
      }
      // The first interval whose cumulative end reaches the target: a deadline landing exactly on
      // a closing is that closing, not the next opening.
      const j = lowerBound(c.cum, c.cum.length, target) - 1;
      return c.starts[j]! + (target - c.cum[j]!);
    }
    while (target < 0) {
      c = this.chunk(c.year - 1);
      target += c.total;
    }
    // The last interval starting at or before the target position: the latest such instant.
    const j = upperBound(c.cum, c.starts.length, target) - 1;
    return c.starts[j]! + (target - c.cum[j]!);
  }

  /** Open time in `[from, to)`; negative (minus the open time in `[to, from)`) when `to < from`. */
  between(from: number, to: number): number {
    if (to < from) {
      const back = this.between(to, from);
      return back === 0 ? 0 : -back; // never -0
    }
    if (this.spec.alwaysOpen) {
      this.chunkAt(from);
      this.chunkAt(to);
      return to - from;
    }
    const a = this.chunkAt(from);
    const pa = this.position(a, from);
    if (to < a.endMs) return this.position(a, to) - pa;
    let sum = a.total - pa;
    let y = a.year + 1;
    const b = this.chunkAt(to);
    for (; y < b.year; y++) sum += this.chunk(y).total;
    return sum + this.position(b, to);
  }

  /** `t` when open, else the start of the next open interval. */
  nextOpening(t: number): number {
    if (this.spec.alwaysOpen) {
      this.chunkAt(t);
      return t;
    }
    let c = this.chunkAt(t);
    const m = c.starts.length;
    const i = upperBound(c.starts, m, t);
    if (i > 0 && t < c.ends[i - 1]!) return t;
    if (i < m) return c.starts[i]!;
    for (;;) {
      c = this.chunk(c.year + 1);
      if (c.starts.length > 0) return c.starts[0]!;
    }
  }

  /** The end of the open period containing `t`, or of the next one when `t` is closed. */
  nextClosing(t: number): number {
    if (this.spec.alwaysOpen) {
      throw new CalendarRangeError('the calendar is open around the clock: it never closes');
    }
    let c = this.chunkAt(t);
    const m = c.starts.length;
    let i = upperBound(c.starts, m, t);
    if (i > 0 && t < c.ends[i - 1]!) i--;
    while (i >= c.starts.length) {
      c = this.chunk(c.year + 1);
      i = 0;
    }
    let end = c.ends[i]!;
    // An open period can run on across New Year (24/7 around midnight): follow it.
    while (i === c.starts.length - 1 && end === c.endMs) {
      const next = this.chunk(c.year + 1);
      if (next.starts.length === 0 || next.starts[0] !== end) break;
      c = next;
      i = 0;
      end = c.ends[0]!;
    }
    return end;
  }

  /**
   * The last closing of the first business day (a local date with open time) whose local date
   * is after that of `t`.
   */
  endOfNextBusinessDay(t: number): number {
    let c = this.chunkAt(t);
    let day = upperBound(c.dayStarts, c.dayStarts.length - 1, t);
    for (;;) {
      const n = c.dayLastEnd.length;
      for (; day < n; day++) {
        const e = c.dayLastEnd[day]!;
        if (e === e) return e; // not NaN
      }
      c = this.chunk(c.year + 1);
      day = 0;
    }
  }
}
