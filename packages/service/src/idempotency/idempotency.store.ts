import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { canonicalJson } from '../hash-chain/canonical-json';

/** A remembered answer to a keyed request. */
export interface RememberedResponse {
  readonly status: number;
  readonly body: unknown;
}

export type IdempotencyLookup =
  /** Never seen: run the request, then remember its answer. */
  | { readonly kind: 'new' }
  /** Seen with the same request: answer exactly as before, run nothing. */
  | ({ readonly kind: 'replay' } & RememberedResponse)
  /** Seen with a different request: the key was reused for something else. */
  | { readonly kind: 'mismatch' };

/**
 * Answers to requests sent with an `Idempotency-Key`, keyed by (user, key), so a retry after a
 * lost response gets the same answer without running the command again, also after a restart.
 */
export interface IdempotencyStore {
  lookup(userId: string, key: string, fingerprint: string): IdempotencyLookup;
  /** Remembers the first answer for (user, key); a later save for the same pair is ignored. */
  remember(userId: string, key: string, fingerprint: string, response: RememberedResponse): void;
}

/** SHA-256 of the method, path and canonical body: what "the same request" means. */
export const requestFingerprint = (method: string, path: string, body: unknown): string =>
  createHash('sha256').update(canonicalJson({ method: method.toUpperCase(), path, body: body ?? null })).digest('hex');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
  user_id     TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  status      INTEGER NOT NULL,
  body_json   TEXT    NOT NULL,
  created_at  TEXT    NOT NULL,
  PRIMARY KEY (user_id, key)
);
`;

export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly select;
  private readonly insert;

  constructor(
    db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    db.exec(SCHEMA);
    this.select = db.prepare<[string, string], { fingerprint: string; status: number; body_json: string }>(
      'SELECT fingerprint, status, body_json FROM idempotency_keys WHERE user_id = ? AND key = ?',
    );
    this.insert = db.prepare('INSERT OR IGNORE INTO idempotency_keys (user_id, key, fingerprint, status, body_json, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  }

  lookup(userId: string, key: string, fingerprint: string): IdempotencyLookup {
    const row = this.select.get(userId, key);
    if (row === undefined) return { kind: 'new' };
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', status: row.status, body: JSON.parse(row.body_json) as unknown };
  }

  remember(userId: string, key: string, fingerprint: string, response: RememberedResponse): void {
    this.insert.run(userId, key, fingerprint, response.status, JSON.stringify(response.body ?? null), this.now().toISOString());
  }
}

export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; status: number; body: string }>();

  lookup(userId: string, key: string, fingerprint: string): IdempotencyLookup {
    const entry = this.entries.get(JSON.stringify([userId, key]));
    if (entry === undefined) return { kind: 'new' };
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return { kind: 'replay', status: entry.status, body: JSON.parse(entry.body) as unknown };
  }

  remember(userId: string, key: string, fingerprint: string, response: RememberedResponse): void {
    const id = JSON.stringify([userId, key]);
    if (!this.entries.has(id)) this.entries.set(id, { fingerprint, status: response.status, body: JSON.stringify(response.body ?? null) });
  }
}
