/** Anything ordered by a string key (code-unit order), such as a queue entry. */
export interface Keyed {
  readonly key: string;
}

/** Largest block before it is split in two: small enough that moving entries inside one is cheap. */
const DEFAULT_MAX_BLOCK = 128;

/**
 * Entries kept in ascending key order (code-unit order, as `<` compares strings) in a list of
 * sorted blocks of at most `maxBlock` entries: a binary search over the blocks' last keys, then
 * one inside a block, finds a place in O(log n), and an insert or removal moves at most a block's
 * entries instead of the whole list (a sorted array moves half of it on average, which is what
 * made a catch-up with tens of thousands of open tickets slow).
 *
 * It behaves exactly as one sorted array handled with `lowerBound` and `splice`: an entry goes
 * before any entry with an equal key, and {@link remove} and {@link replace} act on the first entry
 * with the key. Reads (`length`, iteration, {@link slice}, {@link map}, {@link at}) give what that
 * array would. How entries are spread over blocks depends on the history of changes and is never
 * seen: only the sequence of entries is (so two lists with the same entries are `toEqual`).
 */
export class OrderedEntries<T extends Keyed> implements Iterable<T> {
  // Non-empty sorted blocks, in order, with their keys alongside (`#keys[b][i]` is
  // `#blocks[b][i].key`) and each block's last key (`#lastKeys[b]`): searches read only strings,
  // not the entries. Private fields, so that nothing (not even a deep equality in a test) sees
  // how the entries happen to be spread over blocks.
  readonly #blocks: T[][] = [];
  readonly #keys: string[][] = [];
  readonly #lastKeys: string[] = [];
  readonly #maxBlock: number;
  #length = 0;

  constructor(maxBlock: number = DEFAULT_MAX_BLOCK) {
    if (!Number.isInteger(maxBlock) || maxBlock < 4) throw new RangeError(`maxBlock must be an integer >= 4, got ${maxBlock}`);
    this.#maxBlock = maxBlock;
  }

  /** A list of `sorted` (ascending keys; not checked), in half-full blocks. */
  static fromSorted<T extends Keyed>(sorted: readonly T[], maxBlock: number = DEFAULT_MAX_BLOCK): OrderedEntries<T> {
    const list = new OrderedEntries<T>(maxBlock);
    const size = maxBlock >> 1;
    for (let i = 0; i < sorted.length; i += size) {
      const block = sorted.slice(i, i + size);
      list.#blocks.push(block);
      list.#keys.push(block.map((e) => e.key));
      list.#lastKeys.push((block[block.length - 1] as T).key);
    }
    list.#length = sorted.length;
    return list;
  }

  get length(): number {
    return this.#length;
  }

  /** Inserts `entry` at its place: after the entries with smaller keys, before those with equal or larger ones. */
  insert(entry: T): void {
    const key = entry.key;
    this.#length += 1;
    if (this.#blocks.length === 0) {
      this.#blocks.push([entry]);
      this.#keys.push([key]);
      this.#lastKeys.push(key);
      return;
    }
    // After every entry: goes at the end of the last block.
    const b = Math.min(lowerBound(this.#lastKeys, key), this.#blocks.length - 1);
    const block = this.#blocks[b] as T[];
    const keys = this.#keys[b] as string[];
    const i = lowerBound(keys, key);
    block.splice(i, 0, entry);
    keys.splice(i, 0, key);
    if (i === keys.length - 1) this.#lastKeys[b] = key;
    if (block.length > this.#maxBlock) {
      const half = block.length >> 1;
      this.#blocks.splice(b + 1, 0, block.splice(half));
      this.#keys.splice(b + 1, 0, keys.splice(half));
      this.#lastKeys.splice(b, 0, keys[keys.length - 1] as string);
    }
  }

  /** Removes the first entry with `key`; returns it, or `undefined` when there is none. */
  remove(key: string): T | undefined {
    const b = lowerBound(this.#lastKeys, key);
    const keys = this.#keys[b];
    if (keys === undefined) return undefined;
    const i = lowerBound(keys, key);
    if (keys[i] !== key) return undefined;
    const block = this.#blocks[b] as T[];
    const found = block[i] as T;
    block.splice(i, 1);
    keys.splice(i, 1);
    this.#length -= 1;
    if (keys.length === 0) {
      this.#blocks.splice(b, 1);
      this.#keys.splice(b, 1);
      this.#lastKeys.splice(b, 1);
      return found;
    }
    if (i === keys.length) this.#lastKeys[b] = keys[i - 1] as string;
    if (keys.length * 4 < this.#maxBlock) this.#mergeSmall(b);
    return found;
  }

  /** Puts `entry` in place of the first entry with the same key; returns whether there was one. */
  replace(entry: T): boolean {
    const b = lowerBound(this.#lastKeys, entry.key);
    const keys = this.#keys[b];
    if (keys === undefined) return false;
    const i = lowerBound(keys, entry.key);
    if (keys[i] !== entry.key) return false;
    (this.#blocks[b] as T[])[i] = entry;
    return true;
  }

  /** The entry at 0-based `index`, or `undefined` (no negative indexes). */
  at(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) return undefined;
    let rest = index;
    for (const block of this.#blocks) {
      if (rest < block.length) return block[rest];
      rest -= block.length;
    }
    return undefined;
  }

  /** As `Array.prototype.slice` on the sorted array: negative positions count from the end. */
  slice(start?: number, end?: number): T[] {
    const from = position(start, 0, this.#length);
    const to = position(end, this.#length, this.#length);
    const out: T[] = [];
    if (from >= to) return out;
    let offset = 0;
    for (const block of this.#blocks) {
      const next = offset + block.length;
      if (next > from) {
        for (let i = Math.max(0, from - offset); i < block.length && offset + i < to; i++) out.push(block[i] as T);
        if (next >= to) break;
      }
      offset = next;
    }
    return out;
  }

  map<U>(fn: (entry: T, index: number) => U): U[] {
    const out: U[] = [];
    for (const block of this.#blocks) for (const entry of block) out.push(fn(entry, out.length));
    return out;
  }

  /** A plain array of the entries, in order. */
  toArray(): T[] {
    return this.slice();
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const block of this.#blocks) yield* block;
  }

  // Joins block `b`, fallen under a quarter full, with a neighbour when both fit in one block, so
  // that churn cannot leave many near-empty blocks behind.
  #mergeSmall(b: number): void {
    const into = b + 1 < this.#blocks.length && (this.#keys[b] as string[]).length + (this.#keys[b + 1] as string[]).length <= this.#maxBlock ? b : b - 1;
    if (into < 0 || (this.#keys[into] as string[]).length + (this.#keys[into + 1] as string[]).length > this.#maxBlock) return;
    const block = this.#blocks[into] as T[];
    const keys = this.#keys[into] as string[];
    for (const entry of this.#blocks[into + 1] as T[]) block.push(entry);
    for (const key of this.#keys[into + 1] as string[]) keys.push(key);
    this.#blocks.splice(into + 1, 1);
    this.#keys.splice(into + 1, 1);
    this.#lastKeys.splice(into, 1);
  }
}

// Index of the first key not less than `key` in ascending `keys`.
const lowerBound = (keys: readonly string[], key: string): number => {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

// `Array.prototype.slice`'s reading of a start or end argument (ToIntegerOrInfinity, then clamped).
const position = (argument: number | undefined, fallback: number, length: number): number => {
  if (argument === undefined) return fallback;
  const n = Number.isNaN(argument) ? 0 : Math.trunc(argument);
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
};
