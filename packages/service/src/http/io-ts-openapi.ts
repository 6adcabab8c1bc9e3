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
