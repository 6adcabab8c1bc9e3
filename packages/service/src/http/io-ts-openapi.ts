import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type * as t from 'io-ts';

/**
 * Derives OpenAPI 3.1 schema objects (JSON Schema 2020-12) from the io-ts codecs that validate
 * requests and describe responses, so the published API docs, the validation that actually runs
 * and the answers the service gives cannot disagree.
 *
 * It understands the io-ts combinators the domain and the HTTP layer use (type, partial, strict,
 * exact, intersection, union, keyof, literal, null, array, readonly, record, refinement) and the
 * named scalar codecs and refinements of the domain and the service. A codec it does not know
 * makes it throw: the document must never say "any value" where the service checks something.
 */
export type OpenApiSchema = Record<string, unknown>;

const DIGITS = '(0|[1-9][0-9]*)';

// The domain's scalar codecs are custom `t.Type`s; they are recognised by name.
const NAMED_SCALARS: Record<string, OpenApiSchema> = {
  IsoInstant: { type: 'string', format: 'date-time', description: 'An ISO-8601 instant with an offset or Z', examples: ['2026-03-09T13:05:00Z'] },
  NonEmptyString: { type: 'string', minLength: 1, pattern: '\\S', description: 'Text with at least one non-blank character' },
  Email: { type: 'string', format: 'email' },
  PositiveInt: { type: 'integer', minimum: 1 },
  NonNegativeInt: { type: 'integer', minimum: 0 },
  Int: { type: 'integer' },
  WallTime: { type: 'string', pattern: '^(?:[01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description: 'A wall-clock time HH:MM (24:00 as an end of day)', examples: ['08:00'] },
  PlainDate: { type: 'string', format: 'date', pattern: '^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$', description: 'A calendar date YYYY-MM-DD', examples: ['2026-12-25'] },
  Fraction: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'A number strictly between 0 and 1' },
  PositiveIntFromString: { type: 'string', pattern: '^[1-9]\\d{0,8}$', description: 'A positive integer (up to 9 digits)', examples: ['2'] },
  GlobalPosition: {
    type: 'string',
    pattern: '^\\d{1,19}(?:/\\d{1,19})?$',
    description: 'A position in the global log, `commit/prepare` (or one number), as a command answered it',
    examples: ['42/42'],
  },
};

// Refinements carry a constraint io-ts cannot show; recognised by name and added to their base.
const NAMED_REFINEMENTS: Record<string, OpenApiSchema> = {
  TicketRef: { maxLength: 64 },
  Organization: { maxLength: 100 },
  Hex64: { pattern: '^[0-9a-f]{64}$' },
  KeyId: { pattern: '^[0-9a-f]{16}$' },
  Revision: { pattern: `^${DIGITS}$` },
  PositionText: { pattern: `^${DIGITS}(/${DIGITS})?$`, description: 'A position in the global log, `commit/prepare` (or one number when both are equal)' },
  Count: { type: 'integer', minimum: 0 },
  Base64: { minLength: 1, pattern: '^[A-Za-z0-9+/]+={0,2}$' },
  Instant: { format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$', description: 'An instant in UTC (ISO-8601 with Z)' },
};

interface Tagged {
  readonly _tag?: string;
  readonly name: string;
  readonly props?: Record<string, t.Mixed>;
  readonly types?: readonly t.Mixed[];
  readonly type?: t.Mixed;
  readonly domain?: t.Mixed;
  readonly codomain?: t.Mixed;
  readonly keys?: Record<string, unknown>;
  readonly value?: unknown;
}

/**
 * - `request`: objects are closed (`additionalProperties: false`) where the service refuses
 *   unknown fields (see `unknownFields`: everywhere but inside a union); everything inline.
 * - `response`: every object is closed (the response codecs list every field), and codecs
 *   registered with {@link component} are `$ref`s to `#/components/schemas/<name>`.
 */
export type SchemaMode = 'request' | 'response';

const components = new Map<string, t.Mixed>();
const componentNames = new Map<t.Mixed, string>();
const descriptions = new WeakMap<t.Mixed, string>();

/** Publishes a response codec as `#/components/schemas/<its name>` (a named type in generated clients). */
export const component = <C extends t.Mixed>(codec: C, description?: string, name: string = codec.name): C => {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`io-ts-openapi: component name ${name} is not a valid OpenAPI name (pass one)`);
  const existing = components.get(name);
  if (existing !== undefined && existing !== codec) throw new Error(`two response components are named ${name}`);
  components.set(name, codec);
  componentNames.set(codec, name);
  if (description !== undefined) descriptions.set(codec, description);
  return codec;
};

