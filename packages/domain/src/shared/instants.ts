import * as E from 'fp-ts/Either';
import { domainError, type DomainError } from './errors';
import { isIsoInstant, toMillis } from './primitives';

/**
 * Every instant a command carries must name one instant: a caller that skipped the codecs could
 * pass a local time without an offset, which `Date.parse` would read in the machine's time zone.
 * Checks `now` and the named data fields; `INVALID_INSTANT` names the first bad one.
 */
export const invalidInstant = (command: { readonly now: unknown; readonly data: object }, fields: readonly string[]): DomainError | null => {
  const bad = (value: unknown): boolean => typeof value !== 'string' || !isIsoInstant(value);
  if (bad(command.now)) return domainError('INVALID_INSTANT', `now: ${JSON.stringify(command.now)} is not an ISO-8601 instant with an offset or Z.`);
  const data = command.data as Readonly<Record<string, unknown>>;
  for (const field of fields) {
    const value = data[field];
    if (value !== undefined && bad(value)) {
      return domainError('INVALID_INSTANT', `data.${field}: ${JSON.stringify(value)} is not an ISO-8601 instant with an offset or Z.`);
    }
  }
  return null;
};

/**
 * When a late entry happened: `occurredAt` when given (not after `now`: `OCCURRED_IN_FUTURE`; not
 * before `notBeforeMs`, described by `notBefore`: `OCCURRED_BEFORE_PREVIOUS_EVENT`), else `now`.
 */
export const lateEntryInstant = (now: string, occurredAt: string | undefined, notBeforeMs: number, notBefore: string): E.Either<DomainError, string> => {
  if (occurredAt === undefined) return E.right(now);
  const ms = toMillis(occurredAt);
  if (ms > toMillis(now)) return E.left(domainError('OCCURRED_IN_FUTURE', `occurredAt (${occurredAt}) is after the time it is recorded (${now}).`));
  if (ms < notBeforeMs) return E.left(domainError('OCCURRED_BEFORE_PREVIOUS_EVENT', `occurredAt (${occurredAt}) is before ${notBefore}.`));
  return E.right(occurredAt);
};
