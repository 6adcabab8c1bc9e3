import fc from 'fast-check';
import { OrderedEntries, type Keyed } from './ordered-entries.js';

interface Item extends Keyed {
  readonly id: number;
}

// The reference: one sorted array, changed with lowerBound and splice (the queue's old algorithm).
const lowerBound = (list: readonly Item[], key: string): number => {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Item).key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

type Op = { readonly kind: 'insert' | 'remove' | 'replace'; readonly key: string };

// Few distinct keys, so that equal keys, removals of absent keys and runs of inserts all happen.
const opArb = fc.record({
  kind: fc.constantFrom<Op['kind']>('insert', 'insert', 'insert', 'remove', 'remove', 'replace'),
  key: fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd', 'é', '\u{1F600}'), maxLength: 4 }),
});

const run = (ops: readonly Op[], maxBlock: number, initial: readonly string[]): void => {
  let id = 0;
  const reference: Item[] = initial.map((key) => ({ key, id: id++ })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const list = OrderedEntries.fromSorted(reference.slice(), maxBlock);
  for (const op of ops) {
    const item = { key: op.key, id: id++ };
    const at = lowerBound(reference, op.key);
    if (op.kind === 'insert') {
      reference.splice(at, 0, item);
      list.insert(item);
    } else if (op.kind === 'remove') {
      const found = reference[at]?.key === op.key ? reference.splice(at, 1)[0] : undefined;
      expect(list.remove(op.key)).toBe(found);
    } else {
      const found = reference[at]?.key === op.key;
      if (found) reference[at] = item;
      expect(list.replace(item)).toBe(found);
    }
    expect(list.length).toBe(reference.length);
  }
  expect([...list]).toEqual(reference);
  expect(list.toArray()).toEqual(reference);
  expect(list.map((e, i) => `${i}:${e.id}`)).toEqual(reference.map((e, i) => `${i}:${e.id}`));
  for (let i = -1; i <= reference.length; i++) expect(list.at(i)).toBe(i < 0 ? undefined : reference[i]);
};

describe('ordered entries (sorted blocks)', () => {
  it('gives exactly what one sorted array with lowerBound and splice gives, over random operations', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), fc.integer({ min: 4, max: 12 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 40 }), (ops, maxBlock, initial) =>
        run(ops, maxBlock, initial),
      ),
      { numRuns: 400 },
    );
  });

  it('slices as Array.prototype.slice does, negative and fractional positions included', () => {
    const position = fc.oneof(fc.integer({ min: -30, max: 30 }), fc.double({ min: -30, max: 30 }), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 25 }), fc.integer({ min: 4, max: 8 }), position, position, (keys, maxBlock, start, end) => {
        const list = new OrderedEntries<Item>(maxBlock);
        keys.forEach((key, id) => list.insert({ key, id }));
        const array = [...list];
        expect(list.slice(start, end)).toEqual(array.slice(start, end));
        expect(list.slice(start)).toEqual(array.slice(start));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a long churn of inserts and removals in order', () => {
    // 200,000 changes around 5,000 live keys: blocks split and merge many times.
    const list = new OrderedEntries<Item>(64);
    const live = new Map<string, Item>();
    let seed = 1;
    const next = () => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647);
    let wrong = 0;
    for (let i = 0; i < 200_000; i++) {
      const key = `k${(next() % 10_000).toString().padStart(5, '0')}`;
      if (live.has(key)) {
        if (list.remove(key) !== live.get(key)) wrong += 1;
        live.delete(key);
      } else {
        const item = { key, id: i };
        list.insert(item);
        live.set(key, item);
      }
    }
    expect(wrong).toBe(0);
    expect(list.length).toBe(live.size);
    expect([...list]).toEqual([...live.values()].sort((a, b) => (a.key < b.key ? -1 : 1)));
  });

  it('compares equal (toEqual) to another list with the same entries, however they are spread over blocks', () => {
    const items = Array.from({ length: 100 }, (_, id) => ({ key: `k${id.toString().padStart(3, '0')}`, id }));
    const built = new OrderedEntries<Item>(4);
    for (const item of [...items].reverse()) built.insert(item);
    expect(built).toEqual(OrderedEntries.fromSorted(items));
    expect(built).not.toEqual(OrderedEntries.fromSorted(items.slice(1)));
  });

  it('refuses a block size too small to split', () => {
    expect(() => new OrderedEntries(3)).toThrow(RangeError);
  });
});
