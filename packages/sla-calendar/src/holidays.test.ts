import { Temporal, usFederalHolidays, usFederalHolidaysBetween } from './index';

describe('usFederalHolidays', () => {
  it('matches the official OPM list for 2026 (observed dates)', () => {
    // https://www.opm.gov/policy-data-oversight/pay-leave/federal-holidays/#url=2026
    expect(usFederalHolidays(2026)).toEqual([
      '2026-01-01', // New Year's Day
      '2026-01-19', // Birthday of Martin Luther King, Jr.
      '2026-02-16', // Washington's Birthday
      '2026-05-25', // Memorial Day
      '2026-06-19', // Juneteenth National Independence Day
      '2026-07-03', // Independence Day (July 4 is a Saturday: observed Friday)
      '2026-09-07', // Labor Day
      '2026-10-12', // Columbus Day
      '2026-11-11', // Veterans Day
      '2026-11-26', // Thanksgiving Day
      '2026-12-25', // Christmas Day
    ]);
  });

  it('moves Saturday holidays to Friday and Sunday holidays to Monday', () => {
    expect(usFederalHolidays(2027)).toContain('2027-07-05'); // July 4 2027 is a Sunday
    expect(usFederalHolidays(2027)).toContain('2027-12-24'); // Christmas 2027 is a Saturday
    expect(usFederalHolidays(2028)).toContain('2028-11-10'); // Veterans Day 2028 is a Saturday
    for (let year = 2000; year <= 2100; year++) {
      for (const date of usFederalHolidays(year)) expect(Temporal.PlainDate.from(date).dayOfWeek).toBeLessThanOrEqual(5);
    }
  });

  it('lists New Year observed on December 31 under the new year, as OPM does; the range helper places it by date', () => {
    expect(usFederalHolidays(2022)[0]).toBe('2021-12-31');
    expect(usFederalHolidays(2021)).not.toContain('2021-12-31');
    const y2021 = usFederalHolidaysBetween(2021, 2021);
    expect(y2021).toContain('2021-12-31');
    expect(y2021.every((d) => d.startsWith('2021-'))).toBe(true);
    // New Year's Day 2028 is a Saturday: observed Friday 2027-12-31, listed by OPM under 2028.
    expect(usFederalHolidaysBetween(2026, 2027)).toEqual([...usFederalHolidays(2026), ...usFederalHolidays(2027), '2027-12-31']);
  });

  it('agrees with the statutory rules (5 U.S.C. 6103), computed independently, for 1990–2100', () => {
    const nth = (year: number, month: number, weekday: number, n: number): Temporal.PlainDate => {
      const first = Temporal.PlainDate.from({ year, month, day: 1 });
      return first.add({ days: ((weekday - first.dayOfWeek + 7) % 7) + 7 * (n - 1) });
    };
    const last = (year: number, month: number, weekday: number): Temporal.PlainDate => {
      const end = Temporal.PlainDate.from({ year, month, day: 1 }).add({ months: 1 }).subtract({ days: 1 });
      return end.subtract({ days: (end.dayOfWeek - weekday + 7) % 7 });
    };
    const observed = (d: Temporal.PlainDate): string =>
      (d.dayOfWeek === 6 ? d.subtract({ days: 1 }) : d.dayOfWeek === 7 ? d.add({ days: 1 }) : d).toString();
    const fixed = (year: number, month: number, day: number) => Temporal.PlainDate.from({ year, month, day });
    for (let year = 1990; year <= 2100; year++) {
      const expected = [
        fixed(year, 1, 1),
        nth(year, 1, 1, 3), // third Monday of January
        nth(year, 2, 1, 3), // third Monday of February
        last(year, 5, 1), // last Monday of May
        ...(year >= 2021 ? [fixed(year, 6, 19)] : []),
        fixed(year, 7, 4),
        nth(year, 9, 1, 1), // first Monday of September
        nth(year, 10, 1, 2), // second Monday of October
        fixed(year, 11, 11),
        nth(year, 11, 4, 4), // fourth Thursday of November
        fixed(year, 12, 25),
      ].map(observed);
      expect(usFederalHolidays(year)).toEqual(expected);
    }
  });

  it('rejects years outside 1900–2200', () => {
    expect(() => usFederalHolidays(1899)).toThrow(RangeError);
    expect(() => usFederalHolidays(2026.5)).toThrow(RangeError);
  });
});
