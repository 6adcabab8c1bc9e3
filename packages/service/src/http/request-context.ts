import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { CommandContext } from '../application/command-executor';
import { InvalidTokenError, type AuthenticatedUser } from '../auth/token.service';
import { IDEMPOTENCY_KEY_PATTERN, keyedCommandContext } from '../idempotency/idempotency';

/** The request as the authentication guard leaves it: `user` holds the verified token's claims. */
export type AuthenticatedRequest = Request & { user?: AuthenticatedUser; id?: unknown };

/** The caller and the tracing context of a command request. */
export interface RequestScope {
  readonly caller: AuthenticatedUser;
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
  const correlation = headerOf(req, 'x-correlation-id');
  return {
    caller,
    context: {
      actorId: caller.id,
      actorRole: caller.role,
      correlationId: correlation !== undefined && IDEMPOTENCY_KEY_PATTERN.test(correlation) ? correlation : requestId,
      causationId: requestId,
      // The scoped key, the request's fingerprint and the replay hook (see keyedCommandContext).
      ...keyedCommandContext(req, caller),
    },
  };
};

/** `@Scope()`: the authenticated caller and command context of this request. */
export const Scope = createParamDecorator((_data: unknown, ctx: ExecutionContext): RequestScope =>
  scopeOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()),
);

