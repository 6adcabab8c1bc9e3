import fc from 'fast-check';
import {
  Temporal,
  WEEKDAYS,
  addBusinessMillis,
  addBusinessTime,
  businessMillisBetween,
  businessTimeBetween,
  defineCalendar,
  endOfNextBusinessDayMillis,
  isOpenAt,
  nextClosingMillis,
  nextOpeningMillis,
  type BusinessCalendar,
  type CalendarSpec,
  type HolidaySpec,
  type WeeklyShift,
} from './index';
import { ReferenceCalendar } from './test-support/reference-calendar';

// Random calendars (split and touching shifts, midnight and 24:00, holidays and partial closures)
// in zones with ordinary DST, a 30-minute DST shift (Lord Howe), a +05:45 offset (Kathmandu), no
// DST (Tokyo), DST at midnight (Santiago, Havana), checked against a minute-stepping reference.

const ZONES = [
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Asia/Tokyo',
  'America/Santiago',
  'America/Havana',
  'Europe/London',
] as const;
const RUNS = { numRuns: 1000 };
const MINUTE = 60_000;
const DAY = 86_400_000;

/** DST transitions (and a few plain days) of 2025–2027 per zone: instants near them are drawn often. */
const ANCHORS = new Map<string, number[]>(
  ZONES.map((zone) => {
    const anchors = [Date.UTC(2026, 0, 15), Date.UTC(2026, 5, 15), Date.UTC(2025, 11, 31, 12)];
    let zdt: Temporal.ZonedDateTime | null = Temporal.Instant.from('2025-01-01T00:00:00Z').toZonedDateTimeISO(zone);
    while ((zdt = zdt.getTimeZoneTransition('next')) !== null && zdt.year <= 2027) anchors.push(zdt.epochMilliseconds);
    return [zone, anchors];
  }),
);

const iso = (ms: number, zone: string): string => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(zone).toString();
const HHMM = (min: number): string => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
/** Wall times that hit DST gaps and overlaps (01:00–03:00 locally, midnight) plus any quarter hour. */
const wallMinute = fc.oneof(
  fc.constantFrom(0, 30, 60, 90, 120, 150, 180, 480, 1080, 1380, 1410, 1440),
  fc.integer({ min: 0, max: 96 }).map((q) => q * 15),
);
/** 0–4 shifts in a day: cut the day at random times and open some of the pieces (neighbours touch). */
const dayRanges = fc
  .tuple(fc.uniqueArray(wallMinute, { maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }))
  .map(([cuts, open]) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const ranges: [number, number][] = [];
    for (let i = 0; i + 1 < sorted.length; i++) if (open[i]) ranges.push([sorted[i]!, sorted[i + 1]!]);
    return ranges;
  });

