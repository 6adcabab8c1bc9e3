import fc from 'fast-check';
import { referenceCanonicalJson } from '../bench/reference.js';
import { canonicalJson } from './canonical-json.js';

const outcome = (f: () => string): { readonly ok: string | undefined } | { readonly error: string } => {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
};
const expectSame = (value: unknown, indent?: number): void => {
  expect(outcome(() => canonicalJson(value, indent))).toEqual(outcome(() => referenceCanonicalJson(value, indent)));
};

// Keys that order or copy specially: array indexes, `__proto__`, `toJSON`, case, non-ASCII, surrogates.
const oddKey = fc.constantFrom('0', '1', '10', '2', '01', '-1', '1.5', '__proto__', 'toJSON', 'constructor', '', 'a', 'B', 'b', 'é', '\u{1F600}', '\ud800', 'z\u0000');
const key = fc.oneof(fc.string({ maxLength: 4 }), oddKey);

describe('canonical JSON, against the original copy-then-stringify definition', () => {
  it('gives the same bytes (or the same error) for arbitrary values', () => {
    const anything = fc.anything({
      key,
      maxDepth: 4,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(anything, (value) => expectSame(value)),
      { numRuns: 3000 },
    );
  });

  it('gives the same bytes for JSON data, already in key order or not, with indentation too', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom(undefined, 0, 2), (value, indent) => {
        expectSame(value, indent);
        // As parsed back from canonical text: keys already in order.
        const parsed = JSON.parse(referenceCanonicalJson(value) ?? 'null') as unknown;
        expectSame(parsed, indent);
      }),
      { numRuns: 2000 },
    );
  });

  it('treats the odd cases as the original did', () => {
    const withProto = JSON.parse('{"b":1,"__proto__":{"x":1},"a":[1,{"d":2,"c":3}]}') as unknown;
    const fn = Object.assign(() => 1, { toJSON: () => 'called' });
    const arrayWithToJson = Object.assign([1, 2], { toJSON: () => 'array' });
    class Point {
      constructor(
        readonly y: number,
        readonly x: number,
      ) {}
      toJSON(): string {
        return 'point';
      }
    }
    const cases: unknown[] = [
      undefined,
      () => 1,
      Symbol('s'),
      [undefined, () => 1, Symbol('s'), , 1], // eslint-disable-line no-sparse-arrays
      { a: undefined, b: () => 1, c: Symbol('s') },
      { 10: 'ten', 2: 'two', a: 1, '01': 'zero-one' },
      withProto,
      Object.create(null) as unknown,
      Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
      { f: fn, a: arrayWithToJson, nested: [[arrayWithToJson]] },
      { p: new Point(1, 2), d: new Date(0), n: new Number(1), s: new String('ab') },
      { a: { b: { c: 1n } } },
      { b: new Map(), a: 1n },
      { a: new Set([1]), b: 1n },
      [1, -0, Number.NaN, Infinity, 1e21, 1.5e-7, 2 ** 53],
      { a: '\ud800', b: '"\\\n\u2028' },
      { toJSON: () => 'x', a: 1 },
    ];
    for (const value of cases) expectSame(value);
  });

  it('returns equal bytes without copying what is already canonical', () => {
    const row = ['t1', 'SS-1', null, [1767618280921, null, 0], [], [1, 2]];
    expect(canonicalJson(row)).toBe(JSON.stringify(row));
    const unsorted = { b: { d: 1, c: [{ f: 1, e: 2 }] }, a: 1 };
    expect(canonicalJson(unsorted)).toBe('{"a":1,"b":{"c":[{"e":2,"f":1}],"d":1}}');
    // The value itself is never changed.
    expect(Object.keys(unsorted)).toEqual(['b', 'a']);
  });
});
