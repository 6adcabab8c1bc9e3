import * as t from 'io-ts';
import { MAX_YEAR, MIN_YEAR } from '@support-sla/sla-calendar';

/**
 * Boundary codecs for the scalar values every event and command uses. They validate at the
 * edge but keep plain `string`/`number` static types, so code and tests inside the domain do
 * not need to cast or brand literals.
 */

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Instants are accepted within the years the business-hours calendar can compute in, with a
 * year's margin on each side for deadlines that run past the end of a year. Outside them no
 * SLA clock could be evaluated, and a stored event there would stop every read model.
 */
export const FIRST_YEAR = MIN_YEAR + 1;
export const LAST_YEAR = MAX_YEAR - 1;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;

/** The number written by `count` ASCII digits of `s` from `from` (the shape is checked first). */
const digitsAt = (s: string, from: number, count: number): number => {
  let n = 0;
  for (let i = from; i < from + count; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};

/**
 * True when `s` is an ISO-8601 date-time with an explicit offset or `Z` that names a real
 * instant. The fields are checked, not just the shape: `Date.parse` would roll 30 February
 * over into March instead of refusing it. Every stored event's instants pass through here when
 * it is read, so the fields are read in place rather than cut out.
 */
export const isIsoInstant = (s: string): boolean => {
  if (!ISO_INSTANT.test(s) || Number.isNaN(Date.parse(s))) return false;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const end = s.length - 1;
  // `Z`, or `±hh:mm` at the end.
  if (s[end] !== 'Z' && (digitsAt(s, end - 4, 2) > 23 || digitsAt(s, end - 1, 2) > 59)) return false;
  return (
    year >= FIRST_YEAR &&
    year <= LAST_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digitsAt(s, 11, 2) <= 23 &&
    digitsAt(s, 14, 2) <= 59 &&
    (s[16] !== ':' || digitsAt(s, 17, 2) <= 59)
  );
};

/**
 * An ISO-8601 instant such as `2026-03-09T13:05:00Z` or `2026-03-09T09:05:00-04:00`.
 * Local date-times without an offset are rejected: they do not name a single instant.
 */
export const IsoInstant = new t.Type<string, string, unknown>(
  'IsoInstant',
  (u): u is string => typeof u === 'string' && isIsoInstant(u),
  (u, c) => (typeof u === 'string' && isIsoInstant(u) ? t.success(u) : t.failure(u, c, `an ISO-8601 instant with an offset or Z, in the years ${FIRST_YEAR}–${LAST_YEAR}`)),
  t.identity,
);

/** Epoch milliseconds of an instant already validated by {@link IsoInstant}. */
export const toMillis = (iso: string): number => Date.parse(iso);

// Rendering instants dominates SLA reports during replays, and the same few instants (receipt,
// deadlines) recur event after event, so a small bounded memo pays for itself.
const rendered = new Map<number, string>();

/** Canonical UTC rendering used whenever the domain itself produces an instant. */
export const fromMillis = (ms: number): string => {
  let iso = rendered.get(ms);
  if (iso === undefined) {
    iso = new Date(ms).toISOString();
    if (rendered.size >= 4096) rendered.clear();
    rendered.set(ms, iso);
  }
  return iso;
};

const nonBlank = (u: unknown): u is string => typeof u === 'string' && u.trim().length > 0;

/** A string with at least one non-whitespace character. */
export const NonEmptyString = new t.Type<string, string, unknown>(
  'NonEmptyString',
  nonBlank,
  (u, c) => (nonBlank(u) ? t.success(u) : t.failure(u, c, 'a non-empty string')),
  t.identity,
);

// Deliberately loose: one `@`, no spaces, a dot in the domain. Deliverability is not our job.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isEmail = (u: unknown): u is string => typeof u === 'string' && EMAIL.test(u);

/** An e-mail address (syntactic check only). */
export const Email = new t.Type<string, string, unknown>(
  'Email',
  isEmail,
  (u, c) => (isEmail(u) ? t.success(u) : t.failure(u, c, 'an e-mail address')),
  t.identity,
);

const isPositiveInt = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0;

/** A safe integer greater than zero. */
export const PositiveInt = new t.Type<number, number, unknown>(
  'PositiveInt',
  isPositiveInt,
  (u, c) => (isPositiveInt(u) ? t.success(u) : t.failure(u, c, 'a positive integer')),
  t.identity,
);

const isNonNegativeInt = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;

/** A safe integer greater than or equal to zero. */
export const NonNegativeInt = new t.Type<number, number, unknown>(
  'NonNegativeInt',
  isNonNegativeInt,
  (u, c) => (isNonNegativeInt(u) ? t.success(u) : t.failure(u, c, 'a non-negative integer')),
  t.identity,
);

/** A string-literal union codec built from a readonly tuple, keeping the tuple for reuse. */
export const literalUnion = <const L extends readonly [string, string, ...string[]]>(name: string, values: L) =>
  t.keyof(Object.fromEntries(values.map((v) => [v, null])) as { [K in L[number]]: null }, name);
