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

  it('rejects years outside 1900–2200', () => {
    expect(() => usFederalHolidays(1899)).toThrow(RangeError);
    expect(() => usFederalHolidays(2026.5)).toThrow(RangeError);
  });
});
