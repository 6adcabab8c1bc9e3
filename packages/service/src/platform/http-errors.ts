import { HttpException } from '@nestjs/common';
import { AppendTooLargeError, EventStoreUnavailableError, StreamDeletedError, WrongExpectedRevisionError } from '../event-store/event-store.port';
import type { FieldIssue } from '../http/validation';

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: string;
  readonly message?: string;
  readonly issues?: readonly FieldIssue[];
}

export interface ClassifiedError {
  readonly status: number;
  readonly body: ErrorBody;
  /** Unexpected: log it with its stack. */
  readonly unexpected: boolean;
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

const issuesOf = (e: Record<string, unknown>): FieldIssue[] =>
  Array.isArray(e.issues)
    ? e.issues.filter((i): i is FieldIssue => isRecord(i) && typeof i.field === 'string' && typeof i.message === 'string').map((i) => ({ field: i.field, message: i.message }))
    : [];

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/**
 * Maps anything a request can throw to a status and a JSON body. Errors are recognised by
 * class for the platform's own and the port's, and by `name` (plus shape) for the application
 * layer's, so this file does not depend on the domain:
 *
 * | error | status | body |
 * | --- | --- | --- |
 * | `RequestValidationError`, `ImplausibleInstantError` (`issues`) | 400 | `{ error: 'validation', issues: [{ field, message }] }` |
 * | body parser: malformed JSON / too large / bad encoding | 400 / 413 / 415 | `{ error: 'malformed_json' \| 'payload_too_large' \| ... }` |
 * | `UnsupportedMediaTypeError` (a body that is not JSON) | 415 | `{ error: 'unsupported_media_type', message }` |
 * | `InvalidTokenError` | 401 | `{ error: 'unauthorized', message }` |
 * | `ForbiddenError` | 403 | `{ error: 'forbidden', message }` |
 * | `TicketNotFoundError`, `*NotFoundError` | 404 | `{ error: 'not_found', message }` |
 * | `WrongExpectedRevisionError`, `ConcurrencyConflictError` | 409 | `{ error: 'conflict', message }` |
 * | `StreamDeletedError` (the stream was tombstoned in the event store) | 410 | `{ error: 'stream_deleted', message }` naming the stream |
 * | `AppendTooLargeError` (the events exceed the store's maximum append size) | 413 | `{ error: 'append_too_large', message }` naming the limit |
 * | `DomainRuleViolation` (`error.code`), `IdempotencyKeyReusedError` | 422 | `{ error: code, message }` |
 * | `UnstorableEventError` (an event that would not decode again) | 422 | `{ error: 'unstorable_event', message, issues }` |
 * | `EventStoreUnavailableError`, `ProjectionTimeoutError`, `ProjectionFailedError`, `RedecideBudgetExceededError` | 503 | `{ error: 'unavailable' \| 'read_model_lagging', message }` |
 * | `UndecodableStoredEventError` (a stored event the codecs refuse) | 503 | `{ error: 'undecodable_event', message }` naming stream, revision and field |
 * | Nest `HttpException` | its status | `{ error, message }` |
 * | anything else | 500 | `{ error: 'internal' }` (logged, never echoed) |
 */
export function classifyError(error: unknown): ClassifiedError {
  const expected = (status: number, body: ErrorBody): ClassifiedError => ({ status, body, unexpected: false });
  if (error instanceof WrongExpectedRevisionError) return expected(409, { error: 'conflict', message: `${error.message}; retry the request` });
  if (error instanceof StreamDeletedError) return expected(410, { error: 'stream_deleted', message: error.message });
  if (error instanceof AppendTooLargeError) {
    const limit = error.maxAppendBytes === undefined ? "the event store's maximum append size" : `the event store's maximum append size of ${error.maxAppendBytes} bytes`;
    return expected(413, { error: 'append_too_large', message: `the events this request would store exceed ${limit}; nothing was stored` });
  }
  if (error instanceof EventStoreUnavailableError) return expected(503, { error: 'unavailable', message: 'the event store is unavailable; retry later' });
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = isRecord(response) && typeof response.message === 'string' ? response.message : error.message;
    return { status, body: { error: STATUS_CODES[status] ?? (status >= 500 ? 'internal' : 'bad_request'), message }, unexpected: status >= 500 };
  }
  if (isRecord(error)) {
    const name = typeof error.name === 'string' ? error.name : '';
    const message = typeof error.message === 'string' ? error.message : undefined;
    // Errors raised by body-parser carry a `type` and an HTTP status.
    if (typeof error.type === 'string' && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      if (error.type === 'entity.parse.failed') return expected(400, { error: 'malformed_json', message: 'the request body is not valid JSON' });
      if (error.type === 'entity.too.large') return expected(413, { error: 'payload_too_large', message: `the request body exceeds ${String(error.limit)} bytes` });
      return expected(error.status, { error: STATUS_CODES[error.status] ?? 'bad_request', message: message ?? error.type });
    }
    switch (name) {
      case 'RequestValidationError':
      case 'ImplausibleInstantError':
        return expected(400, { error: 'validation', issues: issuesOf(error) });
      case 'UnsupportedMediaTypeError':
        return expected(415, { error: 'unsupported_media_type', message: message ?? 'request bodies must be JSON' });
      case 'UnstorableEventError':
        return expected(422, { error: 'unstorable_event', message: message ?? '', issues: issuesOf(error) });
      case 'UndecodableStoredEventError':
        // The stored event's values are not echoed: the message names stream, revision and field.
        return expected(503, { error: 'undecodable_event', message: message ?? 'a stored event does not decode' });
      case 'InvalidTokenError':
        return expected(401, { error: 'unauthorized', message: message ?? 'invalid token' });
      case 'ForbiddenError':
        return expected(403, { error: 'forbidden', message: message ?? 'forbidden' });
      case 'ConcurrencyConflictError':
        return expected(409, { error: 'conflict', message: message ?? 'conflict' });
      case 'DomainRuleViolation': {
        const inner = isRecord(error.error) ? error.error : {};
        return expected(422, { error: typeof inner.code === 'string' ? inner.code : 'domain_rule', message: typeof inner.message === 'string' ? inner.message : (message ?? '') });
      }
      case 'IdempotencyKeyReusedError':
        return expected(422, { error: 'idempotency_key_reused', message: message ?? '' });
      case 'ProjectionTimeoutError':
        return expected(503, { error: 'read_model_lagging', message: message ?? '' });
      case 'RedecideBudgetExceededError':
        return expected(503, { error: 'unavailable', message: message ?? '' });
      case 'ProjectionFailedError':
        // The failure was logged when the projection stopped, and /health reports it. Its reason
        // is given only when it is a stored event that does not decode (stream, revision, field);
        // anything else stays in the log.
        if (typeof error.reason === 'string') return expected(503, { error: 'unavailable', message: error.reason });
        return { status: 503, body: { error: 'unavailable', message: 'a read model is not available' }, unexpected: true };
      default:
        if (name.endsWith('NotFoundError')) return expected(404, { error: 'not_found', message: message ?? 'not found' });
    }
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' }, unexpected: true };
}
