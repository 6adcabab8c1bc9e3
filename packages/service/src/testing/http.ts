/**
 * Small helpers shared by the service's HTTP tests (end to end and reliability): one HTTP call
 * that never throws on a status, and polling with a deadline.
 */

/** A parsed JSON body; the tests read fields they know are there. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Reply {
  readonly status: number;
  readonly json: Json;
  readonly text: string;
  readonly headers: Headers;
}

export interface CallOptions {
  readonly token?: string;
  /** An object is sent as JSON; a string is sent verbatim (with a JSON content type). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** One request; every status resolves (only a network failure rejects). */
export async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const { token, body, headers = {}, signal } = options;
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await res.text();
  let json: Json = {};
  try {
    const parsed: unknown = JSON.parse(text);
    json = typeof parsed === 'object' && parsed !== null ? (parsed as Json) : { value: parsed };
  } catch {
    json = {};
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls a synchronous `condition` every few milliseconds until it holds, or fails after `timeoutMs`. */
export const until = async (what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  await eventually(what, async () => (condition() ? true : undefined), timeoutMs, 2);
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
