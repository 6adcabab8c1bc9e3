import { Engine } from './engine';
import { type CalendarSpec, type NormalizedCalendarSpec, WEEKDAYS, parseSpec } from './spec';

/**
 * A compiled, immutable business calendar made by {@link defineCalendar}. Pass it to the query
 * functions (`addBusinessTime`, `isOpen`, …). Its compiled years are cached inside it, so keep
 * and reuse one calendar per spec.
 */
export interface BusinessCalendar {
  /** A stable identifier derived from the normalized spec: equal specs give equal ids. */
  readonly id: string;
  /** The normalized spec (validated, sorted, de-duplicated, frozen); `defineCalendar(spec)` rebuilds it. */
  readonly spec: NormalizedCalendarSpec;
  readonly timeZone: string;
  /** A one-line human-readable summary, for logs and audit reports. */
  describe(): string;
  /** The normalized spec, so `JSON.stringify(calendar)` stores what `defineCalendar` needs. */
  toJSON(): NormalizedCalendarSpec;
}

class CompiledCalendar implements BusinessCalendar {
  readonly #engine: Engine;
  readonly id: string;
  readonly spec: NormalizedCalendarSpec;
  readonly timeZone: string;

  constructor(spec: unknown) {
    const parsed = parseSpec(spec);
    this.#engine = new Engine(parsed);
    this.spec = parsed.normalized;
    this.timeZone = parsed.normalized.timeZone;
    this.id = `cal-${hash(JSON.stringify(parsed.normalized))}`;
    Object.freeze(this);
  }

  static engineOf(calendar: BusinessCalendar): Engine {
    if (calendar instanceof CompiledCalendar) return calendar.#engine;
    throw new TypeError('expected a BusinessCalendar made by defineCalendar()');
  }

  describe(): string {
    const s = this.spec;
    const byDay = WEEKDAYS.map((day) =>
      s.weeklyHours
        .filter((h) => h.day === day)
        .map((h) => `${h.start}–${h.end}`)
        .join(', '),
    );
    const hours = WEEKDAYS.map((day, i) => (byDay[i] ? `${day.slice(0, 3)} ${byDay[i]}` : ''))
      .filter(Boolean)
      .join('; ');
    const dates = s.holidays.map((h) => (typeof h === 'string' ? h : h.date));
    const listed =
      dates.length === 0 ? '' : `${dates.length} holiday${dates.length === 1 ? '' : 's'} (${dates[0]} … ${dates[dates.length - 1]})`;
    const ruled = s.holidayRules === undefined ? '' : `${s.holidayRules.join(', ')} holidays every year`;
    const holidays = [listed, ruled].filter(Boolean).join(' + ') || 'no holidays';
    return `${this.id} ${s.timeZone}: ${hours}; ${holidays}`;
  }

  toJSON(): NormalizedCalendarSpec {
    return this.spec;
  }
}

/** @internal The compiled engine behind a calendar (throws for anything not from `defineCalendar`). */
export const engineOf = (calendar: BusinessCalendar): Engine => CompiledCalendar.engineOf(calendar);

/**
 * Validates a plain, JSON-serializable spec and compiles it into a {@link BusinessCalendar}.
 *
 * @throws CalendarSpecError naming the offending field: unknown time zone, malformed or
 *   overlapping shifts, a shift ending before it starts, an invalid date, an unknown holiday
 *   rule, an unknown field.
 *
 * @example
 * const calendar = defineCalendar({
 *   timeZone: 'America/New_York',
 *   weeklyHours: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map((day) => ({ day, start: '08:00', end: '18:00' })),
 *   holidayRules: ['us-federal'], // observed US federal holidays, every year
 * });
 */
export function defineCalendar(spec: CalendarSpec): BusinessCalendar {
  return new CompiledCalendar(spec);
}

/** Open around the clock, every day (UTC; the zone is irrelevant when never closed). For outages. */
export const ALWAYS_OPEN: BusinessCalendar = defineCalendar({
  timeZone: 'UTC',
  weeklyHours: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
});

/** Two 32-bit FNV-1a variants as 16 hex digits: a stable, dependency-free fingerprint (not a security hash). */
function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
