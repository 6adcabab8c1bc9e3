import createClient, { type Client, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import { SupportSlaError, toErrorBody } from './errors';
import type { paths } from './generated/openapi';

/** Any `type/subtype`: the media types of the document (JSON, CSV, Prometheus text). */
type Media = `${string}/${string}`;

/** The paths of the API that have an operation for `Method`. */
export type PathsWith<Method extends 'get' | 'post'> = {
  [P in keyof paths]: paths[P] extends Record<Method, infer Op> ? ([Op] extends [undefined] ? never : P) : never;
}[keyof paths];

/** The `GET` routes that take `minPosition`: the read models (the ticket reads are always current). */
export type ReadModelPath = {
  [P in PathsWith<'get'>]: paths[P]['get'] extends { parameters: { query?: infer Q } }
    ? [NonNullable<Q>] extends [never]
      ? never
      : 'minPosition' extends keyof NonNullable<Q>
        ? P
        : never
    : never;
}[PathsWith<'get'>];

/**
 * The routes read-your-writes applies to. The two checks below fail `tsc` when the service adds
 * `minPosition` to another route (or drops it from one) and the client is regenerated.
 */
export const READ_MODEL_PATHS = ['/queue', '/sla', '/reports/compliance'] as const satisfies readonly ReadModelPath[];
type Missing = Exclude<ReadModelPath, (typeof READ_MODEL_PATHS)[number]>;
const everyReadModelPathListed: [Missing] extends [never] ? true : Missing = true;
void everyReadModelPathListed;

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/**
 * Options of one call, as openapi-fetch takes them: the operation's `params` (`path`, `query`,
 * `header`) and `body`, plus `parseAs` (`'text'` for CSV and metrics), `headers`, `signal`, …
 */
export type CallInit<Method extends 'get' | 'post', Path extends PathsWith<Method>> = MaybeOptionalInit<paths[Path], Method>;

/** Extra options of a command (POST). */
export interface CommandOptions {
  /**
   * Makes a retry safe: the service answers a repeated key (same route, body and user) with the first
   * answer. Default: a new random UUID per call, so only pass one when you mean to retry with it.
   * (Also accepted as `params.header['Idempotency-Key']`.)
   */
  readonly idempotencyKey?: string;
}

type Args<Init> = RequiredKeys<Init> extends never ? [init?: Init] : [init: Init];

/** The parsed success body of an operation (with `parseAs: 'text'`, the text). */
export type Answer<Method extends 'get' | 'post', Path extends PathsWith<Method>, Init = object> = NonNullable<
  FetchResponse<Extract<paths[Path][Method], Record<string | number, unknown>>, Init, Media>['data']
>;

/** A bearer token, or a function asked for one before every call (to refresh it). */
export type TokenSource = string | (() => string | Promise<string>);

export interface SupportSlaClientOptions {
  /** Where the service is, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on every call (none for `/health` and `/metrics` if omitted). */
  readonly token?: TokenSource;
  /** Default: the global `fetch` (Node.js 18+, browsers). */
  readonly fetch?: (input: Request) => Promise<Response>;
  /**
   * Read your writes (default `true`): the read-model queries ({@link READ_MODEL_PATHS}) are sent
   * with `minPosition` set to the latest `position` a command of this client (or of a client made
   * from it with {@link SupportSlaClient.withToken}) answered with, unless the call gives one.
   */
  readonly readYourWrites?: boolean;
  /** Headers added to every call (e.g. `X-Request-Id`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The client: one method per HTTP method, typed by path from the service's OpenAPI document. */
export interface SupportSlaClient {
  /**
   * A query. Resolves with the parsed answer; rejects with {@link SupportSlaError} on any non-2xx
   * answer (and with fetch's own error when the service cannot be reached).
   */
  GET<Path extends PathsWith<'get'>, Init extends CallInit<'get', Path>>(path: Path, ...init: Args<Init>): Promise<Answer<'get', Path, Init>>;
  /**
   * A command. Sends an `Idempotency-Key` (a new UUID unless given) and remembers the answer's
   * `position` for read-your-writes. Rejects with {@link SupportSlaError} on any non-2xx answer.
   */
  POST<Path extends PathsWith<'post'>, Init extends CallInit<'post', Path> & CommandOptions>(path: Path, ...init: Args<Init>): Promise<Answer<'post', Path, Init>>;
  /** The same service and session (shared read-your-writes position) as another caller. */
  withToken(token: TokenSource): SupportSlaClient;
  /** The latest `position` a command of this session answered with, if any. */
  readonly lastPosition: string | undefined;
  /** The underlying openapi-fetch client: the token is added, nothing else (no idempotency key, no thrown errors). */
  readonly raw: Client<paths, Media>;
}

/**
 * `{ minPosition }` for a query that must see a command's effects: spread it into `params.query`.
 * A command that appended nothing (`position: null`) gives `{}`: there is nothing to wait for.
 *
 * @example agent.GET('/queue', { params: { query: { ...after(opened) } } })
 */
export function after(answer: { readonly position: string | null }): { minPosition?: string } {
  return answer.position === null ? {} : { minPosition: answer.position };
}

/** Global log positions are `commit/prepare` (EventStoreDB) or one number (SQLite, memory). */
export function comparePositions(a: string, b: string): number {
  const parse = (p: string): bigint[] | undefined => (/^\d+(\/\d+)?$/.test(p) ? p.split('/').map((n) => BigInt(n)) : undefined);
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) return 0;
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

interface Session {
  lastPosition: string | undefined;
}

interface LooseInit {
  params?: { query?: Record<string, unknown>; header?: Record<string, unknown>; path?: Record<string, unknown> };
  headers?: HeadersInit;
  idempotencyKey?: string;
  [key: string]: unknown;
}
type LooseRequest = (method: 'get' | 'post', path: string, init: LooseInit) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

type HeadersInit = ConstructorParameters<typeof Headers>[0];

const IDEMPOTENCY_KEY = 'Idempotency-Key';
const readModelPaths: ReadonlySet<string> = new Set(READ_MODEL_PATHS);

const headerIn = (headers: LooseInit['headers'], name: string): string | undefined => {
  if (headers === undefined) return undefined;
  const value = new Headers(headers).get(name);
  return value ?? undefined;
};

const randomKey = (): string => globalThis.crypto.randomUUID();

/**
 * A typed client for the support-sla service.
 *
 * @example
 * const ada = createSupportSlaClient({ baseUrl: 'http://127.0.0.1:3000', token: adaToken });
 * const opened = await ada.POST('/tickets', { body: { channel: 'email', request: { summary: 'Export fails', description: 'Since Monday' } } });
 */
export function createSupportSlaClient(options: SupportSlaClientOptions): SupportSlaClient {
  return clientFor(options, { lastPosition: undefined });
}

function clientFor(options: SupportSlaClientOptions, session: Session): SupportSlaClient {
  const raw = createClient<paths, Media>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    ...(options.headers !== undefined ? { headers: { ...options.headers } } : {}),
  });
  const token = options.token;
  if (token !== undefined) {
    raw.use({
      async onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${typeof token === 'string' ? token : await token()}`);
        return request;
      },
    });
  }
  const request = raw.request as unknown as LooseRequest;
  const readYourWrites = options.readYourWrites ?? true;

  const call = async (method: 'get' | 'post', path: string, given: LooseInit | undefined): Promise<unknown> => {
    const { idempotencyKey: keyOption, ...init } = given ?? {};
    const params = { ...init.params };
    let idempotencyKey: string | undefined;
    if (method === 'post') {
      const named = params.header?.[IDEMPOTENCY_KEY];
      idempotencyKey = keyOption ?? (typeof named === 'string' ? named : undefined) ?? headerIn(init.headers, IDEMPOTENCY_KEY) ?? randomKey();
      params.header = { ...params.header, [IDEMPOTENCY_KEY]: idempotencyKey };
    } else if (readYourWrites && readModelPaths.has(path) && session.lastPosition !== undefined && params.query?.['minPosition'] === undefined) {
      params.query = { ...params.query, minPosition: session.lastPosition };
    }
    const { data, error, response } = await request(method, path, { ...init, params });
    if (!response.ok) {
      throw new SupportSlaError({
        method: method.toUpperCase(),
        path,
        status: response.status,
        body: toErrorBody(response.status, error),
        requestId: response.headers.get('X-Request-Id') ?? undefined,
        idempotencyKey,
      });
    }
    if (method === 'post' && typeof data === 'object' && data !== null && 'position' in data && typeof data.position === 'string') {
      const position = data.position;
      if (session.lastPosition === undefined || comparePositions(position, session.lastPosition) > 0) session.lastPosition = position;
    }
    return data;
  };

  return {
    GET: ((path: string, init?: LooseInit) => call('get', path, init)) as SupportSlaClient['GET'],
    POST: ((path: string, init?: LooseInit) => call('post', path, init)) as SupportSlaClient['POST'],
    withToken: (next) => clientFor({ ...options, token: next }, session),
    get lastPosition() {
      return session.lastPosition;
    },
    raw,
  };
}
