import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';

/** One reason why input did not decode: where, what was expected, and a readable sentence. */
export interface DecodeIssue {
  /** Dotted path into the input, e.g. `data.namedUser.email` (empty for the root). */
  readonly path: string;
  /** Name of the codec that rejected the value, e.g. `Email`, `IsoInstant`. */
  readonly expected: string;
  readonly message: string;
}

/** Why a value was not accepted at the boundary. Not a {@link DomainError}: nothing was decided. */
export interface DecodeFailure {
  readonly _tag: 'DecodeFailure';
  readonly issues: readonly DecodeIssue[];
  readonly message: string;
}

// Members of unions and intersections show up in io-ts contexts under their index ("0", "1");
// those indices are not part of the user's data, so they are dropped from the path.
const isCombinator = (type: t.Decoder<unknown, unknown>): boolean => {
  const tag = (type as { _tag?: unknown })._tag;
  return tag === 'IntersectionType' || tag === 'UnionType';
};

const describe = (u: unknown): string => {
  if (u === undefined) return 'nothing';
  try {
    const s = JSON.stringify(u);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof u;
  }
};

/**
 * Turns io-ts validation errors into path/expected issues. When a union's members disagree,
 * an issue deeper inside the value wins over a shallower one at its prefix, and alternatives at
 * the same path are merged (`PlainDate | PartialHoliday`).
 */
export const reportErrors = (errors: t.Errors): DecodeIssue[] => {
  const raw: { path: string; expected: string; reason: string; value: unknown }[] = [];
  for (const error of errors) {
    const keys: string[] = [];
    error.context.forEach((entry, i) => {
      const parent = error.context[i - 1];
      if (i === 0 || entry.key === '' || (parent !== undefined && isCombinator(parent.type))) return;
      keys.push(entry.key);
    });
    const last = error.context[error.context.length - 1];
    const expected = last?.type.name ?? 'unknown';
    raw.push({ path: keys.join('.'), expected, reason: error.message ?? expected, value: error.value });
  }
  const deepest = raw.filter((r) => !raw.some((o) => o.path.startsWith(r.path === '' ? '' : `${r.path}.`) && o.path.length > r.path.length));
  const byPath = new Map<string, { expected: string[]; reasons: string[]; value: unknown }>();
  for (const r of deepest) {
    const entry = byPath.get(r.path) ?? { expected: [], reasons: [], value: r.value };
    if (!entry.expected.includes(r.expected)) {
      entry.expected.push(r.expected);
      entry.reasons.push(r.reason);
    }
    byPath.set(r.path, entry);
  }
  return [...byPath].map(([path, { expected, reasons, value }]) => ({
    path,
    expected: expected.join(' | '),
    message: `${path === '' ? 'value' : path}: expected ${reasons.join(' or ')}, got ${describe(value)}`,
  }));
};

export const decodeFailure = (issues: readonly DecodeIssue[]): DecodeFailure => ({
  _tag: 'DecodeFailure',
  issues,
  message: issues.map((i) => i.message).join('; '),
});

/** Decodes with a codec and reports failures as a {@link DecodeFailure}. */
export const decodeWith =
  <A>(codec: t.Decoder<unknown, A>) =>
  (u: unknown): E.Either<DecodeFailure, A> =>
    E.mapLeft((errors: t.Errors) => decodeFailure(reportErrors(errors)))(codec.decode(u));
