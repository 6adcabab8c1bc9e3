import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { canonicalJson } from '../hash-chain/canonical-json';
import { assertJsonDepth } from '../http/json-depth';

/** A remembered answer to a keyed request. */
export interface RememberedResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotencyLookup =
  /** Never seen (or seen so long ago that it expired): run the request, then remember its answer. */
  | { readonly kind: 'new' }
  /** Seen with the same request: answer exactly as before, run nothing. */
  | ({ readonly kind: 'replay' } & RememberedResponse)
  /** Seen with a different request: the key was reused for something else. */
  | { readonly kind: 'mismatch' };

/**
 * Whose key it is, and for what. A key names a request only within its caller's organization,
 * the caller, and the route (method and path): two callers who pick the same key (the same user
 * id in two organizations, say) never see each other's answers.
 */
export interface IdempotencyScope {
  readonly org: string;
  readonly userId: string;
  /** `POST /tickets/T-1/resolution`: the method and the path without its query. */
  readonly route: string;
}

/**
 * Answers to requests sent with an `Idempotency-Key`, keyed by (organization, user, route, key),
 * so a retry after a lost response gets the same answer without running the command again, also
 * after a restart, until the key expires. Local to one replica, and only a cache: the answer and
 * the fingerprint can always be recovered from the log (see `Idempotency`), so losing a row costs
 * one command run, never a different answer.
 */
export interface IdempotencyStore {
  lookup(scope: IdempotencyScope, key: string, fingerprint: string): IdempotencyLookup;
  /** Remembers the first answer for the scoped key; a later save for it is ignored until it expires. */
  remember(scope: IdempotencyScope, key: string, fingerprint: string, response: RememberedResponse): void;
}

/** How long an answer is remembered by default: 24 hours (`IDEMPOTENCY_KEY_TTL`). */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export interface IdempotencyStoreOptions {
  /** How long an answer is remembered (default {@link DEFAULT_IDEMPOTENCY_TTL_MS}); then the key is new again and its row is purged. */
  readonly ttlMs?: number;
  /** Clock (tests). */
  readonly now?: () => Date;
}

/**
 * SHA-256 of the method, path and canonical body: what "the same request" means. The body's
 * depth is checked first (without recursion), so a pathological body is a 400 here, never a
 * stack overflow in the canonical JSON.
 */
export const requestFingerprint = (method: string, path: string, body: unknown): string => {
  assertJsonDepth(body);
  return createHash('sha256').update(canonicalJson({ method: method.toUpperCase(), path, body: body ?? null })).digest('hex');
};

// `org`, `route` and `created_ms` came with issue 20: a table without them (keyed by user and
// key only, which let two organizations' users share answers) is dropped and made again. The
// answers in it are lost, which costs a retry at most: the command path still finds the events
// a keyed command appended.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  org         TEXT    NOT NULL,
  user_id     TEXT    NOT NULL,
  route       TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  status      INTEGER NOT NULL,
  body_json   TEXT    NOT NULL,
  created_ms  INTEGER NOT NULL,
  PRIMARY KEY (org, user_id, route, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_ms);
`;

/** Expired rows are deleted at most this often (and at start-up), by the request that finds them due. */
const PURGE_EVERY_MS = 10 * 60_000;

export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly select;
  private readonly upsert;
  private readonly purge;
  private readonly ttlMs: number;
  private readonly now: () => Date;
  private lastPurgeMs = Number.NEGATIVE_INFINITY;

  constructor(db: Database.Database, options: IdempotencyStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.now = options.now ?? (() => new Date());
    const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('idempotency_keys')").all();
    if (columns.length > 0 && !columns.some((c) => c.name === 'org')) db.exec('DROP TABLE idempotency_keys');
    db.exec(SCHEMA);
    this.select = db.prepare<[string, string, string, string], { fingerprint: string; status: number; body_json: string; created_ms: number }>(
      'SELECT fingerprint, status, body_json, created_ms FROM idempotency_keys WHERE org = ? AND user_id = ? AND route = ? AND key = ?',
    );
    // The first answer stays, unless it has expired: then the key is a new request's.
    this.upsert = db.prepare<[string, string, string, string, string, number, string, number, number]>(
      `INSERT INTO idempotency_keys (org, user_id, route, key, fingerprint, status, body_json, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org, user_id, route, key) DO UPDATE SET
         fingerprint = excluded.fingerprint, status = excluded.status, body_json = excluded.body_json, created_ms = excluded.created_ms
       WHERE idempotency_keys.created_ms <= ?`,
    );
    this.purge = db.prepare<[number]>('DELETE FROM idempotency_keys WHERE created_ms <= ?');
    this.purgeExpired();
  }

  lookup(scope: IdempotencyScope, key: string, fingerprint: string): IdempotencyLookup {
    const row = this.select.get(scope.org, scope.userId, scope.route, key);
    if (row === undefined || row.created_ms <= this.cutoff()) return { kind: 'new' };
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', status: row.status, body: JSON.parse(row.body_json) as unknown };
  }

  remember(scope: IdempotencyScope, key: string, fingerprint: string, response: RememberedResponse): void {
    const nowMs = this.now().getTime();
    this.upsert.run(scope.org, scope.userId, scope.route, key, fingerprint, response.status, JSON.stringify(response.body ?? null), nowMs, nowMs - this.ttlMs);
    if (nowMs - this.lastPurgeMs >= PURGE_EVERY_MS) this.purgeExpired();
  }

  /** Deletes every answer older than the time-to-live; returns how many. */
  purgeExpired(): number {
    this.lastPurgeMs = this.now().getTime();
    return this.purge.run(this.cutoff()).changes;
  }

  /** Rows created at or before this instant have expired. */
  private cutoff(): number {
    return this.now().getTime() - this.ttlMs;
  }
}

export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; status: number; body: string; createdMs: number }>();
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(options: IdempotencyStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.now = options.now ?? (() => new Date());
  }

  lookup(scope: IdempotencyScope, key: string, fingerprint: string): IdempotencyLookup {
    const entry = this.live(scopedIdempotencyKey(scope, key));
    if (entry === undefined) return { kind: 'new' };
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', status: entry.status, body: JSON.parse(entry.body) as unknown };
  }

  remember(scope: IdempotencyScope, key: string, fingerprint: string, response: RememberedResponse): void {
    const id = scopedIdempotencyKey(scope, key);
    if (this.live(id) === undefined) this.entries.set(id, { fingerprint, status: response.status, body: JSON.stringify(response.body ?? null), createdMs: this.now().getTime() });
  }

  private live(id: string): { fingerprint: string; status: number; body: string; createdMs: number } | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.createdMs > this.now().getTime() - this.ttlMs) return entry;
    this.entries.delete(id);
    return undefined;
  }
}

/**
 * The client's key within its organization, user and route, as JSON
 * (`["acme","u-ta","POST /tickets","k-1"]`), so that no choice of organization or user id (which
 * may contain any character) can spell another caller's key: what a command's events are derived
 * from, and what the in-memory store keys its answers by.
 */
export const scopedIdempotencyKey = (scope: IdempotencyScope, key: string): string => JSON.stringify([scope.org, scope.userId, scope.route, key]);
