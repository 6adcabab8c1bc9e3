import { allForYear } from '@18f/us-federal-holidays';
import { MAX_YEAR, MIN_YEAR } from './spec';

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
