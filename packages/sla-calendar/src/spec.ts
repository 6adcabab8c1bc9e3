import { Temporal } from './temporal';

/** A day of the week, as written in a {@link CalendarSpec}. */
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

/** The weekdays in ISO order (index 0 is Monday, ISO day 1). */
export const WEEKDAYS: readonly Weekday[] = Object.freeze([
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
]);

/** One local wall-clock shift, `[start, end)`, e.g. `{ day: 'monday', start: '08:00', end: '18:00' }`. */
export interface WeeklyShift {
  readonly day: Weekday;
  /** `'HH:MM'`, `00:00`–`23:59`. */
  readonly start: string;
  /** `'HH:MM'`, `00:01`–`24:00`; after `start`. */
  readonly end: string;
}

/** A partial-day closure on one local date, `[start, end)`. */
export interface PartialHoliday {
  /** `'YYYY-MM-DD'`, a local date in the calendar's time zone. */
  readonly date: string;
  readonly start: string;
  readonly end: string;
}

/** A holiday: a whole local date `'YYYY-MM-DD'`, or a partial-day closure. */
export type HolidaySpec = string | PartialHoliday;

/**
 * The holiday rules a {@link CalendarSpec} may name: each closes whole local dates computed for
 * every year the calendar answers for, so the holidays never run out.
 *
 * - `'us-federal'`: the observed US federal holidays (the dates `usFederalHolidaysBetween`
 *   lists), including December 31 when the next New Year's Day falls on a Saturday.
 */
export const HOLIDAY_RULES = Object.freeze(['us-federal'] as const);

/** A holiday rule named in {@link CalendarSpec.holidayRules}; see {@link HOLIDAY_RULES}. */
export type HolidayRule = (typeof HOLIDAY_RULES)[number];

/** The plain, JSON-serializable description of a business calendar. */
export interface CalendarSpec {
  /** An IANA time zone (`'America/New_York'`), `'UTC'`, or a fixed offset (`'+05:30'`). */
  readonly timeZone: string;
  /** Local wall-clock opening hours; several shifts per day are allowed (split shifts). */
  readonly weeklyHours: readonly WeeklyShift[];
  /** Local dates (or parts of dates) on which the calendar is closed. */
  readonly holidays?: readonly HolidaySpec[];
  /**
   * Rules whose dates close the calendar in every year it answers for (1900–2200), in addition to
   * `holidays`: e.g. `['us-federal']`. Unlike a list of dates, a rule never runs out.
   */
  readonly holidayRules?: readonly HolidayRule[];
}

/**
 * A validated spec: shifts sorted by day and start, holidays and rules de-duplicated and sorted,
 * frozen. `holidayRules` is present only when not empty, so a spec without rules keeps its
 * normalized form (and calendar id).
 */
export interface NormalizedCalendarSpec {
  readonly timeZone: string;
  readonly weeklyHours: readonly WeeklyShift[];
  readonly holidays: readonly HolidaySpec[];
  readonly holidayRules?: readonly HolidayRule[];
}

/** Local years a calendar can answer for; instants whose local date falls outside are a `RangeError`. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2200;

/** Thrown by `defineCalendar` when a spec is invalid; `path` points at the offending field. */
export class CalendarSpecError extends Error {
  override readonly name = 'CalendarSpecError';
  constructor(
    /** Where the problem is, e.g. `weeklyHours[2].end`. */
    readonly path: string,
    /** What is wrong, without the path. */
    readonly problem: string,
  ) {
    super(`invalid calendar spec: ${path}: ${problem}`);
  }
}

/** A shift or closure in minutes after local midnight, `[startMin, endMin)`; `1440` is `24:00`. */
export interface MinuteRange {
  readonly startMin: number;
  readonly endMin: number;
}