interface Scenario {
  [fc.toStringMethod]: () => string;
  spec: CalendarSpec;
  calendar: BusinessCalendar;
  reference: ReferenceCalendar;
  /** A minute-aligned instant, often within days of a DST transition. */
  t: number;
  weeklyOpenMinutes: number;
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    week: fc.array(dayRanges, { minLength: 7, maxLength: 7 }),
    anchorPick: fc.nat(),
    offsetMinutes: fc.integer({ min: -3 * 1440, max: 3 * 1440 }),
    uniformDay: fc.option(fc.integer({ min: 0, max: 3 * 365 }), { freq: 3 }),
    holidays: fc.array(
      fc.record({ dayOffset: fc.integer({ min: -4, max: 25 }), partial: fc.option(dayRanges.filter((r) => r.length > 0)) }),
      { maxLength: 6 },
    ),
  })
  .map(({ zone, week, anchorPick, offsetMinutes, uniformDay, holidays }) => {
    const weeklyHours: WeeklyShift[] = [];
    week.forEach((ranges, d) => {
      for (const [s, e] of ranges) weeklyHours.push({ day: WEEKDAYS[d]!, start: HHMM(s), end: HHMM(e) });
    });
    if (weeklyHours.length === 0) weeklyHours.push({ day: 'wednesday', start: '09:00', end: '17:00' });
    const anchors = ANCHORS.get(zone)!;
    const base = uniformDay === null ? anchors[anchorPick % anchors.length]! : Date.UTC(2025, 0, 1) + uniformDay * DAY;
    const t = base - (base % MINUTE) + offsetMinutes * MINUTE;
    const localDate = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone).toPlainDate();
    const holidaySpecs: HolidaySpec[] = holidays.map(({ dayOffset, partial }) => {
      const date = localDate.add({ days: dayOffset }).toString();
      if (partial === null) return date;
      const [s, e] = partial[0]!;
      return { date, start: HHMM(s), end: HHMM(e) };
    });
    const spec: CalendarSpec = { timeZone: zone, weeklyHours, holidays: holidaySpecs };
    const weeklyOpenMinutes = weeklyHours.reduce((sum, h) => sum + minutesOf(h.end) - minutesOf(h.start), 0);
    let reference: ReferenceCalendar | undefined;
    return {
      spec,
      calendar: defineCalendar(spec),
      get reference() {
        return (reference ??= new ReferenceCalendar(spec));
      },
      t,
      weeklyOpenMinutes,
      // Counterexamples print as the spec and the instant, not the compiled objects.
      [fc.toStringMethod]: () => `${JSON.stringify(spec)} at ${iso(t, zone)}`,
    };
  });

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
}

/** A whole-minute duration the reference can step through quickly: at most ~4 weeks of open time. */
const minutesFor = (s: Scenario): fc.Arbitrary<number> => {
  const cap = Math.max(30, Math.min(3000, s.weeklyOpenMinutes * 4));
  return fc.oneof(fc.constant(0), fc.integer({ min: 1, max: Math.min(240, cap) }), fc.integer({ min: 1, max: cap }), fc.integer({ min: -cap, max: -1 }));
};
const withMinutes = scenario.chain((s) => minutesFor(s).map((minutes) => ({ s, minutes, [fc.toStringMethod]: () => `${s[fc.toStringMethod]()} + ${minutes} min` })));


