import { CalendarSpecError, defineCalendar, type CalendarSpec } from './index';

const weekday = { day: 'monday', start: '08:00', end: '18:00' } as const;
const valid: CalendarSpec = { timeZone: 'America/New_York', weeklyHours: [weekday] };

/** The CalendarSpecError thrown for `spec` (fails the test when none is thrown). */
function specError(spec: unknown): CalendarSpecError {
  try {
    defineCalendar(spec as CalendarSpec);
  } catch (e) {
    expect(e).toBeInstanceOf(CalendarSpecError);
    return e as CalendarSpecError;
  }
  throw new Error('expected defineCalendar to throw');
}

describe('defineCalendar validation: the error names what is wrong and where', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['an unknown time zone', { ...valid, timeZone: 'Mars/Olympus_Mons' }, 'timeZone', /unknown time zone "Mars\/Olympus_Mons"/],
    ['a missing time zone', { weeklyHours: [weekday] }, 'timeZone', /IANA time zone/],
    ['a shift ending before it starts', { ...valid, weeklyHours: [{ day: 'monday', start: '18:00', end: '08:00' }] }, 'weeklyHours[0]', /ends \(08:00\) before it starts \(18:00\)/],
    ['an empty shift', { ...valid, weeklyHours: [{ day: 'monday', start: '09:00', end: '09:00' }] }, 'weeklyHours[0]', /ends \(09:00\) when it starts/],
    [
      'overlapping shifts',
      { ...valid, weeklyHours: [weekday, { day: 'tuesday', start: '08:00', end: '09:00' }, { day: 'monday', start: '12:00', end: '20:00' }] },
      'weeklyHours[0] and weeklyHours[2]',
      /monday shifts 08:00–18:00 and 12:00–20:00 overlap/,
    ],
    ['a misspelt weekday', { ...valid, weeklyHours: [{ day: 'Monday', start: '08:00', end: '18:00' }] }, 'weeklyHours[0].day', /"Monday" is not a weekday/],
    ['a time without a leading zero', { ...valid, weeklyHours: [{ day: 'monday', start: '8:00', end: '18:00' }] }, 'weeklyHours[0].start', /"8:00" is not a time 'HH:MM'/],
    ['minute 60', { ...valid, weeklyHours: [{ day: 'monday', start: '08:60', end: '18:00' }] }, 'weeklyHours[0].start', /not a time/],
    ['hour 25', { ...valid, weeklyHours: [{ day: 'monday', start: '08:00', end: '25:00' }] }, 'weeklyHours[0].end', /not a time/],
    ['a shift starting at 24:00', { ...valid, weeklyHours: [{ day: 'monday', start: '24:00', end: '24:00' }] }, 'weeklyHours[0].start', /only allowed as an end time/],
    ['a non-string time', { ...valid, weeklyHours: [{ day: 'monday', start: 800, end: '18:00' }] }, 'weeklyHours[0].start', /expected a string/],
    ['no weekly hours at all', { ...valid, weeklyHours: [] }, 'weeklyHours', /never open/],
    ['weekly hours that are not a list', { ...valid, weeklyHours: weekday }, 'weeklyHours', /expected an array/],
    ['an impossible date', { ...valid, holidays: ['2026-02-29'] }, 'holidays[0]', /"2026-02-29" is not a valid date/],
    ['month 13', { ...valid, holidays: ['2026-13-01'] }, 'holidays[0]', /not a valid date/],
    ['a date in another format', { ...valid, holidays: ['07/04/2026'] }, 'holidays[0]', /not a date 'YYYY-MM-DD'/],
    ['a date with a time', { ...valid, holidays: ['2026-07-04T00:00'] }, 'holidays[0]', /not a date/],
    ['a year out of range', { ...valid, holidays: ['2201-01-01'] }, 'holidays[0]', /outside the supported years 1900–2200/],
    ['a partial closure ending before it starts', { ...valid, holidays: [{ date: '2026-12-24', start: '13:00', end: '12:00' }] }, 'holidays[0]', /ends \(12:00\) before it starts/],
    ['a partial closure with a bad date', { ...valid, holidays: [{ date: '2026-12-32', start: '13:00', end: '18:00' }] }, 'holidays[0].date', /not a valid date/],
    ['a holiday of the wrong type', { ...valid, holidays: [20260704] }, 'holidays[0]', /expected a date/],
    ['an unknown holiday rule', { ...valid, holidayRules: ['us-federal', 'uk-bank'] }, 'holidayRules[1]', /"uk-bank" is not a holiday rule \(allowed: us-federal\)/],
    ['a holiday rule of the wrong type', { ...valid, holidayRules: [1] }, 'holidayRules[0]', /1 is not a holiday rule/],
    ['holiday rules that are not a list', { ...valid, holidayRules: 'us-federal' }, 'holidayRules', /expected an array of rule names \(us-federal\)/],
    ['a misspelt top-level field', { ...valid, holiday: ['2026-07-03'] }, 'spec', /unknown field "holiday"/],
    ['a misspelt shift field', { ...valid, weeklyHours: [{ day: 'monday', from: '08:00', start: '08:00', end: '18:00' }] }, 'weeklyHours[0]', /unknown field "from"/],
    ['not an object', 'America/New_York', 'spec', /expected an object/],
  ])('rejects %s', (_what, spec, path, message) => {
    const error = specError(spec);
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(path);
  });
});

