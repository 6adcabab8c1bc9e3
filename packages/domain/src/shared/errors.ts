/**
 * Business-rule failures. `code` is stable (callers map it to HTTP statuses or UI texts);
 * `message` is for humans and may change.
 */
export const DOMAIN_ERROR_CODES = [
  'TICKET_NOT_FOUND',
  'TICKET_ALREADY_EXISTS',
  'TICKET_ALREADY_CLOSED',
  'TICKET_NOT_CLOSED',
  'CHANNEL_NOT_ENTITLED',
  'INSUFFICIENT_INFORMATION',
  'NOT_PERMITTED',
  'NOT_CLASSIFIED',
  'MISSING_RECLASSIFICATION_REASON',
  'MISSING_ACTION_PLAN',
  'MISSING_REQUEST_DEFINITION',
  'NOT_RESOLVED',
  'MISSING_RESOLUTION_DETAILS',
  'RECEIVED_IN_FUTURE',
  'TIME_BEFORE_LAST_EVENT',
  'OCCURRED_IN_FUTURE',
  'OCCURRED_BEFORE_PREVIOUS_EVENT',
  'INVALID_INSTANT',
  'LINKED_TO_ANOTHER_OUTAGE',
  'OUTAGE_NOT_FOUND',
  'OUTAGE_NOT_ENDED',
  'OUTAGE_ALREADY_CLOSED',
  'OUTAGE_IN_PROGRESS',
  'NOT_DECLARED_BY_STAFF',
  'INCOMPLETE_DEBRIEF',
  'MISSING_DEBRIEF',
  'POLICY_VERSION_CONFLICT',
  'INVALID_POLICY',
  'SLA_ALERT_NOT_RAISED',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** Tagged union of domain errors, discriminated by `code`. */
export type DomainError = {
  [C in DomainErrorCode]: { readonly _tag: 'DomainError'; readonly code: C; readonly message: string };
}[DomainErrorCode];

export const domainError = <C extends DomainErrorCode>(code: C, message: string): Extract<DomainError, { code: C }> =>
  ({ _tag: 'DomainError', code, message }) as Extract<DomainError, { code: C }>;

export const isDomainError = (u: unknown): u is DomainError =>
  typeof u === 'object' &&
  u !== null &&
  (u as { _tag?: unknown })._tag === 'DomainError' &&
  (DOMAIN_ERROR_CODES as readonly unknown[]).includes((u as { code?: unknown }).code);
