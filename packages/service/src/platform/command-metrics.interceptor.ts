import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { classifyError } from './http-errors';
import { MetricsService } from './metrics.service';

const outcomeOf = (status: number): string =>
  status < 400 ? 'ok' : status === 409 ? 'conflict' : status === 503 ? 'unavailable' : status >= 500 ? 'error' : 'rejected';

/**
 * Counts every command (a POST handled by a controller) by type — the handler's name, such as
 * `openTicket` — and outcome.
 */
@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: MetricsService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || context.switchToHttp().getRequest<Request>().method !== 'POST') return next.handle();
    const type = context.getHandler().name || 'unknown';
    return next.handle().pipe(
      tap(() => this.metrics.commands.inc({ type, outcome: 'ok' })),
      catchError((error: unknown) => {
        this.metrics.commands.inc({ type, outcome: outcomeOf(classifyError(error).status) });
        return throwError(() => error);
      }),
    );
  }
}
