import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { classifyError } from './http-errors';

/**
 * JSON bodies only, at most `limit` bytes. body-parser compares `Content-Length` with the limit
 * before reading anything, so an oversized request gets 413 without being buffered (a chunked
 * one is cut off as soon as it crosses the limit). Its errors never reach Nest's exception
 * filters, so an error handler placed right after it answers them in the same JSON shape.
 */
export function useJsonBodies(app: NestExpressApplication, limit: number): void {
  app.useBodyParser('json', { limit, type: ['application/json', 'application/*+json'] });
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const { status, body, unexpected } = classifyError(error);
    if (unexpected || res.headersSent) {
      next(error);
      return;
    }
    res.status(status).json(body);
  });
}
