/**
 * Ordering helpers. Every read model sorts with these so that output never depends on the
 * engine's sort stability, on locale, or on map insertion order.
 */

/** Code-unit order on strings: locale independent, unlike `localeCompare`. */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const compareNumbers = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Index of the first element not less than `item` (`lowerBound`) in an array sorted by `compare`.
 * O(log n).
 */
export const lowerBound = <T>(sorted: readonly T[], item: T, compare: (a: T, b: T) => number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(sorted[mid] as T, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * Inserts `item` into `sorted` (in place) keeping it sorted by `compare`. Keys must be unique under
 * `compare`, which keeps the order total and the result independent of arrival order.
 */
export const sortedInsert = <T>(sorted: T[], item: T, compare: (a: T, b: T) => number): void => {
  const at = lowerBound(sorted, item, compare);
  sorted.splice(at, 0, item);
};

/** Removes the element equal to `item` under `compare` (in place). Returns whether one was found. */
export const sortedRemove = <T>(sorted: T[], item: T, compare: (a: T, b: T) => number): boolean => {
  const at = lowerBound(sorted, item, compare);
  if (at < sorted.length && compare(sorted[at] as T, item) === 0) {
    sorted.splice(at, 1);
    return true;
  }
  return false;
};

/**
 * Percentile by the **nearest-rank** method: the smallest value such that at least `p` percent
 * of the values are less than or equal to it, i.e. the value at 1-based rank `ceil(p/100 × n)` of
 * the ascending values. It is always one of the observed values (no interpolation), so figures
 * can be checked by hand; the median is `percentile(values, 50)`, the lower middle value when `n`
 * is even. Returns `null` for no values.
 */
export const percentile = (ascending: readonly number[], p: number): number | null => {
  if (ascending.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * ascending.length);
  return ascending[Math.max(1, rank) - 1] ?? null;
};

/** A sorted copy (ascending numbers). */
export const sortedNumbers = (values: readonly number[]): number[] => Array.from(Float64Array.from(values).sort());

/**
 * The items in the order of `compare` (a total order: it must not call two different items
 * equal), sorted a step at a time: a generator that yields `''` after about every `step` element
 * moves and returns the sorted array. A caller pulling it can stop between yields and go on
 * later, so sorting the keys of a model with hundreds of thousands of entries never has to
 * happen in one go.
 */
export function* sortInSteps<T>(items: Iterable<T>, compare: (a: T, b: T) => number, step = 4096): Generator<'', T[], undefined> {
  let work = 0;
  let a: T[] = [];
  for (const item of items) {
    a.push(item);
    if (++work >= step) {
      work = 0;
      yield '';
    }
  }
  const n = a.length;
  // Runs short enough to sort natively in a fraction of a millisecond, then bottom-up merges.
  const run = Math.max(2, Math.min(512, step));
  for (let lo = 0; lo < n; lo += run) {
    const sorted = a.slice(lo, lo + run).sort(compare);
    for (let i = 0; i < sorted.length; i++) a[lo + i] = sorted[i] as T;
    work += sorted.length * 9;
    if (work >= step) {
      work = 0;
      yield '';
    }
  }
  let b = new Array<T>(n);
  for (let width = run; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        if (j >= hi || (i < mid && compare(a[i] as T, a[j] as T) <= 0)) b[k] = a[i++] as T;
        else b[k] = a[j++] as T;
        if (++work >= step) {
          work = 0;
          yield '';
        }
      }
    }
    [a, b] = [b, a];
  }
  return a;
}