/** What the compiler needs: shifts per ISO weekday and closures per epoch day, all in minutes. */
export interface ParsedSpec {
  readonly normalized: NormalizedCalendarSpec;
  /** Index 0 = Monday; each list sorted by start, non-overlapping. */
  readonly shiftsByWeekday: readonly (readonly MinuteRange[])[];
  /** Key: days since 1970-01-01 of the local date. */
  readonly closuresByEpochDay: ReadonlyMap<number, readonly MinuteRange[]>;
  /** Open around the clock every day, no holidays and no holiday rules: never closes. */
  readonly alwaysOpen: boolean;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const describe = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

function parseWallTime(value: unknown, path: string, allow2400: boolean): number {
  if (typeof value !== 'string') throw new CalendarSpecError(path, `expected a string 'HH:MM', got ${typeof value}`);
  if (value === '24:00') {
    if (allow2400) return 1440;
    throw new CalendarSpecError(path, `'24:00' is only allowed as an end time`);
  }
  const m = HHMM.exec(value);
  if (!m) throw new CalendarSpecError(path, `${describe(value)} is not a time 'HH:MM' between 00:00 and 23:59`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Days since 1970-01-01 of a valid `'YYYY-MM-DD'`, or a spec error. */
function parseDate(value: unknown, path: string): number {
  if (typeof value !== 'string') throw new CalendarSpecError(path, `expected a date string 'YYYY-MM-DD', got ${typeof value}`);
  const m = DATE.exec(value);
  if (!m) throw new CalendarSpecError(path, `${describe(value)} is not a date 'YYYY-MM-DD'`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (month < 1 || month > 12 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    throw new CalendarSpecError(path, `${describe(value)} is not a valid date`);
  }
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new CalendarSpecError(path, `${describe(value)} is outside the supported years ${MIN_YEAR}–${MAX_YEAR}`);
  }
  return ms / 86_400_000;
}

function checkKeys(obj: object, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new CalendarSpecError(path, `unknown field ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})`);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validateTimeZone(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CalendarSpecError('timeZone', 'expected an IANA time zone name such as "America/New_York"');
  }
  try {
    // Temporal validates against the IANA database and normalizes the case ('america/new_york').
    return Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(value).timeZoneId;
  } catch {
    throw new CalendarSpecError('timeZone', `unknown time zone ${JSON.stringify(value)}`);
  }
}

const fmt = (min: number): string =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** Validates and normalizes a spec; throws {@link CalendarSpecError} naming the first problem found. */
export function parseSpec(spec: unknown): ParsedSpec {
  if (!isPlainObject(spec)) {
    throw new CalendarSpecError('spec', 'expected an object { timeZone, weeklyHours, holidays?, holidayRules? }');
  }
  checkKeys(spec, ['timeZone', 'weeklyHours', 'holidays', 'holidayRules'], 'spec');
  const timeZone = validateTimeZone(spec['timeZone']);

  const weekly = spec['weeklyHours'];
  if (!Array.isArray(weekly)) throw new CalendarSpecError('weeklyHours', 'expected an array of { day, start, end }');
  if (weekly.length === 0) {
    throw new CalendarSpecError('weeklyHours', 'is empty: the calendar would never open (use ALWAYS_OPEN for 24/7)');
  }
  type Indexed = MinuteRange & { readonly index: number };
  const byDay: Indexed[][] = WEEKDAYS.map(() => []);
  weekly.forEach((shift: unknown, index) => {
    const path = `weeklyHours[${index}]`;
    if (!isPlainObject(shift)) throw new CalendarSpecError(path, 'expected an object { day, start, end }');
    checkKeys(shift, ['day', 'start', 'end'], path);
    const day = WEEKDAYS.indexOf(shift['day'] as Weekday);
    if (day < 0) {
      throw new CalendarSpecError(`${path}.day`, `${describe(shift['day'])} is not a weekday (${WEEKDAYS.join(', ')})`);
    }
    const startMin = parseWallTime(shift['start'], `${path}.start`, false);
    const endMin = parseWallTime(shift['end'], `${path}.end`, true);
    if (endMin <= startMin) {
      throw new CalendarSpecError(
        path,
        `shift ends (${fmt(endMin)}) ${endMin === startMin ? 'when' : 'before'} it starts (${fmt(startMin)}); ` +
          `a shift past midnight is two shifts, one ending '24:00' and one starting '00:00'`,
      );
    }
    byDay[day]!.push({ startMin, endMin, index });
  });
  for (let d = 0; d < 7; d++) {
    const shifts = byDay[d]!.sort((a, b) => a.startMin - b.startMin || a.endMin - b.endMin);
    for (let i = 1; i < shifts.length; i++) {
      const prev = shifts[i - 1]!;
      const cur = shifts[i]!;
      if (cur.startMin < prev.endMin) {
        throw new CalendarSpecError(
          `weeklyHours[${Math.min(prev.index, cur.index)}] and weeklyHours[${Math.max(prev.index, cur.index)}]`,
          `${WEEKDAYS[d]} shifts ${fmt(prev.startMin)}–${fmt(prev.endMin)} and ${fmt(cur.startMin)}–${fmt(cur.endMin)} overlap`,
        );
      }
    }
  }

  const holidaysIn = spec['holidays'] ?? [];
  if (!Array.isArray(holidaysIn)) throw new CalendarSpecError('holidays', "expected an array of 'YYYY-MM-DD' or { date, start, end }");
  const closures = new Map<number, MinuteRange[]>();
  const seen = new Set<string>();
  const holidays: { key: string; value: HolidaySpec }[] = [];
  holidaysIn.forEach((h: unknown, index) => {
    const path = `holidays[${index}]`;
    let epochDay: number;
    let range: MinuteRange;
    let value: HolidaySpec;
    if (typeof h === 'string') {
      epochDay = parseDate(h, path);
      range = { startMin: 0, endMin: 1440 };
      value = h;
    } else if (isPlainObject(h)) {
      checkKeys(h, ['date', 'start', 'end'], path);
      epochDay = parseDate(h['date'], `${path}.date`);
      const startMin = parseWallTime(h['start'], `${path}.start`, false);
      const endMin = parseWallTime(h['end'], `${path}.end`, true);
      if (endMin <= startMin) {
        throw new CalendarSpecError(path, `closure ends (${fmt(endMin)}) ${endMin === startMin ? 'when' : 'before'} it starts (${fmt(startMin)})`);
      }
      range = { startMin, endMin };
      value = Object.freeze({ date: h['date'] as string, start: h['start'] as string, end: h['end'] as string });
    } else {
      throw new CalendarSpecError(path, "expected a date 'YYYY-MM-DD' or { date, start, end }");
    }
    const key = typeof value === 'string' ? `${value} 00:00 24:00` : `${value.date} ${value.start} ${value.end}`;
    if (seen.has(key)) return; // lists merged from several sources often repeat a date
    seen.add(key);
    holidays.push({ key, value });
    const list = closures.get(epochDay) ?? [];
    list.push(range);
    closures.set(epochDay, list);
  });
  holidays.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const list of closures.values()) list.sort((a, b) => a.startMin - b.startMin);
  const holidayRules = parseHolidayRules(spec['holidayRules']);

  const weeklyHours: WeeklyShift[] = [];
  byDay.forEach((shifts, d) => {
    for (const s of shifts) weeklyHours.push(Object.freeze({ day: WEEKDAYS[d]!, start: fmt(s.startMin), end: fmt(s.endMin) }));
  });
  const normalized: NormalizedCalendarSpec = Object.freeze({
    timeZone,
    weeklyHours: Object.freeze(weeklyHours),
    holidays: Object.freeze(holidays.map((h) => h.value)),
    ...(holidayRules.length > 0 ? { holidayRules } : {}),
  });
  const shiftsByWeekday = byDay.map((shifts) => Object.freeze(shifts.map(({ startMin, endMin }) => ({ startMin, endMin }))));
  const alwaysOpen = closures.size === 0 && holidayRules.length === 0 && shiftsByWeekday.every((shifts) => coversWholeDay(shifts));
  return { normalized, shiftsByWeekday, closuresByEpochDay: closures, alwaysOpen };
}

/** The named rules, validated, de-duplicated, sorted and frozen (empty when absent). */
function parseHolidayRules(value: unknown): readonly HolidayRule[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) {
    throw new CalendarSpecError('holidayRules', `expected an array of rule names (${HOLIDAY_RULES.join(', ')})`);
  }
  const rules = new Set<HolidayRule>();
  value.forEach((rule: unknown, index) => {
    if (!isHolidayRule(rule)) {
      throw new CalendarSpecError(`holidayRules[${index}]`, `${describe(rule)} is not a holiday rule (allowed: ${HOLIDAY_RULES.join(', ')})`);
    }
    rules.add(rule);
  });
  return Object.freeze([...rules].sort());
}

function isHolidayRule(value: unknown): value is HolidayRule {
  return (HOLIDAY_RULES as readonly unknown[]).includes(value);
}

function coversWholeDay(shifts: readonly MinuteRange[]): boolean {
  let covered = 0;
  for (const s of shifts) {
    if (s.startMin > covered) return false;
    covered = Math.max(covered, s.endMin);
  }
  return covered >= 1440;
}
