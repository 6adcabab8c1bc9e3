import { RequestValidationError } from './validation';

/**
 * Deepest nesting of objects and arrays a request body may have (`{}` and `[]` are depth 1,
 * `{"a":{}}` is 2). The deepest body any route takes (a policy's calendars) is about 6 levels.
 * Checked, without recursion, before anything walks the body recursively (the request
 * fingerprint of an idempotent request, the validation of unknown fields, the codecs).
 */
export const MAX_JSON_DEPTH = 32;

interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly parent: Frame | undefined;
  readonly key: string;
}

const pathOf = (frame: Frame): string => {
  const keys: string[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) keys.push(f.key === '' ? '""' : f.key);
  return keys.length === 0 ? '(root)' : keys.reverse().join('.');
};

/**
 * The dotted path (as validation issues name fields) of the first object or array nested deeper
 * than `limit`, or undefined when there is none. Iterative: however deep the value, it uses a
 * constant amount of call stack, and it stops at the first level past the limit.
 */
export function tooDeepAt(value: unknown, limit: number = MAX_JSON_DEPTH): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > limit) return pathOf(frame);
    const entries: [string, unknown][] = Array.isArray(frame.value)
      ? frame.value.map((v, i): [string, unknown] => [String(i), v])
      : Object.entries(frame.value as Record<string, unknown>);
    // Pushed in reverse, so the first member is walked first and the path named is the first one.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, member] = entries[i]!;
      if (typeof member === 'object' && member !== null) stack.push({ value: member, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return undefined;
}

/** Throws a 400 naming the field where `value` nests deeper than {@link MAX_JSON_DEPTH}. */
export function assertJsonDepth(value: unknown, where: 'body' | 'query' | 'path' = 'body', limit: number = MAX_JSON_DEPTH): void {
  const at = tooDeepAt(value, limit);
  if (at !== undefined) throw new RequestValidationError(where, [{ field: at, message: `is nested deeper than ${limit} levels of objects and arrays (the limit)` }]);
}
