import type { Prng } from './prng.js';

/**
 * One random interleaving of several streams that keeps each stream's own order: the delivery
 * orders a global log may legitimately show for independent streams. Used by the determinism
 * tests: a projection whose output depends only on per-stream order must give the same result
 * for every interleaving.
 */
export const interleave = <T>(streams: readonly (readonly T[])[], prng: Prng): T[] => {
  const cursors = streams.map(() => 0);
  const live: number[] = [];
  streams.forEach((s, i) => {
    if (s.length > 0) live.push(i);
  });
  const out: T[] = [];
  while (live.length > 0) {
    const pick = prng.int(0, live.length - 1);
    const stream = live[pick] as number;
    const events = streams[stream] as readonly T[];
    const cursor = cursors[stream] as number;
    out.push(events[cursor] as T);
    cursors[stream] = cursor + 1;
    if (cursor + 1 >= events.length) live.splice(pick, 1);
  }
  return out;
};

/** Groups items by a key, keeping the items' order within each group; groups in first-seen order. */
export const groupInOrder = <T>(items: readonly T[], keyOf: (item: T) => string): T[][] => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
};
