/**
 * JSON with object keys sorted at every level, so equal values always give the same bytes
 * whatever order their keys were built in. Arrays keep their order (callers sort them).
 * `undefined` members are dropped as `JSON.stringify` does; bigints are rejected because they
 * have no JSON form (encode them first).
 */
export const canonicalJson = (value: unknown, indent?: number): string => JSON.stringify(sortKeys(value), null, indent);

const sortKeys = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') throw new TypeError('canonicalJson: encode bigints before serializing');
    return value;
  }
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Map || value instanceof Set) {
    throw new TypeError('canonicalJson: convert Maps and Sets to sorted arrays before serializing');
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
};
