import { allForYear } from '@18f/us-federal-holidays';
import { type HolidayRule, MAX_YEAR, MIN_YEAR } from './spec';

/**
 * The observed dates (`'YYYY-MM-DD'`) of the US federal holidays of `year`, as OPM lists them: a
 * holiday falling on a Saturday is observed on the Friday before, one on a Sunday on the Monday
 * after. So July 4 2026 (a Saturday) is observed on Friday July 3.
 *
 * Like OPM's own tables, the list for a year can begin with December 31 of the year before (New
 * Year's Day 2022 was a Saturday, observed on Friday 2021-12-31): to close every observed federal
 * holiday that falls within a range of dates, use {@link usFederalHolidaysBetween}.
 *
 * Computed by `@18f/us-federal-holidays` (18F/GSA), applying today's statute to every year
 * (Juneteenth from 2021 on; earlier changes, such as Martin Luther King Jr. Day from 1986, are not
 * modelled).
 */
export function usFederalHolidays(year: number): string[] {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year must be an integer from ${MIN_YEAR} to ${MAX_YEAR}, got ${year}`);
  }
  return allForYear(year, { shiftSaturdayHolidays: true, shiftSundayHolidays: true }).map((h) => h.dateString);
}

/**
 * Every observed US federal holiday whose date falls in the years `firstYear`…`lastYear`
 * (inclusive), sorted: e.g. for 2021 this includes 2021-12-31, the observed New Year's Day 2022.
 */
export function usFederalHolidaysBetween(firstYear: number, lastYear: number): string[] {
  if (!(lastYear >= firstYear)) throw new RangeError(`lastYear (${lastYear}) must not be before firstYear (${firstYear})`);
  const dates = new Set<string>();
  for (let y = firstYear; y <= Math.min(lastYear + 1, MAX_YEAR); y++) {
    for (const d of usFederalHolidays(y)) {
      const dy = Number(d.slice(0, 4));
      if (dy >= firstYear && dy <= lastYear) dates.add(d);
    }
  }
  return [...dates].sort();
}

const DAY_MS = 86_400_000;
const SATURDAY = 5; // ISO weekday index: 0 = Monday … 6 = Sunday
const SUNDAY = 6;
const MONDAY = 0;
const THURSDAY = 3;

/** ISO weekday index of a count of days since 1970-01-01 (a Thursday). */
const weekdayOf = (epochDay: number): number => (((epochDay + 3) % 7) + 7) % 7;
const dayOf = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS;
/** The `n`th (1-based) `weekday` of a month. */
const nthWeekday = (year: number, month: number, weekday: number, n: number): number => {
  const first = dayOf(year, month, 1);
  return first + ((weekday - weekdayOf(first) + 7) % 7) + 7 * (n - 1);
};
/** The last `weekday` of a month. */
const lastWeekday = (year: number, month: number, weekday: number): number => {
  const last = dayOf(year, month + 1, 0);
  return last - ((weekdayOf(last) - weekday + 7) % 7);
};
/** 5 U.S.C. 6103(b): a Saturday holiday is observed on the Friday before, a Sunday one on the Monday after. */
const observed = (epochDay: number): number => {
  const w = weekdayOf(epochDay);
  return w === SATURDAY ? epochDay - 1 : w === SUNDAY ? epochDay + 1 : epochDay;
};

/**
 * @internal The observed US federal holidays whose dates fall in `year`, as days since 1970-01-01,
 * sorted: the same dates as `usFederalHolidaysBetween(year, year)` (a test checks every year),
 * computed with plain arithmetic because the engine needs them for each year it compiles and the
 * date library costs about as much as compiling the year. Includes December 31 when the next New
 * Year's Day is a Saturday; excludes the December 31 of the year before.
 */
export function usFederalObservedDays(year: number): number[] {
  const days = [
    observed(dayOf(year, 1, 1)),
    nthWeekday(year, 1, MONDAY, 3), // Martin Luther King Jr.
    nthWeekday(year, 2, MONDAY, 3), // Washington's Birthday
    lastWeekday(year, 5, MONDAY), // Memorial Day
    ...(year > 2020 ? [observed(dayOf(year, 6, 19))] : []), // Juneteenth, as the 18F library has it
    observed(dayOf(year, 7, 4)),
    nthWeekday(year, 9, MONDAY, 1), // Labor Day
    nthWeekday(year, 10, MONDAY, 2), // Columbus Day
    observed(dayOf(year, 11, 11)),
    nthWeekday(year, 11, THURSDAY, 4), // Thanksgiving
    observed(dayOf(year, 12, 25)),
    observed(dayOf(year + 1, 1, 1)), // next New Year's Day: December 31 when it is a Saturday
  ];
  const first = dayOf(year, 1, 1);
  const next = dayOf(year + 1, 1, 1);
  return days.filter((d) => d >= first && d < next).sort((a, b) => a - b);
}

/** @internal The whole local dates (days since 1970-01-01) that `rule` closes in `year`. */
export function holidayRuleDays(rule: HolidayRule, year: number): number[] {
  switch (rule) {
    case 'us-federal':
      return usFederalObservedDays(year);
  }
}