describe('defineCalendar normalization', () => {
  it('accepts split shifts, shifts that touch, 24:00, and partial-day closures', () => {
    const calendar = defineCalendar({
      timeZone: 'america/new_york',
      weeklyHours: [
        { day: 'tuesday', start: '13:00', end: '17:00' },
        { day: 'monday', start: '12:00', end: '24:00' },
        { day: 'tuesday', start: '00:00', end: '06:00' },
        { day: 'monday', start: '08:00', end: '12:00' },
      ],
      holidays: ['2026-12-25', { date: '2026-12-24', start: '13:00', end: '24:00' }, '2026-12-25'],
    });
    expect(calendar.spec).toEqual({
      timeZone: 'America/New_York',
      weeklyHours: [
        { day: 'monday', start: '08:00', end: '12:00' },
        { day: 'monday', start: '12:00', end: '24:00' },
        { day: 'tuesday', start: '00:00', end: '06:00' },
        { day: 'tuesday', start: '13:00', end: '17:00' },
      ],
      holidays: [{ date: '2026-12-24', start: '13:00', end: '24:00' }, '2026-12-25'],
    });
    expect(calendar.timeZone).toBe('America/New_York');
  });

  it('is immutable and JSON round-trips to the same calendar id', () => {
    const calendar = defineCalendar(valid);
    expect(Object.isFrozen(calendar)).toBe(true);
    expect(Object.isFrozen(calendar.spec)).toBe(true);
    expect(Object.isFrozen(calendar.spec.weeklyHours)).toBe(true);
    expect(Object.isFrozen(calendar.spec.weeklyHours[0])).toBe(true);
    const again = defineCalendar(JSON.parse(JSON.stringify(calendar)) as CalendarSpec);
    expect(again.id).toBe(calendar.id);
    expect(again.id).toMatch(/^cal-[0-9a-f]{16}$/);
    expect(defineCalendar({ ...valid, holidays: ['2026-07-03'] }).id).not.toBe(calendar.id);
    expect(calendar.describe()).toContain('America/New_York: mon 08:00–18:00; no holidays');
  });

  it('does not keep a reference to the caller’s arrays', () => {
    const weeklyHours = [{ day: 'monday' as const, start: '08:00', end: '18:00' }];
    const calendar = defineCalendar({ timeZone: 'UTC', weeklyHours });
    weeklyHours[0]!.end = '09:00';
    expect(calendar.spec.weeklyHours[0]!.end).toBe('18:00');
  });

  it('accepts UTC and fixed offsets', () => {
    expect(defineCalendar({ ...valid, timeZone: 'UTC' }).timeZone).toBe('UTC');
    expect(defineCalendar({ ...valid, timeZone: '+05:30' }).timeZone).toBe('+05:30');
  });
});