/**
 * The codec, with a description in the document (where its name says too little). A copy, so
 * that describing a shared codec (`t.string`) describes only this use of it.
 */
export const described = <C extends t.Mixed>(codec: C, description: string): C => {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(codec) as object) as C, codec);
  descriptions.set(copy, description);
  return copy;
};

/** Every registered response component's schema, for `components.schemas`. */
export const componentSchemas = (): Record<string, OpenApiSchema> =>
  Object.fromEntries([...components].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, codec]) => [name, schemaOf(codec, 'response', true, true)]));

export const openApiSchemaOf = (codec: t.Mixed, mode: SchemaMode = 'request'): OpenApiSchema => schemaOf(codec, mode, true, true);

const withDescription = (codec: t.Mixed, schema: OpenApiSchema): OpenApiSchema => {
  const description = descriptions.get(codec);
  return description === undefined ? schema : { ...schema, description };
};

const schemaOf = (codec: t.Mixed, mode: SchemaMode, closed: boolean, root: boolean): OpenApiSchema => {
  if (mode === 'response' && !root && componentNames.has(codec)) return { $ref: `#/components/schemas/${componentNames.get(codec)!}` };
  return withDescription(codec, bareSchemaOf(codec, mode, closed));
};

const bareSchemaOf = (codec: t.Mixed, mode: SchemaMode, closed: boolean): OpenApiSchema => {
  const c = codec as unknown as Tagged;
  const inner = (sub: t.Mixed, stillClosed = closed): OpenApiSchema => schemaOf(sub, mode, stillClosed, false);
  const scalar = NAMED_SCALARS[c.name];
  if (scalar !== undefined && c._tag === undefined) return { ...scalar };
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
      return { type: typeof c.value === 'number' ? 'number' : typeof c.value === 'boolean' ? 'boolean' : 'string', const: c.value };
    case 'KeyofType':
      return { type: 'string', enum: Object.keys(c.keys ?? {}) };
    case 'InterfaceType':
    case 'StrictType':
      return objectSchema(c.props ?? {}, true, closed, inner);
    case 'PartialType':
      return objectSchema(c.props ?? {}, false, closed, inner);
    case 'ExactType':
    case 'ReadonlyType':
      return c.type === undefined ? unknownCodec(c) : inner(c.type);
    case 'IntersectionType':
      return mergeObjects((c.types ?? []).map((sub) => inner(sub)));
    case 'UnionType':
      // A union's members are not walked for unknown fields (see `unknownFields`).
      return unionSchema((c.types ?? []).map((sub) => inner(sub, mode === 'response')));
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return { type: 'array', items: c.type === undefined ? unknownCodec(c) : inner(c.type) };
    case 'DictionaryType':
      if (c.domain === undefined || c.codomain === undefined) return unknownCodec(c);
      return { type: 'object', propertyNames: inner(c.domain), additionalProperties: inner(c.codomain) };
    case 'RefinementType': {
      if (c.type === undefined) return unknownCodec(c);
      const base = inner(c.type);
      const extra = NAMED_REFINEMENTS[c.name];
      if (extra === undefined) throw new Error(`io-ts-openapi: refinement ${c.name} has no documented constraint (add it to NAMED_REFINEMENTS)`);
      return { ...base, ...extra };
    }
    default:
      return unknownCodec(c);
  }
};

const unknownCodec = (c: Tagged): never => {
  throw new Error(`io-ts-openapi: no OpenAPI schema for codec ${c.name} (${c._tag ?? 'custom t.Type'}); add it to NAMED_SCALARS`);
};

