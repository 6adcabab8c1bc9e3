import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { of, tap, type Observable } from 'rxjs';
import { requestFingerprint, type IdempotencyStore } from './idempotency.store';

/** DI token of the service's {@link IdempotencyStore}. */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

/** The key was already used by this user for a different request (HTTP 422). */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  readonly code = 'idempotency_key_reused';
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used for a different request; use a new key for a new request`);
  }
}

/** Keys the service accepts: 1–200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * For POST requests that carry an `Idempotency-Key`: replays the remembered answer of an
 * identical earlier request (same user, key, method, path and body) without running the
 * handler, refuses a reused key with a different request (422), and remembers successful (2xx)
 * answers. Failures are not remembered: nothing was appended, so a retry simply runs again.
 * Two identical requests in flight at once both run; the command path derives event ids from
 * the key, so only one of them appends.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: { id?: string } }>();
    const res = http.getResponse<Response>();
    const key = req.header('idempotency-key');
    const userId = req.user?.id;
    if (req.method !== 'POST' || key === undefined || !IDEMPOTENCY_KEY_PATTERN.test(key) || userId === undefined) return next.handle();

    const fingerprint = requestFingerprint(req.method, req.originalUrl.split('?')[0] ?? req.originalUrl, req.body);
    const seen = this.store.lookup(userId, key, fingerprint);
    if (seen.kind === 'mismatch') throw new IdempotencyKeyReusedError(key);
    if (seen.kind === 'replay') {
      res.status(seen.status);
      res.setHeader('Idempotent-Replayed', 'true');
      return of(seen.body);
    }
    return next.handle().pipe(
      tap((body: unknown) => {
        const status = res.statusCode;
        if (status >= 200 && status < 300) this.store.remember(userId, key, fingerprint, { status, body });
      }),
    );
  }
}
