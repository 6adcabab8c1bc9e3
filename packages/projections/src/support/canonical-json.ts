/**
 * JSON with object keys sorted at every level, so equal values always give the same bytes
 * whatever order their keys were built in. Arrays keep their order (callers sort them).
 * `undefined` members are dropped as `JSON.stringify` does; bigints are rejected because they
 * have no JSON form (encode them first).
 *
 * The bytes are by definition those of `JSON.stringify` of a copy of the value with every
 * object's keys inserted in sorted order. Only the parts whose keys are not already in that
 * order are copied, though: an array of strings and numbers (an archived ticket's row), or an
 * object built or parsed with its keys in order, is handed to `JSON.stringify` as it is, which
 * writes it exactly as it would the copy. Checkpoints of the read models call this once per
 * archived and per open ticket.
 */
export const canonicalJson = (value: unknown, indent?: number): string => JSON.stringify(canonical(value), null, indent);

/**
 * `value` itself where `JSON.stringify` already writes it with sorted keys, else a copy (made
 * like `sortKeys` below, the original definition) of the parts that need it. Children are
 * visited in sorted key order, as the original definition visits them (so a bigint or a Map is
 * reported as before).
 */
const canonical = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') throw new TypeError('canonicalJson: encode bigints before serializing');
    return value;
  }
  if (Array.isArray(value)) return canonicalArray(value as readonly unknown[]);
  if (value instanceof Map || value instanceof Set) {
    throw new TypeError('canonicalJson: convert Maps and Sets to sorted arrays before serializing');
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (!inCanonicalOrder(object, keys)) return sortKeys(object, sortedKeysOf(keys));
  for (let i = 0; i < keys.length; i++) {
    const v = object[keys[i] as string];
    const c = canonical(v);
    if (c === v) continue;
    // A child needs a copy, so this object does too: the keys before it as they were (already
    // canonical), this one, then the rest.
    const out: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) {
      const key = keys[j] as string;
      const before = object[key];
      if (before !== undefined) out[key] = before;
    }
    out[keys[i] as string] = c;
    for (let j = i + 1; j < keys.length; j++) {
      const key = keys[j] as string;
      const rest = object[key];
      if (rest !== undefined) out[key] = canonical(rest);
    }
    return out;
  }
  return object;
};

// The original definition, for an object whose keys are out of order (children made canonical).
const sortKeys = (object: Record<string, unknown>, sortedKeys: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const key of sortedKeys) {
    const v = object[key];
    if (v !== undefined) out[key] = canonical(v);
  }
  return out;
};

/**
 * `keys` sorted (default `sort` order: UTF-16 code units). Objects built by the same code have
 * the same keys in the same order (every ticket the domain opens, say), so the sorted order of a
 * key list seen before is reused: found by its first key, then checked key by key. The cache
 * stays small whatever is serialized (maps keyed by ids are arrays of entries here).
 */
const sortedKeysOf = (keys: string[]): readonly string[] => {
  const first = keys[0];
  if (first === undefined || keys.length < 4) return keys.sort();
  const known = sortedOrders.get(first);
  if (known !== undefined) {
    for (const order of known) {
      if (order.keys.length !== keys.length) continue;
      let same = true;
      for (let i = 1; i < keys.length && same; i++) same = order.keys[i] === keys[i];
      if (same) return order.sorted;
    }
  }
  const sorted = [...keys].sort();
  if (known === undefined) {
    if (sortedOrders.size < 256) sortedOrders.set(first, [{ keys, sorted }]);
  } else if (known.length < 8) known.push({ keys, sorted });
  return sorted;
};
const sortedOrders = new Map<string, { readonly keys: readonly string[]; readonly sorted: readonly string[] }[]>();

/**
 * Whether `JSON.stringify` writes this object's own keys in sorted order and treats it as it
 * would the plain copy: a plain object (no class, so no inherited `toJSON`), keys strictly
 * ascending, none that is an array index (written first whatever the order), `__proto__` (which
 * the copy cannot hold) or `toJSON`.
 */
const inCanonicalOrder = (object: object, keys: readonly string[]): boolean => {
  if (Object.getPrototypeOf(object) !== Object.prototype) return false;
  let previous: string | undefined;
  for (const key of keys) {
    if (previous !== undefined && !(previous < key)) return false;
    const c = key.charCodeAt(0);
    if ((c >= 48 && c <= 57) || key === '__proto__' || key === 'toJSON') return false;
    previous = key;
  }
  return true;
};

const canonicalArray = (array: readonly unknown[]): unknown => {
  // A plain array with no toJSON is written as its elements are; anything else is copied with
  // `map`, as the original definition did.
  if (Object.getPrototypeOf(array) !== Array.prototype || (array as { toJSON?: unknown }).toJSON !== undefined) return array.map(canonical);
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    // Strings, numbers and null (most of a row) need no call.
    if (v === null || (typeof v !== 'object' && typeof v !== 'bigint')) continue;
    const c = canonical(v);
    if (c === v) continue;
    return array.map((e, j) => (j < i ? e : j === i ? c : canonical(e)));
  }
  return array;
};
