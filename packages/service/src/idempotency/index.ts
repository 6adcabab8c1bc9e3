export { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_STORE, Idempotency, IdempotencyKeyReusedError, IdempotentReplay } from './idempotency';
export { InMemoryIdempotencyStore, requestFingerprint, SqliteIdempotencyStore, type IdempotencyLookup, type IdempotencyStore, type RememberedResponse } from './idempotency.store';
