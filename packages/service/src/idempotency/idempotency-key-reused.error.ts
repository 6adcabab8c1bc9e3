/**
 * The key was already used by this caller on this route for a different body (HTTP 422
 * `idempotency_key_reused`). Raised by the idempotency cache when it remembers the first request,
 * and by the command executor when the first request's events carry another fingerprint (a
 * replica without the cached answer). Kept free of Nest and SQLite so the executor can raise it.
 */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = 'idempotency_key_reused';
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request; use a new key for a new request`);
  }
}
