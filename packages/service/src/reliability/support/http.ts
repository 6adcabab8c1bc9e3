/**
 * Small helpers shared by the reliability tests: one HTTP call that never throws on a status,
 * a read-only look at the SQLite log, and polling with a deadline.
 */
import Database from 'better-sqlite3';

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

/** What the SQLite log holds right now (read through a separate read-only connection). */
export interface LogSnapshot {
  readonly count: number;
  readonly head: number;
}

export function logSnapshot(dbFile: string): LogSnapshot {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT COUNT(*) AS count, COALESCE(MAX(position), 0) AS head FROM events').get() as { count: number; head: number };
    return { count: row.count, head: row.head };
  } finally {
    db.close();
  }
}

/** Every stored event's stream, type, id and metadata, in log order. */
export interface LoggedEvent {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: Json;
  readonly metadata: Json;
}

export function readLog(dbFile: string): LoggedEvent[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT position, event_id, stream_id, revision, type, data, metadata FROM events ORDER BY position')
      .all() as { position: number; event_id: string; stream_id: string; revision: number; type: string; data: string; metadata: string }[];
    return rows.map((r) => ({
      position: r.position,
      eventId: r.event_id,
      streamId: r.stream_id,
      revision: r.revision,
      type: r.type,
      data: JSON.parse(r.data) as Json,
      metadata: JSON.parse(r.metadata) as Json,
    }));
  } finally {
    db.close();
  }
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

/** A deterministic pseudo-random generator (mulberry32), so kill points are reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
