/**
 * mulberry32: a tiny seeded 32-bit PRNG. Deterministic across platforms (integer arithmetic
 * only), so seeded histories and shuffles are reproducible. Not for cryptography.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** One of the items, by weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T;
  /** True with probability `p`. */
  chance(p: number): boolean;
}

export const mulberry32 = (seed: number): Prng => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = a;
    r = Math.imul(r ^ (r >>> 15), r | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    weighted: <T>(choices: readonly (readonly [T, number])[]): T => {
      let total = 0;
      for (const [, w] of choices) total += w;
      let x = next() * total;
      for (const [value, w] of choices) {
        x -= w;
        if (x < 0) return value;
      }
      const last = choices[choices.length - 1];
      if (last === undefined) throw new RangeError('weighted: no choices');
      return last[0];
    },
  };
};
