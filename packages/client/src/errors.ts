import type { components } from './generated/openapi';

/** The service's error answer: `error` is stable for programs, `message` is for humans, `issues` name each invalid field. */
export type ErrorBody = components['schemas']['ErrorBody'];

/** What {@link SupportSlaError} is made from. */
export interface SupportSlaErrorDetails {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: ErrorBody;
  /** The `X-Request-Id` the service logged the call under. */
  readonly requestId?: string | undefined;
  /** The key a command was sent with: send it again to retry safely. */
  readonly idempotencyKey?: string | undefined;
}

/**
 * A non-2xx answer. `status` is the HTTP status, `error` the service's stable code (`validation`,
 * `forbidden`, `TICKET_NOT_FOUND`, …), `issues` the invalid fields of a `validation` error.
 */
export class SupportSlaError extends Error implements SupportSlaErrorDetails {
  override readonly name = 'SupportSlaError';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: ErrorBody;
  readonly requestId: string | undefined;
  readonly idempotencyKey: string | undefined;

  constructor(details: SupportSlaErrorDetails) {
    super(`${details.method} ${details.path}: ${details.status} ${details.body.error}${details.body.message !== undefined ? `: ${details.body.message}` : ''}`);
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.body = details.body;
    this.requestId = details.requestId;
    this.idempotencyKey = details.idempotencyKey;
  }

  /** The service's stable error code. */
  get error(): string {
    return this.body.error;
  }

  /** One entry per invalid field (with `validation`), else empty. */
  get issues(): NonNullable<ErrorBody['issues']> {
    return this.body.issues ?? [];
  }
}

/** `true` for a {@link SupportSlaError}, optionally with one of the given error codes. */
export function isSupportSlaError(value: unknown, ...codes: readonly string[]): value is SupportSlaError {
  return value instanceof SupportSlaError && (codes.length === 0 || codes.includes(value.error));
}

const isIssue = (value: unknown): value is { field: string; message: string } =>
  typeof value === 'object' && value !== null && 'field' in value && typeof value.field === 'string' && 'message' in value && typeof value.message === 'string';

/**
 * The service always answers errors with an {@link ErrorBody}; anything else (a proxy's HTML page,
 * an empty body) becomes `{ error: 'http_<status>', message: <the text> }`.
 */
export function toErrorBody(status: number, parsed: unknown): ErrorBody {
  if (typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'string') {
    const message = 'message' in parsed && typeof parsed.message === 'string' ? parsed.message : undefined;
    const issues = 'issues' in parsed && Array.isArray(parsed.issues) ? parsed.issues.filter(isIssue) : undefined;
    return { error: parsed.error, ...(message !== undefined ? { message } : {}), ...(issues !== undefined ? { issues } : {}) };
  }
  const text = typeof parsed === 'string' ? parsed.trim() : '';
  return { error: `http_${status}`, ...(text !== '' ? { message: text.slice(0, 500) } : {}) };
}
