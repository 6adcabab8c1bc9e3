export { IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_STORE, IdempotencyInterceptor, IdempotencyKeyReusedError } from './idempotency.interceptor';
export { InMemoryIdempotencyStore, requestFingerprint, SqliteIdempotencyStore, type IdempotencyLookup, type IdempotencyStore, type RememberedResponse } from './idempotency.store';
