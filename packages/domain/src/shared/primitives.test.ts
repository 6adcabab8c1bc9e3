import fc from 'fast-check';
import { FIRST_YEAR, LAST_YEAR, isIsoInstant } from './primitives';

describe('isIsoInstant', () => {
  // The first implementation (fields cut out with slice and a regular expression for the offset),
  // kept as the oracle for the one that reads the fields in place.
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
  const original = (s: string): boolean => {
    if (!ISO.test(s) || Number.isNaN(Date.parse(s))) return false;
    const [year, month, day, hour, minute, second] = [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10), s.slice(11, 13), s.slice(14, 16), s.slice(17, 19)].map(Number) as [number, number, number, number, number, number];
    const offset = /([+-])(\d{2}):(\d{2})$/.exec(s);
    if (offset !== null && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return false;
    const days = month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
    return year >= FIRST_YEAR && year <= LAST_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && (s[16] !== ':' || second <= 59);
  };
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  const candidate = fc
    .tuple(
      fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: FIRST_YEAR - 2, max: LAST_YEAR + 2 })).map((y) => String(y).padStart(4, '0')),
      two(19),
      two(39),
      two(29),
      two(69),
      fc.option(fc.tuple(two(69), fc.option(fc.stringMatching(/^\.\d{1,10}$/), { nil: '' })).map(([sec, frac]) => `:${sec}${frac}`), { nil: '' }),
      fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), two(29), two(69)).map(([sign, h, m]) => `${sign}${h}:${m}`), fc.constantFrom('', 'z', '+0500', ' Z')),
    )
    .map(([y, mo, d, h, mi, sec, off]) => `${y}-${mo}-${d}T${h}:${mi}${sec}${off}`);

  it('gives the same answer as the first implementation on dates and times near the format', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(candidate, fc.string({ maxLength: 30 })), (s) => {
        const expected = original(s);
        if (expected) valid++;
        expect(isIsoInstant(s)).toBe(expected);
      }),
      { numRuns: 20_000, seed: 20261126 },
    );
    // Enough of them were real instants for the comparison to mean something.
    expect(valid).toBeGreaterThan(400);
  });
});
