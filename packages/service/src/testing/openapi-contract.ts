import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { call, type CallOptions, type Reply } from './http';

/** The parts of an OpenAPI 3.1 document the contract checks read. */
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components?: { readonly schemas?: Record<string, unknown> };
}

interface OpenApiOperation {
  readonly operationId?: string;
  readonly parameters?: readonly { readonly name: string; readonly in: string; readonly description?: string; readonly schema?: unknown; readonly required?: boolean }[];
  readonly responses: Record<string, { readonly description?: string; readonly headers?: Record<string, { readonly schema?: unknown }>; readonly content?: Record<string, { readonly schema?: unknown; readonly example?: unknown; readonly examples?: Record<string, { readonly value: unknown }> }> }>;
}

const DOCUMENT_ID = 'openapi.json';
const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** The headers the service sets that the document must declare wherever they appear. */
const SERVICE_HEADERS = ['x-request-id', 'idempotent-replayed', 'x-read-model-position', 'www-authenticate'];
/** Standard headers checked only where declared (the report's `Cache-Control: no-store` also rides on its errors). */
const OPTIONAL_HEADERS = ['cache-control'];

/**
 * Checks HTTP answers against the OpenAPI document the service publishes: the status must be
 * declared for the route, a JSON body must match the declared schema (with ajv, JSON Schema
 * 2020-12 as OpenAPI 3.1 uses), other media types must be declared, and the service's own
 * headers must be declared with values their schemas accept. Records which operations were seen.
 */
export class OpenApiContract {
  private readonly ajv: Ajv2020;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly seen = new Set<string>();

  constructor(readonly document: OpenApiDocument) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, DOCUMENT_ID);
  }

  /** A validator for the schema at a JSON pointer into the document. */
  validatorAt(jsonPointer: string): ValidateFunction {
    let validate = this.validators.get(jsonPointer);
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${jsonPointer}` });
      this.validators.set(jsonPointer, validate);
    }
    return validate;
  }

  /** Problems with `value` against the schema at `jsonPointer` (empty when it matches). */
  problems(jsonPointer: string, value: unknown): string[] {
    const validate = this.validatorAt(jsonPointer);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** Throws unless the reply to `method template` is one the document declares, body and headers included. */
  check(method: string, template: string, reply: Reply): void {
    const m = method.toLowerCase();
    const operation = this.document.paths[template]?.[m];
    if (operation === undefined) throw new Error(`${method} ${template} is not in the OpenAPI document`);
    this.seen.add(`${m} ${template}`);
    const status = String(reply.status);
    const response = operation.responses[status];
    const where = `${method} ${template} → ${status}`;
    if (response === undefined) throw new Error(`${where}: status not declared (declared: ${Object.keys(operation.responses).join(', ')}); body ${reply.text.slice(0, 300)}`);
    const mediaType = (reply.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (reply.text.length > 0) {
      if (response.content?.[mediaType] === undefined) throw new Error(`${where}: answered ${mediaType}, declared ${Object.keys(response.content ?? {}).join(', ') || 'no body'}`);
      if (mediaType === 'application/json') {
        const found = this.problems(pointer('', 'paths', template, m, 'responses', status, 'content', mediaType, 'schema'), JSON.parse(reply.text));
        if (found.length > 0) throw new Error(`${where}: the body does not match its declared schema:\n  ${found.join('\n  ')}\nbody: ${reply.text.slice(0, 2000)}`);
      }
    }
    for (const name of [...SERVICE_HEADERS, ...OPTIONAL_HEADERS]) {
      const value = reply.headers.get(name);
      if (value === null) continue;
      const declared = Object.entries(response.headers ?? {}).find(([n]) => n.toLowerCase() === name);
      if (declared === undefined && OPTIONAL_HEADERS.includes(name)) continue;
      if (declared === undefined) throw new Error(`${where}: header ${name} is sent but not declared`);
      const found = this.problems(pointer('', 'paths', template, m, 'responses', status, 'headers', declared[0], 'schema'), value);
      if (found.length > 0) throw new Error(`${where}: header ${name}: ${value} does not match its schema: ${found.join('; ')}`);
    }
  }

  /** Every operation of the document, as `method template`. */
  operations(): string[] {
    return Object.entries(this.document.paths).flatMap(([template, ops]) => Object.keys(ops).map((m) => `${m} ${template}`));
  }

  /** Operations no checked reply has exercised yet. */
  unexercised(): string[] {
    return this.operations().filter((op) => !this.seen.has(op));
  }
}

export interface ContractCallOptions extends CallOptions {
  /** Values of the template's `{name}` segments. */
  readonly params?: Readonly<Record<string, string>>;
  /** Query parameters. */
  readonly query?: Readonly<Record<string, string>>;
}

/** Fetches the published document from a running service. */
export async function fetchOpenApiDocument(baseUrl: string): Promise<OpenApiDocument> {
  const reply = await call(baseUrl, 'GET', '/docs/openapi.json');
  if (reply.status !== 200) throw new Error(`GET /docs/openapi.json answered ${reply.status}`);
  return JSON.parse(reply.text) as OpenApiDocument;
}

/** A client for tests whose every answer is checked against the document. */
export function contractClient(baseUrl: string, contract: OpenApiContract) {
  return async (method: string, template: string, options: ContractCallOptions = {}): Promise<Reply> => {
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = options.params?.[name];
      if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
      return encodeURIComponent(value);
    });
    const query = options.query === undefined ? '' : `?${new URLSearchParams(options.query as Record<string, string>).toString()}`;
    const reply = await call(baseUrl, method, `${path}${query}`, options);
    contract.check(method, template, reply);
    return reply;
  };
}
