import {
  ALWAYS_OPEN,
  CalendarRangeError,
  Temporal,
  addBusinessMillis,
  addBusinessTime,
  businessMillisBetween,
  businessTimeBetween,
  defineCalendar,
  endOfNextBusinessDay,
  endOfNextBusinessDayMillis,
  isOpen,
  isOpenAt,
  nextClosing,
  nextClosingMillis,
  nextOpening,
  nextOpeningMillis,
  type BusinessCalendar,
  type DurationLike,
} from './index';

const nineToFive = defineCalendar({
  timeZone: 'Europe/London',
  weeklyHours: (['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const).map((day) => ({ day, start: '09:00', end: '17:00' })),
});
const at = (iso: string) => Temporal.Instant.from(iso);
const monday10 = at('2026-01-05T10:00:00Z');

describe('inputs are unambiguous', () => {
  it('rejects strings, Dates and numbers where an instant is expected, explaining how to parse', () => {
    const call = (x: unknown) => addBusinessTime(nineToFive, x as Temporal.Instant, { hours: 1 });
    expect(() => call('2026-01-05T10:00')).toThrow(/not a string.*Temporal\.Instant\.from\(\).*offset/);
    expect(() => call(new Date())).toThrow(/must be a Temporal.Instant, got Date/);
    expect(() => call(1767607200000)).toThrow(TypeError);
    expect(() => call(Temporal.Now.zonedDateTimeISO('UTC'))).toThrow(/got ZonedDateTime/);
    // Temporal itself refuses a local time without an offset as an Instant.
    expect(() => Temporal.Instant.from('2026-01-05T10:00')).toThrow(RangeError);
  });

  it('accepts Temporal.Duration or { hours, minutes, seconds, milliseconds }, and nothing calendar-based', () => {
    const expected = at('2026-01-05T11:30:00Z');
    const ok: DurationLike[] = [
      { hours: 1, minutes: 30 },
      { minutes: 90 },
      { seconds: 5400 },
      { milliseconds: 5_400_000 },
      { hours: 1.5 },
      Temporal.Duration.from('PT1H30M'),
      Temporal.Duration.from({ minutes: 89, seconds: 60 }),
    ];
    for (const d of ok) expect(addBusinessTime(nineToFive, monday10, d).equals(expected)).toBe(true);
    const call = (d: unknown) => addBusinessTime(nineToFive, monday10, d as DurationLike);
    expect(() => call(Temporal.Duration.from({ days: 1 }))).toThrow(/calendar units.*a business day is not 24 hours/);
    expect(() => call({ days: 1 })).toThrow(/unknown or unsupported field "days"/);
    expect(() => call('PT1H')).toThrow(/Temporal.Duration.from/);
    expect(() => call({ hours: 1, minutes: -30 })).toThrow(/mix positive and negative/);
    expect(() => call({ hours: Number.NaN })).toThrow(/finite/);
    expect(() => call({ milliseconds: 0.5 })).toThrow(/whole number of milliseconds/);
  });

  it('accepts Instants and Durations from another copy of the polyfill (by their Temporal brand)', () => {
    const foreignDuration = Object.assign(Object.create({ [Symbol.toStringTag]: 'Temporal.Duration' }) as object, {});
    for (const unit of ['years', 'months', 'weeks', 'days', 'minutes', 'seconds', 'milliseconds', 'microseconds', 'nanoseconds']) {
      Object.defineProperty(Object.getPrototypeOf(foreignDuration), unit, { get: () => 0 });
    }
    Object.defineProperty(Object.getPrototypeOf(foreignDuration), 'hours', { get: () => 1 });
    Object.defineProperty(Object.getPrototypeOf(foreignDuration), 'toString', { value: () => 'PT1H' });
    const foreignInstant = { [Symbol.toStringTag]: 'Temporal.Instant', epochNanoseconds: monday10.epochNanoseconds };
    const r = addBusinessTime(nineToFive, foreignInstant as unknown as Temporal.Instant, foreignDuration as DurationLike);
    expect(r.toString()).toBe('2026-01-05T11:00:00Z');
  });

  it('rejects anything that is not a calendar made by defineCalendar', () => {
    const fake = { ...nineToFive } as BusinessCalendar;
    expect(() => isOpen(fake, monday10)).toThrow(/defineCalendar/);
  });

  it('rejects non-finite epoch milliseconds and unknown countFrom values', () => {
    expect(() => addBusinessMillis(nineToFive, Number.NaN, 1)).toThrow(TypeError);
    expect(() => addBusinessMillis(nineToFive, 0, Infinity)).toThrow(TypeError);
    expect(() => businessMillisBetween(nineToFive, '0' as unknown as number, 1)).toThrow(TypeError);
    expect(() =>
      endOfNextBusinessDay(nineToFive, monday10, { countFrom: 'receipt' as unknown as 'receipt-date' }),
    ).toThrow(/countFrom must be/);
  });
});

describe('epoch-millisecond API agrees with the Temporal API', () => {
  const t = monday10.epochMilliseconds;
  it('for every query', () => {
    expect(addBusinessMillis(nineToFive, t, 8 * 3_600_000)).toBe(at('2026-01-06T10:00:00Z').epochMilliseconds);
    expect(businessMillisBetween(nineToFive, t, at('2026-01-06T10:00:00Z').epochMilliseconds)).toBe(8 * 3_600_000);
    expect(isOpenAt(nineToFive, t)).toBe(true);
    expect(nextOpeningMillis(nineToFive, at('2026-01-03T10:00:00Z').epochMilliseconds)).toBe(at('2026-01-05T09:00:00Z').epochMilliseconds);
    expect(nextClosingMillis(nineToFive, t)).toBe(nextClosing(nineToFive, monday10).epochMilliseconds);
    expect(nextOpening(nineToFive, at('2026-01-03T10:00:00Z')).epochMilliseconds).toBe(at('2026-01-05T09:00:00Z').epochMilliseconds);
    expect(endOfNextBusinessDayMillis(nineToFive, t)).toBe(at('2026-01-06T17:00:00Z').epochMilliseconds);
    expect(endOfNextBusinessDayMillis(nineToFive, at('2026-01-05T18:00:00Z').epochMilliseconds, { countFrom: 'next-opening' })).toBe(
      at('2026-01-07T17:00:00Z').epochMilliseconds,
    );
  });
});

describe('results', () => {
  it('businessTimeBetween is balanced to hours, and negative when reversed', () => {
    const a = at('2026-01-05T09:00:00Z');
    const b = at('2026-01-09T16:59:58.5Z');
    expect(businessTimeBetween(nineToFive, a, b).toString()).toBe('PT39H59M58.5S');
    expect(businessTimeBetween(nineToFive, b, a).toString()).toBe('-PT39H59M58.5S');
    expect(businessTimeBetween(nineToFive, a, a).toString()).toBe('PT0S');
  });

  it('is exact below the millisecond', () => {
    const a = at('2026-01-05T16:59:59.999999999Z');
    expect(addBusinessTime(nineToFive, a, { hours: 1 }).toString()).toBe('2026-01-06T09:59:59.999999999Z');
    expect(addBusinessTime(nineToFive, a, Temporal.Duration.from({ nanoseconds: 1 })).toString()).toBe('2026-01-05T17:00:00Z');
    expect(addBusinessTime(nineToFive, a, Temporal.Duration.from({ nanoseconds: 2 })).toString()).toBe('2026-01-06T09:00:00.000000001Z');
    expect(businessTimeBetween(nineToFive, a, at('2026-01-06T09:00:00.000000005Z')).toString()).toBe('PT0.000000006S');
    expect(addBusinessTime(nineToFive, at('2026-01-06T09:00:00.000000005Z'), Temporal.Duration.from({ nanoseconds: -6 })).toString()).toBe(
      '2026-01-05T16:59:59.999999999Z',
    );
    // Closed instants lose their sub-millisecond part: counting starts at the opening.
    expect(addBusinessTime(nineToFive, at('2026-01-05T20:00:00.000000123Z'), { hours: 1 }).toString()).toBe('2026-01-06T10:00:00Z');
  });

  it('a negative duration counts back to the latest instant with that much open time before', () => {
    expect(addBusinessTime(nineToFive, at('2026-01-06T10:00:00Z'), { hours: -1 }).toString()).toBe('2026-01-06T09:00:00Z');
    expect(addBusinessTime(nineToFive, at('2026-01-06T10:00:00Z'), { hours: -2 }).toString()).toBe('2026-01-05T16:00:00Z');
    expect(addBusinessTime(nineToFive, at('2026-01-06T08:00:00Z'), { hours: -8 }).toString()).toBe('2026-01-05T09:00:00Z');
  });

  it('returns the very instant passed when nothing moves it', () => {
    expect(nextOpening(nineToFive, monday10)).toBe(monday10);
    expect(addBusinessTime(nineToFive, monday10, Temporal.Duration.from('PT0S')).equals(monday10)).toBe(true);
  });

  it('spans years, backwards and forwards, in one call', () => {
    const a = at('2024-06-03T09:00:00Z');
    const b = addBusinessTime(nineToFive, a, { hours: 8 * 5 * 52 * 3 });
    expect(businessTimeBetween(nineToFive, a, b).total('hours')).toBe(8 * 5 * 52 * 3);
    expect(addBusinessTime(nineToFive, b, { hours: -8 * 5 * 52 * 3 }).equals(a)).toBe(true);
  });
});

describe('range', () => {
  it('answers for any local year 1900–2200 and throws a CalendarRangeError beyond', () => {
    expect(isOpen(nineToFive, at('1900-01-01T10:00:00Z'))).toBe(true); // a Monday
    expect(isOpen(nineToFive, at('2200-12-31T10:00:00Z'))).toBe(true); // a Wednesday
    expect(() => isOpen(nineToFive, at('1899-12-31T23:00:00Z'))).toThrow(CalendarRangeError);
    expect(() => isOpen(nineToFive, at('2201-01-01T00:00:00Z'))).toThrow(/covers local years 1900–2200/);
    expect(() => addBusinessTime(nineToFive, at('2200-12-31T10:00:00Z'), { hours: 100 })).toThrow(CalendarRangeError);
    expect(() => addBusinessMillis(ALWAYS_OPEN, Date.UTC(2200, 11, 31), 86_400_000)).toThrow(CalendarRangeError);
  });

  it('a calendar closed by holidays until the end of its range says so instead of looping', () => {
    const holidays: string[] = [];
    for (let d = Temporal.PlainDate.from('2200-12-01'); d.year === 2200; d = d.add({ days: 1 })) holidays.push(d.toString());
    const closing = defineCalendar({ timeZone: 'UTC', weeklyHours: [{ day: 'monday', start: '09:00', end: '10:00' }], holidays });
    expect(() => nextOpening(closing, at('2200-11-30T12:00:00Z'))).toThrow(CalendarRangeError);
  });
});
