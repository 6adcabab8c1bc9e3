/**
 * Deterministic JSON: object keys sorted by UTF-16 code unit order, no whitespace, numbers and
 * strings as `JSON.stringify` writes them (which is already canonical for both). Undefined
 * properties are left out as JSON.stringify does, so a value and its JSON round trip serialize
 * identically — the property a hash over stored events needs.
 *
 * Every append hashes its events, so this is on the path of every command: it builds the text
 * by concatenation, sorts each object's keys in place (small objects by insertion), and keeps
 * the quoted form of the keys it has seen, instead of an array and a join per object.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value);
  if (out === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return out;
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('canonicalJson: bigint has no JSON form; convert it to a string first');
    default:
      break;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return write(withToJson.toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + (write(value[i]) ?? 'null');
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortInPlace(Object.keys(record));
  let out = '{';
  for (const key of keys) {
    const member = write(record[key]);
    if (member !== undefined) out += (out.length === 1 ? '' : ',') + quoted(key) + ':' + member;
  }
  return `${out}}`;
}

/** Code-unit order, as `Array.prototype.sort` without a comparator orders strings. */
function sortInPlace(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
  return keys;
}

/** Keys recur (event and metadata field names): their quoted form is kept, for the first few hundred seen. */
const quotedKeys = new Map<string, string>();

function quoted(key: string): string {
  let text = quotedKeys.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quotedKeys.size < 512) quotedKeys.set(key, text);
  }
  return text;
}
