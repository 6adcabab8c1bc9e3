import { Temporal } from 'temporal-polyfill';
import type { CalendarSpec, Weekday } from '../spec';

/**
 * A slow, obviously-correct model of a business calendar, for property tests only.
 *
 * It shares nothing with the compiled engine: every wall-clock time goes through Temporal
 * (`disambiguation: 'compatible'`; `00:00` and `24:00` are `startOfDay()` of the day and the
 * next), and questions are answered by stepping minute by minute. A minute is open when it lies in
 * some day's shift and in no day's closure; each day's shifts and closures are clamped to that
 * day. Every boundary is a whole minute, so minute cells are uniformly open or closed, and
 * queries must use minute-aligned instants and whole-minute durations.
 */
export class ReferenceCalendar {
  private readonly cells = new Map<number, Uint8Array>(); // UTC day → 1440 open flags
  private readonly days = new Map<string, DayPieces>();
  private readonly shifts: Map<Weekday, { start: string; end: string }[]>;
  private readonly closures = new Map<string, { start: string; end: string }[]>();

  constructor(
    private readonly spec: CalendarSpec,
    /** A runaway guard for sparse calendars: the most minutes one query may step through. */
    private readonly maxSteps = 4_000_000,
  ) {
    this.shifts = new Map();
    for (const s of spec.weeklyHours) {
      const list = this.shifts.get(s.day) ?? [];
      list.push({ start: s.start, end: s.end });
      this.shifts.set(s.day, list);
    }
    for (const h of spec.holidays ?? []) {
      const c = typeof h === 'string' ? { date: h, start: '00:00', end: '24:00' } : h;
      const list = this.closures.get(c.date) ?? [];
      list.push({ start: c.start, end: c.end });
      this.closures.set(c.date, list);
    }
  }

  private at(date: Temporal.PlainDate, wall: string): number {
    const tz = this.spec.timeZone;
    if (wall === '00:00') return date.toZonedDateTime(tz).epochMilliseconds;
    if (wall === '24:00') return date.add({ days: 1 }).toZonedDateTime(tz).epochMilliseconds;
    return date
      .toPlainDateTime(Temporal.PlainTime.from(wall))
      .toZonedDateTime(tz, { disambiguation: 'compatible' }).epochMilliseconds;
  }

  /** The day's own shifts and closures as instant ranges, clamped to the day. */
  dayPieces(date: Temporal.PlainDate): DayPieces {
    const key = date.toString();
    let pieces = this.days.get(key);
    if (pieces === undefined) {
      const dayStart = this.at(date, '00:00');
      const dayEnd = this.at(date, '24:00');
      const clamp = (r: { start: string; end: string }): [number, number] => [
        Math.min(Math.max(this.at(date, r.start), dayStart), dayEnd),
        Math.min(Math.max(this.at(date, r.end), dayStart), dayEnd),
      ];
      const weekday = WEEKDAY_BY_ISO[date.dayOfWeek]!;
      pieces = {
        dayStart,
        dayEnd,
        open: (this.shifts.get(weekday) ?? []).map(clamp),
        closed: (this.closures.get(key) ?? []).map(clamp),
      };
      this.days.set(key, pieces);
    }
    return pieces;
  }

  private localDate(ms: number): Temporal.PlainDate {
    return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(this.spec.timeZone).toPlainDate();
  }

  private dayCells(utcDay: number): Uint8Array {
    let cells = this.cells.get(utcDay);
    if (cells === undefined) {
      cells = new Uint8Array(1440);
      const from = utcDay * 86_400_000;
      const to = from + 86_400_000;
      const mid = this.localDate(from + 43_200_000);
      const dates = [-2, -1, 0, 1, 2].map((n) => mid.add({ days: n }));
      const mark = ([s, e]: [number, number], value: 0 | 1): void => {
        for (let t = Math.max(s, from); t < Math.min(e, to); t += 60_000) cells![(t - from) / 60_000] = value;
      };
      for (const d of dates) for (const r of this.dayPieces(d).open) mark(r, 1);
      for (const d of dates) for (const r of this.dayPieces(d).closed) mark(r, 0);
      this.cells.set(utcDay, cells);
    }
    return cells;
  }

  /** Whether the minute starting at epoch minute `m` is open. */
  openMinute(m: number): boolean {
    const day = Math.floor(m / 1440);
    return this.dayCells(day)[m - day * 1440] === 1;
  }

  private minuteOf(ms: number): number {
    if (ms % 60_000 !== 0) throw new Error(`reference: ${ms} is not minute-aligned`);
    return ms / 60_000;
  }

  isOpen(ms: number): boolean {
    return this.openMinute(this.minuteOf(ms));
  }

  add(ms: number, minutes: number): number {
    let m = this.minuteOf(ms);
    if (minutes === 0) return ms;
    let count = 0;
    for (let step = 0; step < this.maxSteps; step++) {
      if (minutes > 0) {
        if (this.openMinute(m) && ++count === minutes) return (m + 1) * 60_000;
        m++;
      } else {
        m--;
        if (this.openMinute(m) && ++count === -minutes) return m * 60_000;
      }
    }
    throw new Error('reference: too many steps');
  }

  /** Open minutes in [from, to), negative when to < from. */
  between(fromMs: number, toMs: number): number {
    const a = this.minuteOf(fromMs);
    const b = this.minuteOf(toMs);
    let n = 0;
    for (let m = Math.min(a, b); m < Math.max(a, b); m++) if (this.openMinute(m)) n++;
    return b >= a || n === 0 ? n : -n;
  }

  nextOpening(ms: number): number {
    let m = this.minuteOf(ms);
    for (let step = 0; step < this.maxSteps; step++, m++) if (this.openMinute(m)) return m * 60_000;
    throw new Error('reference: too many steps');
  }

  nextClosing(ms: number): number {
    let m = this.nextOpening(ms) / 60_000;
    for (let step = 0; step < this.maxSteps; step++, m++) if (!this.openMinute(m)) return m * 60_000;
    throw new Error('reference: too many steps');
  }

  /** The last open minute's end among a day's own shifts, or undefined for a day with no open time. */
  private lastClosingOfDay(date: Temporal.PlainDate): number | undefined {
    let last: number | undefined;
    for (const [s, e] of this.dayPieces(date).open) {
      // the latest open minute of this piece, scanning back from its end
      for (let t = e - 60_000; t >= s && (last === undefined || t >= last); t -= 60_000) {
        if (this.isOpen(t)) {
          last = t + 60_000;
          break;
        }
      }
    }
    return last;
  }

  endOfNextBusinessDay(ms: number, countFrom: 'receipt-date' | 'next-opening' = 'receipt-date'): number {
    const base = countFrom === 'next-opening' ? this.nextOpening(ms) : ms;
    let date = this.localDate(base);
    for (let i = 0; i < 10_000; i++) {
      date = date.add({ days: 1 });
      const last = this.lastClosingOfDay(date);
      if (last !== undefined) return last;
    }
    throw new Error('reference: no business day');
  }
}

interface DayPieces {
  dayStart: number;
  dayEnd: number;
  open: [number, number][];
  closed: [number, number][];
}

const WEEKDAY_BY_ISO: readonly (Weekday | undefined)[] = [
  undefined,
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];
