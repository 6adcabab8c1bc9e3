import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { IdempotentReplay } from '../idempotency/idempotency';
import { classifyError } from './http-errors';

/**
 * Every error leaves as JSON through {@link classifyError}; unexpected ones are logged with their
 * stack. An {@link IdempotentReplay} is not an error: it is the remembered answer, sent as it was.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof IdempotentReplay) {
      if (response.headersSent) return;
      response.status(exception.status).setHeader('Idempotent-Replayed', 'true').json(exception.body);
      return;
    }
    const { status, body, unexpected } = classifyError(exception);
    if (unexpected) this.logger.error({ err: exception }, exception instanceof Error ? exception.message : 'unexpected error');
    if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer');
    if (response.headersSent) return;
    response.status(status).json(body);
  }
}
