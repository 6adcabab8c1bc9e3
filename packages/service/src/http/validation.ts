import * as t from 'io-ts';
import { reportErrors, type DecodeIssue } from '@support-sla/domain';

/** One reason a request was refused at the boundary, named by field. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** The request's body, path, query or a header did not validate (HTTP 400). */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';
  constructor(
    readonly where: 'body' | 'query' | 'path' | 'header',
    readonly issues: readonly FieldIssue[],
  ) {
    super(`invalid ${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  }
}

interface Walkable {
  readonly _tag?: string;
  readonly props?: Record<string, t.Mixed>;
  readonly types?: readonly t.Mixed[];
  readonly type?: t.Mixed;
}

/** The object properties a codec allows at this level, or undefined when it is not an object codec. */
const allowedProps = (codec: t.Mixed): Record<string, t.Mixed> | undefined => {
  const c = codec as unknown as Walkable;
  switch (c._tag) {
    case 'InterfaceType':
    case 'PartialType':
    case 'StrictType':
      return c.props;
    case 'ExactType':
    case 'ReadonlyType':
    case 'RefinementType':
      return c.type === undefined ? undefined : allowedProps(c.type);
    case 'IntersectionType': {
      const parts = (c.types ?? []).map(allowedProps);
      if (parts.some((p) => p === undefined)) return undefined;
      return Object.assign({}, ...parts) as Record<string, t.Mixed>;
    }
    default:
      return undefined;
  }
};

const elementCodec = (codec: t.Mixed): t.Mixed | undefined => {
  const c = codec as unknown as Walkable;
  if (c._tag === 'ArrayType' || c._tag === 'ReadonlyArrayType') return c.type;
  if (c._tag === 'ReadonlyType' || c._tag === 'ExactType') return c.type === undefined ? undefined : elementCodec(c.type);
  return undefined;
};

/**
 * Properties the codec does not know, anywhere in the value. io-ts ignores them; we refuse
 * them, so a misspelt optional field is an error instead of being silently dropped.
 */
export const unknownFields = (codec: t.Mixed, value: unknown, path = ''): FieldIssue[] => {
  if (typeof value !== 'object' || value === null) return [];
  const element = elementCodec(codec);
  if (Array.isArray(value)) {
    return element === undefined ? [] : value.flatMap((v, i) => unknownFields(element, v, `${path}${path ? '.' : ''}${i}`));
  }
  const props = allowedProps(codec);
  if (props === undefined) return [];
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(value)) {
    // An empty key still needs a visible name in the answer.
    const field = `${path}${path === '' ? '' : '.'}${key === '' ? '""' : key}`;
    // Own properties only: `constructor`, `__proto__` or `toString` must not find Object.prototype.
    const sub = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    if (sub === undefined) issues.push({ field, message: 'is not a known field' });
    else issues.push(...unknownFields(sub, (value as Record<string, unknown>)[key], field));
  }
  return issues;
};

const toFieldIssue = (issue: DecodeIssue): FieldIssue => ({
  field: issue.path === '' ? '(root)' : issue.path,
  message: issue.message.startsWith(`${issue.path}: `) ? issue.message.slice(issue.path.length + 2) : issue.message,
});

/** Decodes a request part with an io-ts codec, or throws a 400 naming every failing field. */
export const decodeRequest = <A>(codec: t.Type<A, unknown, unknown>, value: unknown, where: 'body' | 'query' | 'path'): A => {
  const input = value === undefined && where === 'body' ? {} : value;
  const decoded = codec.decode(input);
  const extra = unknownFields(codec as unknown as t.Mixed, input);
  if (decoded._tag === 'Left' || extra.length > 0) {
    const issues = decoded._tag === 'Left' ? reportErrors(decoded.left).map(toFieldIssue) : [];
    throw new RequestValidationError(where, [...issues, ...extra]);
  }
  return decoded.right;
};
