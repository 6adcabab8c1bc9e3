import fc from 'fast-check';
import { canonicalJson } from './canonical-json.js';
import { groupInOrder, interleave } from './interleave.js';
import { compareStrings, lowerBound, percentile, sortedInsert, sortedNumbers, sortedRemove, sortInSteps } from './ordering.js';
import { mulberry32 } from './prng.js';

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ceil(p/100 × n)', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 90)).toBe(90);
    expect(percentile(v, 95)).toBe(100);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile(v, 1)).toBe(10);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([1, 2], 50)).toBe(1);
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile(v, 0)).toThrow(RangeError);
  });

  it('always returns an observed value with at least p % of the values at or below it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = sortedNumbers(values);
        const q = percentile(sorted, p) as number;
        expect(values).toContain(q);
        expect(sorted.filter((x) => x <= q).length / sorted.length).toBeGreaterThanOrEqual(p / 100);
        expect(sorted.filter((x) => x < q).length / sorted.length).toBeLessThan(p / 100);
      }),
      { numRuns: 300 },
    );
  });
});

describe('sorted arrays', () => {
  it('insert and remove keep the order a full sort gives', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string(), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 20 }), (items, removals) => {
        const list: string[] = [];
        for (const item of items) sortedInsert(list, item, compareStrings);
        expect(list).toEqual([...items].sort());
        for (const r of removals) {
          const victim = items[r % Math.max(1, items.length)];
          if (victim !== undefined) sortedRemove(list, victim, compareStrings);
        }
        const removed = new Set(removals.map((r) => items[r % Math.max(1, items.length)]));
        expect(list).toEqual([...items].filter((i) => !removed.has(i)).sort());
        expect(lowerBound(list, '', compareStrings)).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('sorting a step at a time', () => {
  const drain = (steps: Generator<'', string[], undefined>): { sorted: string[]; pauses: number } => {
    let pauses = 0;
    for (;;) {
      const next = steps.next();
      if (next.done === true) return { sorted: next.value, pauses };
      pauses += 1;
    }
  };

  it('gives what a full sort gives, pausing at least once per step of elements', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: 'binary' }), { maxLength: 3000 }), fc.integer({ min: 1, max: 5000 }), (items, step) => {
        const { sorted, pauses } = drain(sortInSteps(items, compareStrings, step));
        expect(sorted).toEqual([...items].sort(compareStrings));
        expect(pauses).toBeGreaterThanOrEqual(Math.floor(items.length / step));
      }),
      { numRuns: 200 },
    );
  });

  it('sorts a hundred thousand map keys in many short steps', () => {
    const prng = mulberry32(5);
    const keys = new Map<string, number>();
    while (keys.size < 100_000) keys.set(`t${prng.int(0, 99_999_999).toString().padStart(8, '0')}`, keys.size);
    const { sorted, pauses } = drain(sortInSteps(keys.keys(), compareStrings));
    expect(sorted).toEqual([...keys.keys()].sort(compareStrings));
    // Collecting, sorting runs and every merge pass each pause about every 4096 moves.
    expect(pauses).toBeGreaterThan((100_000 * 8) / 4096);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('refuses what has no stable JSON form', () => {
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/Map/);
  });
});

describe('mulberry32 and interleavings', () => {
  it('is reproducible from its seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(mulberry32(43).next()).not.toBe(xs[0]);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('interleaves streams keeping each stream in order', () => {
    const items = ['a1', 'b1', 'a2', 'c1', 'b2', 'a3'];
    const streams = groupInOrder(items, (s) => s[0] as string);
    expect(streams).toEqual([['a1', 'a2', 'a3'], ['b1', 'b2'], ['c1']]);
    const out = interleave(streams, mulberry32(5));
    expect([...out].sort()).toEqual([...items].sort());
    for (const stream of streams) expect(out.filter((x) => stream.includes(x))).toEqual(stream);
  });
});
