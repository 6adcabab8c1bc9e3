import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { HeaderObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type * as t from 'io-ts';
import { refTo, type OpenApiSchema } from './io-ts-openapi';
import { ErrorBody } from './responses/error.responses';
import { IDEMPOTENT_REPLAYED, REQUEST_ID, WWW_AUTHENTICATE } from './responses/headers';

/**
 * The answers of the service's routes in the OpenAPI document: success answers with their
 * response codec, headers and an example; the error answers every authenticated route can give.
 */
const errorResponse = (status: number, description: string, examples: Record<string, unknown>, headers: Record<string, HeaderObject> = {}) =>
  ApiResponse({
    status,
    description,
    headers: { ...REQUEST_ID, ...headers },
    content: {
      'application/json': {
        schema: refTo(ErrorBody) as SchemaObject,
        examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }])),
      },
    },
  });

/** The error answers every authenticated route can give, documented once. */
export const ApiStandardErrors = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    errorResponse(
      400,
      'A body, path, query or header field is invalid (`issues` names each): also a body that is not valid JSON (`malformed_json`) or nested deeper than 32 levels, an `Idempotency-Key` outside 1–200 visible ASCII characters, a client instant outside the plausible window',
      {
        validation: { error: 'validation', issues: [{ field: 'request.summary', message: 'a non-empty string' }] },
        malformed_json: { error: 'malformed_json', message: 'the request body is not valid JSON' },
      },
    ),
    errorResponse(
      401,
      'Missing, malformed, badly signed, expired or over-long-lived bearer token, or a claim the domain refuses (the message names it)',
      { unauthorized: { error: 'unauthorized', message: 'missing bearer token (Authorization: Bearer <token>)' } },
      WWW_AUTHENTICATE,
    ),
    errorResponse(403, 'The caller’s role may not do this (or a monitor reports for another location)', {
      forbidden: { error: 'forbidden', message: 'role publisher may not do this (allowed: agent, admin)' },
    }),
    errorResponse(404, 'Unknown ticket, outage or policy version (also another requester’s ticket)', {
      not_found: { error: 'not_found', message: 'ticket SS-000042 not found' },
    }),
    errorResponse(409, 'The stream kept changing through the bounded retries; retry', { conflict: { error: 'conflict', message: 'the stream changed; retry the request' } }),
    errorResponse(413, 'Body larger than MAX_BODY_BYTES', { payload_too_large: { error: 'payload_too_large', message: 'the request body exceeds 65536 bytes' } }),
    errorResponse(415, 'A body whose Content-Type is not application/json (or application/*+json)', {
      unsupported_media_type: { error: 'unsupported_media_type', message: 'request bodies must be JSON' },
    }),
    errorResponse(
      422,
      'A business rule refused the command (`error` is the domain code), an `Idempotency-Key` reused with a different body (`idempotency_key_reused`), or it would store an event that does not decode (`unstorable_event`)',
      {
        domain_rule: { error: 'NOT_CLASSIFIED', message: 'the ticket must be classified first' },
        idempotency_key_reused: { error: 'idempotency_key_reused', message: 'Idempotency-Key k-1 was already used for a different request; use a new key for a new request' },
      },
    ),
    errorResponse(
      500,
      'An unexpected failure (logged with its stack, never echoed)',
      { internal: { error: 'internal', message: 'internal error' } },
    ),
    errorResponse(
      503,
      'The event store is unavailable (`unavailable`), a read model did not reach `minPosition` in time (`read_model_lagging`) or stopped at a stored event that does not decode (`undecodable_event`: the message names stream, revision and field)',
      {
        unavailable: { error: 'unavailable', message: 'the event store is unavailable; retry later' },
        read_model_lagging: { error: 'read_model_lagging', message: 'read models did not reach 42/42 within 5000 ms' },
      },
    ),
  );

export interface SuccessOptions {
  readonly status: number;
  readonly description: string;
  /** The response codec (registered with {@link component}); JSON. */
  readonly codec: t.Mixed;
  readonly example?: unknown;
  readonly headers?: Record<string, HeaderObject>;
  /** Other media types the route can answer with (e.g. `text/csv`). */
  readonly alsoAs?: Record<string, { readonly schema: OpenApiSchema; readonly example?: unknown }>;
}

/** The success answer of a route: its status, schema (from the response codec), headers and an example. */
export const ApiSuccess = (options: SuccessOptions): MethodDecorator =>
  ApiResponse({
    status: options.status,
    description: options.description,
    headers: { ...REQUEST_ID, ...(options.headers ?? {}) },
    content: {
      'application/json': { schema: refTo(options.codec) as SchemaObject, ...(options.example === undefined ? {} : { example: options.example }) },
      ...Object.fromEntries(
        Object.entries(options.alsoAs ?? {}).map(([type, media]) => [type, { schema: media.schema as SchemaObject, ...(media.example === undefined ? {} : { example: media.example }) }]),
      ),
    },
  });

/**
 * A command route (POST): the `Idempotency-Key` and `X-Correlation-Id` request headers, and its
 * success answer, which may be a replay (`Idempotent-Replayed: true`).
 */
export const ApiCommand = (options: Omit<SuccessOptions, 'headers'>): MethodDecorator =>
  applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe: 1–200 visible ASCII characters (`!` to `~`; no spaces). A request repeated with the same key, route and body by the same user (within IDEMPOTENCY_KEY_TTL, 24 h by default) is answered with the first answer and `Idempotent-Replayed: true`, without running again; the same key with a different body is refused (422 `idempotency_key_reused`). Only successful answers are remembered.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$', minLength: 1, maxLength: 200 },
      example: '5f0c6a2e-9d1b-4c53-8a7e-2f1d3b4c5a69',
    }),
    ApiHeader({
      name: 'X-Correlation-Id',
      required: false,
      description: 'Recorded as the correlation id of the events the command appends (same format as `Idempotency-Key`); otherwise the request id is used.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,200}$' },
    }),
    ApiSuccess({ ...options, headers: IDEMPOTENT_REPLAYED }),
  );