describe('calendar properties against a minute-stepping reference (random calendars and zones)', () => {
  it('addBusinessTime agrees with the reference (epoch-ms and Temporal APIs)', () => {
    fc.assert(
      fc.property(withMinutes, ({ s: { spec, calendar, reference, t }, minutes }) => {
        const expected = reference.add(t, minutes);
        const actual = addBusinessMillis(calendar, t, minutes * MINUTE);
        if (actual !== expected) {
          throw new Error(`add ${minutes} min at ${iso(t, spec.timeZone)}: got ${iso(actual, spec.timeZone)}, reference ${iso(expected, spec.timeZone)}`);
        }
        const viaTemporal = addBusinessTime(calendar, Temporal.Instant.fromEpochMilliseconds(t), { minutes });
        expect(viaTemporal.epochMilliseconds).toBe(expected);
      }),
      RUNS,
    );
  });

  it('businessTimeBetween agrees with the reference', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -4 * 1440, max: 4 * 1440 }), ({ calendar, reference, t }, span) => {
        const to = t + span * MINUTE;
        expect(businessMillisBetween(calendar, t, to)).toBe(reference.between(t, to) * MINUTE);
        const viaTemporal = businessTimeBetween(calendar, Temporal.Instant.fromEpochMilliseconds(t), Temporal.Instant.fromEpochMilliseconds(to));
        expect(viaTemporal.total('minutes')).toBe(reference.between(t, to));
      }),
      RUNS,
    );
  });

  it('isOpen, nextOpening, nextClosing and endOfNextBusinessDay agree with the reference', () => {
    fc.assert(
      fc.property(scenario, ({ calendar, reference, t }) => {
        expect(isOpenAt(calendar, t)).toBe(reference.isOpen(t));
        expect(nextOpeningMillis(calendar, t)).toBe(reference.nextOpening(t));
        expect(nextClosingMillis(calendar, t)).toBe(reference.nextClosing(t));
        expect(endOfNextBusinessDayMillis(calendar, t)).toBe(reference.endOfNextBusinessDay(t, 'receipt-date'));
        expect(endOfNextBusinessDayMillis(calendar, t, { countFrom: 'next-opening' })).toBe(reference.endOfNextBusinessDay(t, 'next-opening'));
      }),
      RUNS,
    );
  });

  // The remaining properties need no reference, so they use arbitrary millisecond instants and
  // durations, up to a year of open time in either direction.
  const anyMs = fc.integer({ min: -400 * DAY, max: 400 * DAY });
  const durationMs = fc.oneof(fc.integer({ min: -DAY, max: DAY }), fc.integer({ min: -2000 * 3_600_000, max: 2000 * 3_600_000 }));
  // 2,000 hours is a year of a 40-hour week, but centuries of a calendar open 15 minutes a week,
  // which would leave the calendar's range (1900–2200, a documented CalendarRangeError): wrap a
  // duration into a year of the scenario's own open time.
  const withinAYear = (s: Scenario, d: number): number => {
    const year = s.weeklyOpenMinutes * MINUTE * 52;
    return Math.sign(d) * (Math.abs(d) % (year + 1));
  };

  it('businessTimeBetween(a, addBusinessTime(a, d)) equals d', () => {
    fc.assert(
      fc.property(scenario, anyMs, durationMs, (s, shift, raw) => {
        const { calendar, t } = s;
        const d = withinAYear(s, raw);
        const a = t + shift;
        expect(businessMillisBetween(calendar, a, addBusinessMillis(calendar, a, d))).toBe(d);
      }),
      RUNS,
    );
  });

  it('addBusinessTime is monotonic in the instant and in the duration', () => {
    fc.assert(
      fc.property(scenario, anyMs, anyMs, durationMs, durationMs, (s, s1, s2, raw1, raw2) => {
        const { calendar, t } = s;
        const [d1, d2] = [withinAYear(s, raw1), withinAYear(s, raw2)];
        const [a, b] = s1 <= s2 ? [t + s1, t + s2] : [t + s2, t + s1];
        const [lo, hi] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(addBusinessMillis(calendar, a, lo)).toBeLessThanOrEqual(addBusinessMillis(calendar, b, lo));
        expect(addBusinessMillis(calendar, a, lo)).toBeLessThanOrEqual(addBusinessMillis(calendar, a, hi));
        // and so is businessTimeBetween in its end point
        expect(businessMillisBetween(calendar, a, b + lo)).toBeLessThanOrEqual(businessMillisBetween(calendar, a, b + Math.abs(hi) + Math.abs(lo)));
      }),
      RUNS,
    );
  });

  it('the Temporal API is exact to the nanosecond: between(a, add(a, d)) = d, and no earlier instant reaches d', () => {
    const ns = fc.integer({ min: 0, max: 999_999 });
    fc.assert(
      fc.property(scenario, anyMs, ns, durationMs, ns, (s, shift, aNs, rawMs, dNs) => {
        const { calendar, t } = s;
        const dMs = withinAYear(s, rawMs);
        const a = Temporal.Instant.fromEpochNanoseconds(BigInt(t + shift) * 1_000_000n + BigInt(aNs));
        const d = Temporal.Duration.from({ milliseconds: dMs, nanoseconds: dMs < 0 ? -dNs : dNs });
        const r = addBusinessTime(calendar, a, d);
        expect(Temporal.Duration.compare(businessTimeBetween(calendar, a, r), d)).toBe(0);
        const oneNs = Temporal.Duration.from({ nanoseconds: 1 });
        if (d.sign > 0) {
          // minimal: one nanosecond earlier there is less than d of open time
          expect(Temporal.Duration.compare(businessTimeBetween(calendar, a, r.subtract(oneNs)), d)).toBeLessThan(0);
        } else if (d.sign < 0) {
          // maximal: one nanosecond later there is less than |d| of open time back to a
          expect(Temporal.Duration.compare(businessTimeBetween(calendar, a, r.add(oneNs)), d)).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });
});
