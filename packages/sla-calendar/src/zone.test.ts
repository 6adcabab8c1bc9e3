import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { MS_PER_DAY, OffsetTimeline, utcYear, weekdayIndex } from './zone';

// The compiler resolves wall-clock times with plain arithmetic over offsets read once per year;
// this checks that arithmetic against Temporal itself, around every transition, in every zone.

const wallMs = (pdt: Temporal.PlainDateTime): number => pdt.toZonedDateTime('UTC').epochMilliseconds;
const pdtOf = (wall: number): Temporal.PlainDateTime =>
  Temporal.Instant.fromEpochMilliseconds(wall).toZonedDateTimeISO('UTC').toPlainDateTime();
const timelineForYear = (zone: string, year: number): OffsetTimeline => {
  const firstDay = Date.UTC(year, 0, 1) / MS_PER_DAY;
  const days = Date.UTC(year + 1, 0, 1) / MS_PER_DAY - firstDay;
  return OffsetTimeline.read(zone, (firstDay - 3) * MS_PER_DAY, (firstDay + days + 3) * MS_PER_DAY);
};

function checkAround(zone: string, year: number, timeline: OffsetTimeline, walls: number[]): void {
  const days = new Set<string>();
  for (const wall of walls) {
    const pdt = pdtOf(wall);
    if (pdt.year !== year) continue;
    const expected = pdt.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
    if (timeline.wallToEpoch(wall) !== expected) {
      throw new Error(`${zone} ${pdt.toString()}: got ${timeline.wallToEpoch(wall)}, Temporal says ${expected}`);
    }
    const midnight = Temporal.PlainDate.from(pdt);
    if (days.has(midnight.toString())) continue;
    days.add(midnight.toString());
    const startOfDay = midnight.toZonedDateTime(zone).epochMilliseconds;
    if (timeline.startOfDay(wallMs(midnight.toPlainDateTime())) !== startOfDay) {
      throw new Error(`${zone} start of ${midnight.toString()}: got ${timeline.startOfDay(wallMs(midnight.toPlainDateTime()))}, Temporal says ${startOfDay}`);
    }
  }
}

describe('OffsetTimeline (wall clock → instant without Temporal)', () => {
  const zones = Intl.supportedValuesOf('timeZone');

  it('matches Temporal (compatible, startOfDay) around every transition of sample years in every zone', () => {
    const years = [1942, 2011, 2026];
    let checked = 0;
    for (const zone of zones) {
      for (const year of years) {
        const timeline = timelineForYear(zone, year);
        let zdt = Temporal.PlainDate.from({ year, month: 1, day: 1 }).toZonedDateTime(zone);
        const walls: number[] = [];
        for (;;) {
          const next = zdt.getTimeZoneTransition('next');
          if (next === null || next.year > year) break;
          const before = zdt.offsetNanoseconds / 1e6;
          const after = next.offsetNanoseconds / 1e6;
          const t = next.epochMilliseconds;
          for (const base of [t + before, t + after]) {
            for (const delta of [-30 * 60_000, -1, 0, 1, 30 * 60_000]) walls.push(base + delta);
          }
          zdt = next;
        }
        walls.push(Date.UTC(year, 6, 1, 12));
        checkAround(zone, year, timeline, walls);
        checked += walls.length;
      }
    }
    expect(checked).toBeGreaterThan(5_000);
  });

  it('matches Temporal at random wall times', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 11, 31, 23, 59) }),
        (zone, wall) => {
          const year = pdtOf(wall).year;
          checkAround(zone, year, timelineForYear(zone, year), [wall - (wall % 60_000)]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('date arithmetic helpers', () => {
  it('utcYear and weekdayIndex agree with Date', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1800, 0, 1), max: Date.UTC(2300, 0, 1) }), (ms) => {
        const d = new Date(ms);
        expect(utcYear(ms)).toBe(d.getUTCFullYear());
        expect(weekdayIndex(Math.floor(ms / MS_PER_DAY))).toBe((d.getUTCDay() + 6) % 7);
      }),
      { numRuns: 2000 },
    );
  });
});
