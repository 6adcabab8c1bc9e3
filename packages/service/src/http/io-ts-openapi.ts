import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type * as t from 'io-ts';

/**
 * Derives an OpenAPI 3 schema object from the io-ts codec that validates a request, so the
 * published API docs and the validation that actually runs cannot disagree.
 *
 * It understands the io-ts combinators the domain and the HTTP layer use (type, partial,
 * intersection, union, keyof, literal, array, readonly, exact, refinement) and the domain's
 * named scalar codecs. Anything it does not know is documented as "any value" rather than guessed.
 */
export type OpenApiSchema = Record<string, unknown>;

// The domain's scalar codecs are custom `t.Type`s; they are recognised by name.
const NAMED_SCALARS: Record<string, OpenApiSchema> = {
  IsoInstant: { type: 'string', format: 'date-time', description: 'ISO-8601 instant with an offset or Z' },
  NonEmptyString: { type: 'string', minLength: 1 },
  Email: { type: 'string', format: 'email' },
  PositiveInt: { type: 'integer', minimum: 1 },
  NonNegativeInt: { type: 'integer', minimum: 0 },
  string: { type: 'string' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  Int: { type: 'integer' },
};

interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly props?: Record<string, t.Mixed>;
  readonly types?: readonly t.Mixed[];
  readonly type?: t.Mixed;
  readonly keys?: Record<string, unknown>;
  readonly value?: unknown;
}

export const openApiSchemaOf = (codec: t.Mixed): OpenApiSchema => {
  const c = codec as unknown as Tagged;
  const scalar = NAMED_SCALARS[c.name];
  if (scalar !== undefined && (c._tag === undefined || !['InterfaceType', 'PartialType'].includes(c._tag))) {
    return { ...scalar };
  }
  switch (c._tag) {
    case 'StringType':
      return { type: 'string' };
    case 'NumberType':
      return { type: 'number' };
    case 'BooleanType':
      return { type: 'boolean' };
    case 'NullType':
      return { type: 'null' };
    case 'LiteralType':
      return { enum: [c.value] };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'InterfaceType':
    case 'StrictType':
    case 'ExactType':
      if (c._tag === 'ExactType' && c.type !== undefined) return openApiSchemaOf(c.type);
      return objectSchema(c.props ?? {}, true);
    case 'PartialType':
      return objectSchema(c.props ?? {}, false);
    case 'IntersectionType':
      return mergeObjects((c.types ?? []).map(openApiSchemaOf));
    case 'UnionType':
      return { oneOf: (c.types ?? []).map(openApiSchemaOf) };
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: c.type === undefined ? {} : openApiSchemaOf(c.type) };
    case 'ReadonlyType':
    case 'RefinementType':
      return c.type === undefined ? {} : openApiSchemaOf(c.type);
    default:
      return { description: `any value accepted by ${c.name}` };
  }
};

const objectSchema = (props: Record<string, t.Mixed>, required: boolean): OpenApiSchema => {
  const names = Object.keys(props);
  const properties = Object.fromEntries(names.map((name) => [name, openApiSchemaOf(props[name] as t.Mixed)]));
  return required && names.length > 0
    ? { type: 'object', properties, required: names }
    : { type: 'object', properties };
};

/** `t.intersection([t.type(required), t.partial(optional)])` documents as one object. */
const mergeObjects = (parts: readonly OpenApiSchema[]): OpenApiSchema => {
  if (!parts.every((p) => p.type === 'object')) return { allOf: [...parts] };
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of parts) {
    Object.assign(properties, part.properties as Record<string, unknown>);
    required.push(...((part.required as string[] | undefined) ?? []));
  }
  return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
};

/** The properties of an object codec, with whether each is required (for parameters). */
const propertiesOf = (codec: t.Mixed): { name: string; required: boolean; schema: OpenApiSchema }[] => {
  const schema = openApiSchemaOf(codec);
  const properties = (schema.properties ?? {}) as Record<string, OpenApiSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.keys(properties).map((name) => ({ name, required: required.has(name), schema: properties[name] as OpenApiSchema }));
};

/** `@ApiQuery` for every property of the codec that validates the route's query string. */
export const ApiQueryFrom = (codec: t.Mixed): MethodDecorator =>
  applyDecorators(...propertiesOf(codec).map((p) => ApiQuery({ name: p.name, required: p.required, schema: p.schema as SchemaObject })));

/** `@ApiParam` for every property of the codec that validates the route's path. */
export const ApiParamsFrom = (codec: t.Mixed): MethodDecorator =>
  applyDecorators(...propertiesOf(codec).map((p) => ApiParam({ name: p.name, required: true, schema: p.schema as SchemaObject })));

const ERROR_BODY: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'string', description: '`validation`, a domain error code, `unauthorized`, `forbidden`, `not_found`, `conflict`, …' },
    message: { type: 'string' },
    issues: {
      type: 'array',
      description: 'With `validation`: one entry per failing field',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/** The error answers every authenticated route can give, documented once. */
export const ApiStandardErrors = (): ClassDecorator & MethodDecorator =>
  applyDecorators(
    ApiResponse({
      status: 400,
      description: 'A body, path, query or header field is invalid (`issues` names each): also a body nested deeper than 32 levels, an `Idempotency-Key` outside 1–200 visible ASCII characters, a client instant outside the plausible window',
      schema: ERROR_BODY,
    }),
    ApiResponse({ status: 401, description: 'Missing, malformed, badly signed, expired or over-long-lived bearer token, or a claim the domain refuses (the message names it)', schema: ERROR_BODY }),
    ApiResponse({ status: 403, description: 'The caller’s role may not do this (or a monitor reports for another location)', schema: ERROR_BODY }),
    ApiResponse({ status: 404, description: 'Unknown ticket or outage (also another requester’s ticket)', schema: ERROR_BODY }),
    ApiResponse({ status: 409, description: 'The stream kept changing through the bounded retries; retry', schema: ERROR_BODY }),
    ApiResponse({ status: 413, description: 'Body larger than MAX_BODY_BYTES', schema: ERROR_BODY }),
    ApiResponse({ status: 415, description: 'A body whose Content-Type is not application/json (or application/*+json)', schema: ERROR_BODY }),
    ApiResponse({ status: 422, description: 'A business rule refused the command (`error` is the domain code), or it would store an event that does not decode (`unstorable_event`)', schema: ERROR_BODY }),
    ApiResponse({ status: 503, description: 'The event store is unavailable, a read model did not catch up in time or stopped at a stored event that does not decode (the message names stream, revision and field)', schema: ERROR_BODY }),
  );
