import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Response } from 'express';
import type { RequestWithUser } from '../auth/auth.guard';
import { Idempotency } from '../idempotency/idempotency';
import { MetricsService } from './metrics.service';

const outcomeOf = (status: number): string =>
  status < 400 ? 'ok' : status === 409 ? 'conflict' : status === 503 ? 'unavailable' : status >= 500 ? 'error' : 'rejected';

/**
 * What every command (a POST handled by a controller) goes through once its caller is
 * authenticated (`AuthGuard` is registered before it, and global guards run in that order):
 *
 * - it is counted by type — the handler's name, such as `open` — and outcome, read from the
 *   status of its response when that has been sent (the exception filter gives every error its
 *   status); a command whose response is never sent (the client went away first) is not counted;
 * - {@link Idempotency}: a keyed request seen before is answered from the store (through the
 *   exception filter) without running, a reused key is refused, a new answer is remembered.
 *
 * Not an authorization guard: it lets every request through, or answers it. A replay is answered
 * here, so a guard added later on a controller or route (which runs after the global ones)
 * would not be asked for it. It is a guard because NestJS runs guards as plain calls, while
 * around an interceptor it builds a chain of observables on every request, which cost 6–7 % of
 * the main thread's time per open at 480 opens/s, even for an interceptor that did nothing but
 * pass the request on.
 */
@Injectable()
export class CommandGuard implements CanActivate {
  private readonly logger = new Logger('idempotency');

  constructor(
    private readonly metrics: MetricsService,
    private readonly idempotency: Idempotency,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<RequestWithUser>();
    if (req.method !== 'POST') return true;
    const type = context.getHandler().name || 'unknown';
    const res = http.getResponse<Response>();
    res.once('finish', () => this.metrics.commands.inc({ type, outcome: outcomeOf(res.statusCode) }));
    this.idempotency.check(req, res, (error) => this.logger.error({ err: error }, 'could not remember the answer to a keyed request'));
    return true;
  }
}
