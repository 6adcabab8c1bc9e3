import fc from 'fast-check';
import { usFederalObservedDays } from './holidays';
import {
  HOLIDAY_RULES,
  MAX_YEAR,
  MIN_YEAR,
  Temporal,
  WEEKDAYS,
  addBusinessMillis,
  businessMillisBetween,
  defineCalendar,
  endOfNextBusinessDayMillis,
  isOpen,
  isOpenAt,
  nextClosingMillis,
  usFederalHolidaysBetween,
  type CalendarSpec,
} from './index';

const ZONE = 'America/New_York';
const supportHours: CalendarSpec['weeklyHours'] = (['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const).map(
  (day) => ({ day, start: '08:00', end: '18:00' }),
);
const ruled = defineCalendar({ timeZone: ZONE, weeklyHours: supportHours, holidayRules: ['us-federal'] });
/** Noon in New York on a local date. */
const noon = (date: string): Temporal.Instant => Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: ZONE, plainTime: '12:00' }).toInstant();
const startOfYear = (year: number): number => Temporal.PlainDate.from({ year, month: 1, day: 1 }).toZonedDateTime(ZONE).epochMilliseconds;

describe("holidayRules: ['us-federal']", () => {
  it('closes the observed federal holidays of years no list covers', () => {
    for (const date of [
      '2041-01-01', // Tuesday
      '2041-07-04', // Thursday: observed on the day
      '2043-07-03', // July 4 2043 is a Saturday: observed Friday
      '2044-06-20', // Juneteenth 2044 is a Sunday: observed Monday
      '2150-07-03', // July 4 2150 is a Saturday
      '2152-11-10', // Veterans Day 2152 is a Saturday: observed Friday
      '2153-11-12', // Veterans Day 2153 is a Sunday: observed Monday
      '2199-11-28', // Thanksgiving
      '2200-12-25',
    ]) {
      expect([date, isOpen(ruled, noon(date))]).toEqual([date, false]);
    }
    for (const date of ['2041-01-02', '2043-07-06', '2152-11-13', '2153-11-13', '2200-12-26']) {
      expect([date, isOpen(ruled, noon(date))]).toEqual([date, true]);
    }
  });

  it('closes December 31 when the next New Year’s Day is a Saturday, and only then', () => {
    // 2028-01-01 and 2050-01-01 are Saturdays: observed on Friday 2027-12-31 and 2049-12-31.
    expect(isOpen(ruled, noon('2027-12-31'))).toBe(false);
    expect(isOpen(ruled, noon('2049-12-31'))).toBe(false);
    expect(isOpen(ruled, noon('2027-12-30'))).toBe(true);
    // 2044-01-01 is a Friday (observed that day): Thursday 2043-12-31 stays open.
    expect(isOpen(ruled, noon('2043-12-31'))).toBe(true);
    expect(isOpen(ruled, noon('2044-01-01'))).toBe(false);
    // Friday 2027-12-31 17:00 + 2 business hours lands on Monday 2028-01-03 (Saturday and Sunday between).
    expect(Temporal.Instant.fromEpochMilliseconds(addBusinessMillis(ruled, Date.parse('2027-12-30T22:00:00Z'), 2 * 3_600_000)).toString()).toBe(
      '2028-01-03T14:00:00Z',
    );
  });

  it('computes, for every year of the range, exactly the dates usFederalHolidaysBetween lists', () => {
    const day = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    for (let year = MIN_YEAR; year <= MAX_YEAR; year++) {
      expect([year, usFederalObservedDays(year)]).toEqual([year, usFederalHolidaysBetween(year, year).map(day)]);
    }
  });

  it('agrees with a calendar listing usFederalHolidaysBetween(y - 1, y + 1), for random years 2000–2199', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2199 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 400 }),
        (year, at, hours) => {
          const listed = defineCalendar({ timeZone: ZONE, weeklyHours: supportHours, holidays: usFederalHolidaysBetween(year - 1, year + 1) });
          const from = startOfYear(year);
          const to = startOfYear(year + 1);
          expect(businessMillisBetween(ruled, from, to)).toBe(businessMillisBetween(listed, from, to));
          const t = Math.floor(from + at * (to - from));
          expect(businessMillisBetween(ruled, from, t)).toBe(businessMillisBetween(listed, from, t));
          expect(isOpenAt(ruled, t)).toBe(isOpenAt(listed, t));
          expect(endOfNextBusinessDayMillis(ruled, t)).toBe(endOfNextBusinessDayMillis(listed, t));
          // Stay within the listed years: 400 business hours is well under a year of them.
          expect(addBusinessMillis(ruled, t, hours * 3_600_000)).toBe(addBusinessMillis(listed, t, hours * 3_600_000));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('adds to explicit holidays: the closures are their union', () => {
    const both = defineCalendar({
      timeZone: ZONE,
      weeklyHours: supportHours,
      holidays: ['2041-01-02', { date: '2041-01-01', start: '08:00', end: '12:00' }],
      holidayRules: ['us-federal'],
    });
    expect(isOpen(both, noon('2041-01-01'))).toBe(false); // the rule closes the whole day
    expect(isOpen(both, noon('2041-01-02'))).toBe(false); // the listed date
    expect(isOpen(both, noon('2041-01-03'))).toBe(true);
    expect(isOpen(both, noon('2041-07-04'))).toBe(false);
  });

  it('makes a 24/7 calendar close on holidays', () => {
    const allDay = defineCalendar({
      timeZone: ZONE,
      weeklyHours: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
      holidayRules: ['us-federal'],
    });
    expect(isOpen(allDay, noon('2041-01-01'))).toBe(false);
    expect(isOpen(allDay, noon('2041-01-05'))).toBe(true); // a Saturday
    const christmasEve = noon('2041-12-24').epochMilliseconds;
    expect(nextClosingMillis(allDay, christmasEve)).toBe(Temporal.PlainDate.from('2041-12-25').toZonedDateTime(ZONE).epochMilliseconds);
  });

  it('is normalized (sorted, de-duplicated, frozen), omitted when empty, and shown by describe()', () => {
    const twice = defineCalendar({ timeZone: ZONE, weeklyHours: supportHours, holidayRules: ['us-federal', 'us-federal'] });
    expect(twice.spec.holidayRules).toEqual(['us-federal']);
    expect(Object.isFrozen(twice.spec.holidayRules)).toBe(true);
    expect(twice.id).toBe(ruled.id);
    expect(defineCalendar(JSON.parse(JSON.stringify(twice)) as CalendarSpec).id).toBe(ruled.id);
    expect(twice.describe()).toMatch(/; us-federal holidays every year$/);

    // No rules: the normalized spec (and so the calendar id) is what it was before rules existed.
    const none = defineCalendar({ timeZone: ZONE, weeklyHours: supportHours, holidayRules: [] });
    expect('holidayRules' in none.spec).toBe(false);
    expect(none.id).toBe(defineCalendar({ timeZone: ZONE, weeklyHours: supportHours }).id);
    expect(none.id).not.toBe(ruled.id);
    expect(defineCalendar({ timeZone: ZONE, weeklyHours: supportHours, holidays: ['2041-01-02'], holidayRules: ['us-federal'] }).describe()).toMatch(
      /1 holiday \(2041-01-02 … 2041-01-02\) \+ us-federal holidays every year$/,
    );
  });

  it('lists the rules in HOLIDAY_RULES', () => {
    expect(HOLIDAY_RULES).toEqual(['us-federal']);
    expect(Object.isFrozen(HOLIDAY_RULES)).toBe(true);
  });
});
