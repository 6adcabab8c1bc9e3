import { Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { RequestWithUser } from '../auth/auth.guard';
import { RequestValidationError } from '../http/validation';
import { IdempotencyKeyReusedError } from './idempotency-key-reused.error';
import { requestFingerprint, scopedIdempotencyKey, type IdempotencyScope, type IdempotencyStore } from './idempotency.store';

/** DI token of the service's {@link IdempotencyStore}. */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

export { IdempotencyKeyReusedError };

/**
 * Not an error: the remembered answer to a keyed request seen before. Thrown by
 * {@link Idempotency.check} so that the handler does not run; the service's exception filter
 * sends it as it was, with `Idempotent-Replayed: true`.
 */
export class IdempotentReplay extends Error {
  override readonly name = 'IdempotentReplay';
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('answered from the idempotency store');
  }
}

/** Keys the service accepts: 1–200 visible ASCII characters (`!` to `~`: no spaces, no control or non-ASCII characters). */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/**
 * The request's `Idempotency-Key`, or undefined without one. A key the service cannot use is a
 * 400 naming the header: ignoring it would run a retried request twice.
 */
export const idempotencyKeyOf = (req: { header(name: string): string | undefined }): string | undefined => {
  const key = req.header('idempotency-key');
  if (key === undefined || IDEMPOTENCY_KEY_PATTERN.test(key)) return key;
  const problem = key.length === 0 ? 'is empty' : key.length > 200 ? `is ${key.length} characters long` : 'has a character outside that set (a space, a control or a non-ASCII character, or two headers joined by a comma and space)';
  throw new RequestValidationError('header', [{ field: 'Idempotency-Key', message: `must be 1–200 visible ASCII characters (! to ~); this one ${problem}` }]);
};

/** The path a keyed request was sent to, without its query: part of what scopes its key. */
export const routeOf = (req: { method: string; originalUrl: string }): string => `${req.method.toUpperCase()} ${req.originalUrl.split('?')[0] ?? req.originalUrl}`;

/** Fingerprints already computed for a request (the cache and the command context both need it). */
const fingerprints = new WeakMap<object, string>();

/** {@link requestFingerprint} of this request: method, path without query, canonical body. */
export const fingerprintOf = (req: { method: string; originalUrl: string; body?: unknown }): string => {
  let fingerprint = fingerprints.get(req);
  if (fingerprint === undefined) {
    fingerprint = requestFingerprint(req.method, req.originalUrl.split('?')[0] ?? req.originalUrl, req.body);
    fingerprints.set(req, fingerprint);
  }
  return fingerprint;
};

/** What a keyed command carries into the executor (see `CommandContext`). */
export interface KeyedCommandContext {
  readonly idempotencyKey?: string;
  readonly idempotencyFingerprint?: string;
  readonly onReplayed?: () => void;
}

/**
 * The idempotency part of a POST's command context: the key scoped to the caller and route
 * (event ids derive from it), the request's fingerprint (stored with the events, so any replica
 * can tell a retry from a reused key), and a hook that marks a replay answered from the log with
 * `Idempotent-Replayed: true`, as a cached one is. Empty without a key.
 */
export const keyedCommandContext = (
  req: { method: string; originalUrl: string; body?: unknown; header(name: string): string | undefined; res?: Pick<Response, 'headersSent' | 'setHeader'> },
  caller: { readonly org: string; readonly id: string },
): KeyedCommandContext => {
  const key = req.method === 'POST' ? idempotencyKeyOf(req) : undefined;
  if (key === undefined) return {};
  const res = req.res;
  return {
    // Keys are the client's own namespace, per route: two callers who pick the same key, or one
    // caller who uses it on two routes, must not be taken for retries of each other's requests
    // (event ids derive from it). Scoped exactly as the idempotency store scopes its answers.
    idempotencyKey: scopedIdempotencyKey({ org: caller.org, userId: caller.id, route: routeOf(req) }, key),
    idempotencyFingerprint: fingerprintOf(req),
    onReplayed: () => {
      if (res !== undefined && !res.headersSent) res.setHeader('Idempotent-Replayed', 'true');
    },
  };
};

/**
 * For POST requests that carry an `Idempotency-Key`: replays the remembered answer of an
 * identical earlier request (same organization, user, route, key and body) without running the
 * handler, refuses a reused key with a different body (422), and remembers successful (2xx)
 * answers for the store's time-to-live. A key outside {@link IDEMPOTENCY_KEY_PATTERN} is a 400.
 * Failures are not remembered: nothing was appended, so a retry simply runs again.
 *
 * The table behind it is a per-replica CACHE, not the record: the log is. A keyed command's
 * events carry its scoped key (their ids derive from it) and the request's fingerprint, so a
 * replica whose cache does not know the key (another replica answered first, or the row expired
 * or was lost) runs the command, and the executor finds the events: it answers exactly as the
 * first time (the state, revision and position right after those events, `Idempotent-Replayed:
 * true`), or 422 `idempotency_key_reused` when the stored fingerprint differs. Two identical
 * requests in flight at once both run; only one of them appends, and both answer the same.
 * What the log cannot replay: a keyed command that appended nothing (a no-op, or a refusal) runs
 * again and answers on the state as it then is.
 *
 * Called once the caller is authenticated (see `CommandGuard`), before the body is validated.
 * An answer is remembered when it is handed to the response (`json()`, through which NestJS
 * sends every object a handler returns, or `send()`), before it is sent.
 */
@Injectable()
export class Idempotency {
  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  /** Throws {@link IdempotentReplay} or {@link IdempotencyKeyReusedError}, or lets the request run (and remembers its answer). */
  check(req: RequestWithUser, res: Response, onRememberFailed: (error: unknown) => void): void {
    if (req.method !== 'POST') return;
    const key = idempotencyKeyOf(req);
    const user = req.user;
    if (key === undefined || user === undefined) return;

    const scope: IdempotencyScope = { org: user.org, userId: user.id, route: routeOf(req) };
    const fingerprint = fingerprintOf(req);
    const seen = this.store.lookup(scope, key, fingerprint);
    if (seen.kind === 'mismatch') throw new IdempotencyKeyReusedError(key);
    if (seen.kind === 'replay') throw new IdempotentReplay(seen.status, seen.body);
    // Remembered as it is handed to the response, before it is sent: a client that gets no
    // answer (cut off, timed out) and retries is answered from the store.
    let answered = false;
    const remember = (body: unknown): void => {
      answered = true;
      const status = res.statusCode;
      if (status < 200 || status >= 300) return;
      try {
        this.store.remember(scope, key, fingerprint, { status, body });
      } catch (error) {
        // The answer still goes out; a retry runs the command again, which appends nothing twice.
        onRememberFailed(error);
      }
    };
    const json = res.json.bind(res);
    const send = res.send.bind(res);
    res.json = (body?: unknown) => {
      if (!answered) remember(body);
      return json(body);
    };
    // A handler that returns nothing (or a string) is answered through send(); json() calls it too.
    res.send = (body?: unknown) => {
      if (!answered) remember(body);
      return send(body);
    };
  }
}
