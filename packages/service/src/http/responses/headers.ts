import type { HeaderObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Response headers of the service, as OpenAPI header objects keyed by name. */

/** Every answer: the request id (the caller's `X-Request-Id` when it is 1–100 of `[A-Za-z0-9_.:-]`, else a new UUID). */
export const REQUEST_ID: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description: 'The id the service logged this request under: the `X-Request-Id` the caller sent (1–100 of `A-Z a-z 0-9 _ . : -`), or a new UUID',
    schema: { type: 'string', pattern: '^[\\w.:-]{1,100}$' },
  },
};

/** A command's answer replayed from the idempotency store. */
export const IDEMPOTENT_REPLAYED: Record<string, HeaderObject> = {
  'Idempotent-Replayed': {
    description: 'Present (`true`) when this is the remembered answer to an earlier request with the same `Idempotency-Key`, route and body: the command did not run again',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** How far the read models had caught up when a read-model query was answered. */
export const READ_MODEL_POSITION: Record<string, HeaderObject> = {
  'X-Read-Model-Position': {
    description: 'The global position (`commit/prepare`) the read models had folded when the report was computed; absent before the first event',
    schema: { type: 'string', pattern: '^\\d+/\\d+$' },
    example: '42/42',
  },
};

/** 401 answers name the scheme. */
export const WWW_AUTHENTICATE: Record<string, HeaderObject> = {
  'WWW-Authenticate': { description: 'Always `Bearer`', schema: { type: 'string', enum: ['Bearer'] } },
};

/** The compliance report is computed per request and never cached. */
export const NO_STORE: Record<string, HeaderObject> = {
  'Cache-Control': { description: 'Always `no-store`', schema: { type: 'string', enum: ['no-store'] } },
};
