import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { assertJsonDepth } from '../http/json-depth';
import { classifyError } from './http-errors';

/** The one media type request bodies are read as. */
export const JSON_MEDIA_TYPE = 'application/json';

/** `application/json` or `application/<anything>+json`, parameters (`; charset=utf-8`) aside. */
export const isJsonMediaType = (contentType: string): boolean => {
  const type = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return type === JSON_MEDIA_TYPE || /^application\/[^/\s]+\+json$/.test(type);
};

/** The request body is not JSON (HTTP 415), so it would have been ignored. */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly status = 415;
}

/** Whether the request carries a body: chunked, or a `Content-Length` above zero. */
const hasBody = (req: Request): boolean => {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
};

const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A body that is not declared as JSON is refused with 415, before anything reads it. The JSON
 * parser skips any other content type, so before this a `text/plain` resolution was answered
 * 200 and stored without its text. A request with no body at all (the optional-body commands:
 * acknowledgement, resolution, closure ...) passes, whatever its headers say.
 */
export function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  const given = req.headers['content-type'];
  if (BODYLESS_METHODS.has(req.method) || !hasBody(req) || (given !== undefined && isJsonMediaType(given))) return next();
  const got = given === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(given.slice(0, 100))}`;
  next(new UnsupportedMediaTypeError(`request bodies must be JSON: send Content-Type: ${JSON_MEDIA_TYPE} (got ${got})`));
}

/**
 * Refuses (400, naming the field) a parsed body nested deeper than `MAX_JSON_DEPTH`, before any
 * handler, guard or fingerprint walks it recursively. The check itself is iterative.
 */
export function limitJsonDepth(req: Request, _res: Response, next: NextFunction): void {
  try {
    assertJsonDepth(req.body);
    next();
  } catch (error) {
    next(error);
  }
}

/**
 * JSON bodies only, at most `limit` bytes, nested at most `MAX_JSON_DEPTH` deep. A body of any
 * other content type is refused with 415 before it is read. body-parser compares
 * `Content-Length` with the limit before reading anything, so an oversized request gets 413
 * without being buffered (a chunked one is cut off as soon as it crosses the limit). These
 * errors never reach Nest's exception filters, so an error handler placed right after the
 * middleware answers them in the same JSON shape.
 */
export function useJsonBodies(app: NestExpressApplication, limit: number): void {
  app.use(requireJsonBodies);
  app.useBodyParser('json', { limit, type: ['application/json', 'application/*+json'] });
  app.use(limitJsonDepth);
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    const { status, body, unexpected } = classifyError(error);
    if (unexpected || res.headersSent) {
      next(error);
      return;
    }
    res.status(status).json(body);
  });
}