const objectSchema = (
  props: Record<string, t.Mixed>,
  required: boolean,
  closed: boolean,
  inner: (sub: t.Mixed) => OpenApiSchema,
): OpenApiSchema => {
  const names = Object.keys(props);
  const properties = Object.fromEntries(names.map((name) => [name, inner(props[name] as t.Mixed)]));
  return {
    type: 'object',
    properties,
    ...(required && names.length > 0 ? { required: names } : {}),
    ...(closed ? { additionalProperties: false } : {}),
  };
};

/** `t.intersection([t.type(required), t.partial(optional)])` documents as one object. */
const mergeObjects = (parts: readonly OpenApiSchema[]): OpenApiSchema => {
  if (!parts.every((p) => p.type === 'object' && p.properties !== undefined && p.$ref === undefined)) return { allOf: [...parts] };
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const part of parts) {
    Object.assign(properties, part.properties as Record<string, unknown>);
    required.push(...((part.required as string[] | undefined) ?? []));
  }
  const closed = parts.some((p) => p.additionalProperties === false);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), ...(closed ? { additionalProperties: false } : {}) };
};

/** io-ts unions take the first member that decodes: `anyOf`. `X | null` is written as such. */
const unionSchema = (members: readonly OpenApiSchema[]): OpenApiSchema => {
  const nonNull = members.filter((m) => !(m.type === 'null' && Object.keys(m).length === 1));
  if (nonNull.length === members.length - 1 && nonNull.length === 1) {
    const only = nonNull[0]!;
    if (typeof only.type === 'string' && only.$ref === undefined) {
      const enumValues = Array.isArray(only.enum) ? { enum: [...(only.enum as unknown[]), null] } : {};
      const constValue = 'const' in only ? { enum: [only.const, null] } : {};
      const { const: _const, ...rest } = only;
      return { ...rest, type: [only.type, 'null'], ...enumValues, ...constValue };
    }
  }
  return { anyOf: [...members] };
};

/** The properties of an object codec, with whether each is required (for parameters). */
const propertiesOf = (codec: t.Mixed): { name: string; required: boolean; schema: OpenApiSchema }[] => {
  const schema = openApiSchemaOf(codec);
  const properties = (schema.properties ?? {}) as Record<string, OpenApiSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.keys(properties).map((name) => ({ name, required: required.has(name), schema: properties[name] as OpenApiSchema }));
};

/** A human description (and optionally an example) for every property of a parameter codec. */
export type ParameterDocs<C extends t.Mixed> = { readonly [K in keyof Required<t.TypeOf<C>>]: string | { readonly description: string; readonly example: string } };

/** One OpenAPI parameter decorator for every property of the codec, each described from `docs`. */
const parametersFrom = <C extends t.Mixed>(
  codec: C,
  docs: ParameterDocs<C>,
  decorator: (parameter: { name: string; required: boolean; description: string; schema: SchemaObject; example?: string }) => MethodDecorator,
): MethodDecorator =>
  applyDecorators(
    ...propertiesOf(codec).map((p) => {
      const doc = (docs as Record<string, string | { description: string; example: string }>)[p.name];
      if (doc === undefined) throw new Error(`io-ts-openapi: parameter ${p.name} has no description`);
      const { description, example } = typeof doc === 'string' ? { description: doc, example: undefined } : doc;
      return decorator({ name: p.name, required: p.required, description, schema: p.schema as SchemaObject, ...(example === undefined ? {} : { example }) });
    }),
  );

/** `@ApiQuery` for every property of the codec that validates the route's query string, each described. */
export const ApiQueryFrom = <C extends t.Mixed>(codec: C, docs: ParameterDocs<C>): MethodDecorator => parametersFrom(codec, docs, (parameter) => ApiQuery(parameter));

/** `@ApiParam` for every property of the codec that validates the route's path, each described. */
export const ApiParamsFrom = <C extends t.Mixed>(codec: C, docs: ParameterDocs<C>): MethodDecorator =>
  parametersFrom(codec, docs, (parameter) => ApiParam({ ...parameter, required: true }));

/** The `$ref` of a response codec registered with {@link component}. */
export const refTo = (codec: t.Mixed): OpenApiSchema => {
  const name = componentNames.get(codec);
  if (name === undefined) throw new Error(`io-ts-openapi: response codec ${codec.name} is not a component`);
  return { $ref: `#/components/schemas/${name}` };
};
