import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { CommandContext } from '../application/command-executor';
import type { Caller } from '../application/ticket.application';
import { InvalidTokenError } from '../auth/token.service';

/** The request as the authentication guard leaves it: `user` holds the verified token's claims. */
export type AuthenticatedRequest = Request & { user?: Caller; id?: unknown };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The caller and the tracing context of a command request. */
export interface RequestScope {
  readonly caller: Caller;
  readonly context: CommandContext;
}

const headerOf = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

export const scopeOf = (req: AuthenticatedRequest): RequestScope => {
  const caller = req.user;
  if (caller === undefined) throw new InvalidTokenError('no authenticated user on this request');
  const requestId = typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : randomUUID();
  const key = headerOf(req, 'idempotency-key');
  const correlation = headerOf(req, 'x-correlation-id');
  return {
    caller,
    context: {
      actorId: caller.id,
      actorRole: caller.role,
      correlationId: correlation !== undefined && IDEMPOTENCY_KEY.test(correlation) ? correlation : requestId,
      causationId: requestId,
      // Keys are the client's own namespace: two callers who pick the same key must not be
      // taken for retries of each other's requests (event ids derive from it).
      ...(key !== undefined && IDEMPOTENCY_KEY.test(key) ? { idempotencyKey: `${caller.org}/${caller.id}/${key}` } : {}),
    },
  };
};

/** `@Scope()`: the authenticated caller and command context of this request. */
export const Scope = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestScope =>
  scopeOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()),
);

