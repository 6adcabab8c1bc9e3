import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MAX_JSON_DEPTH } from '../http/json-depth';
import { RequestValidationError } from '../http/validation';
import { InMemoryIdempotencyStore, requestFingerprint, SqliteIdempotencyStore, type IdempotencyStore } from './idempotency.store';

describe('requestFingerprint', () => {
  it('is the same for the same request whatever the key order, and differs otherwise', () => {
    const a = requestFingerprint('post', '/tickets', { title: 'x', tier: { a: 1, b: 2 } });
    expect(requestFingerprint('POST', '/tickets', { tier: { b: 2, a: 1 }, title: 'x' })).toBe(a);
    expect(requestFingerprint('POST', '/tickets', { title: 'y', tier: { a: 1, b: 2 } })).not.toBe(a);
    expect(requestFingerprint('POST', '/tickets/1/closure', { title: 'x', tier: { a: 1, b: 2 } })).not.toBe(a);
  });

  it('refuses a body nested deeper than the limit with a 400 naming where, instead of overflowing the stack (issue 20)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 8_000; i++) deep = i % 2 === 0 ? { a: deep } : [deep];
    expect(() => requestFingerprint('POST', '/tickets', deep)).toThrow(RequestValidationError);
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = { a: ok };
    expect(requestFingerprint('POST', '/tickets', ok)).toMatch(/^[0-9a-f]{64}$/);
  });
});

const acme = (userId = 'u1', route = 'POST /tickets') => ({ org: 'acme', userId, route });
const globex = { org: 'globex', userId: 'u1', route: 'POST /tickets' };

interface Subject {
  readonly store: IdempotencyStore;
  reopen?: () => IdempotencyStore;
  close(): void;
  /** Moves the stores' clock forward. */
  advance(ms: number): void;
  /** Rows left in the table (SQLite only). */
  rows?: () => number;
}

describe.each([
  [
    'in-memory',
    (ttlMs?: number): Subject => {
      let now = Date.parse('2026-03-10T12:00:00Z');
      return { store: new InMemoryIdempotencyStore({ ttlMs, now: () => new Date(now) }), close: () => undefined, advance: (ms) => void (now += ms) };
    },
  ],
  [
    'SQLite',
    (ttlMs?: number): Subject => {
      let now = Date.parse('2026-03-10T12:00:00Z');
      const clock = () => new Date(now);
      const dir = mkdtempSync(join(tmpdir(), 'support-sla-idem-'));
      const file = join(dir, 'idem.sqlite');
      const dbs: Database.Database[] = [new Database(file)];
      return {
        store: new SqliteIdempotencyStore(dbs[0]!, { ttlMs, now: clock }),
        reopen: () => {
          dbs[0]!.close();
          const db = new Database(file);
          dbs.push(db);
          return new SqliteIdempotencyStore(db, { ttlMs, now: clock });
        },
        close: () => {
          for (const db of dbs) if (db.open) db.close();
          rmSync(dir, { recursive: true, force: true });
        },
        advance: (ms) => void (now += ms),
        rows: () => (dbs[dbs.length - 1]!.prepare('SELECT COUNT(*) AS n FROM idempotency_keys').get() as { n: number }).n,
      };
    },
  ],
])('%s idempotency store', (_name, make) => {
  it('replays the first answer for the same caller, route, key and request; refuses a different request', () => {
    const subject = make();
    const { store } = subject;
    expect(store.lookup(acme(), 'k1', 'f1')).toEqual({ kind: 'new' });
    store.remember(acme(), 'k1', 'f1', { status: 201, body: { ticketId: 't1', position: '5' } });
    store.remember(acme(), 'k1', 'f1', { status: 201, body: { ticketId: 'other' } });
    expect(store.lookup(acme(), 'k1', 'f1')).toEqual({ kind: 'replay', status: 201, body: { ticketId: 't1', position: '5' } });
    expect(store.lookup(acme(), 'k1', 'f2')).toEqual({ kind: 'mismatch' });
    // Keys are per user: another user's identical key is a different request.
    expect(store.lookup(acme('u2'), 'k1', 'f1')).toEqual({ kind: 'new' });
    const reopened = subject.reopen?.();
    if (reopened) expect(reopened.lookup(acme(), 'k1', 'f1')).toEqual({ kind: 'replay', status: 201, body: { ticketId: 't1', position: '5' } });
    subject.close();
  });

  it('keeps the same user id in two organizations, and one key on two routes, apart (issue 20)', () => {
    const subject = make();
    const { store } = subject;
    store.remember(acme(), 'k1', 'f1', { status: 201, body: { ticketId: 't-acme' } });
    expect(store.lookup(globex, 'k1', 'f1')).toEqual({ kind: 'new' });
    store.remember(globex, 'k1', 'f1', { status: 201, body: { ticketId: 't-globex' } });
    expect(store.lookup(globex, 'k1', 'f1')).toEqual({ kind: 'replay', status: 201, body: { ticketId: 't-globex' } });
    expect(store.lookup(acme(), 'k1', 'f1')).toEqual({ kind: 'replay', status: 201, body: { ticketId: 't-acme' } });
    expect(store.lookup(acme('u1', 'POST /tickets/t1/closure'), 'k1', 'f9')).toEqual({ kind: 'new' });
    subject.close();
  });

  it('forgets an answer once its time-to-live has passed, and purges expired rows (issue 20)', () => {
    const subject = make(60 * 60_000);
    const { store } = subject;
    store.remember(acme(), 'k1', 'f1', { status: 201, body: { n: 1 } });
    subject.advance(30 * 60_000);
    store.remember(acme(), 'k2', 'f2', { status: 201, body: { n: 2 } });
    expect(store.lookup(acme(), 'k1', 'f1')).toMatchObject({ kind: 'replay' });
    subject.advance(31 * 60_000);
    // k1 is 61 minutes old: a new request again, which may use the key for another body.
    expect(store.lookup(acme(), 'k1', 'f1')).toEqual({ kind: 'new' });
    expect(store.lookup(acme(), 'k1', 'f-other')).toEqual({ kind: 'new' });
    store.remember(acme(), 'k1', 'f-other', { status: 201, body: { n: 3 } });
    expect(store.lookup(acme(), 'k1', 'f-other')).toEqual({ kind: 'replay', status: 201, body: { n: 3 } });
    expect(store.lookup(acme(), 'k2', 'f2')).toMatchObject({ kind: 'replay' });
    if (subject.rows !== undefined) {
      // A day later every row has expired; the next answer remembered purges them.
      subject.advance(24 * 3600_000);
      store.remember(acme(), 'k3', 'f3', { status: 201, body: { n: 4 } });
      expect(subject.rows()).toBe(1);
    }
    subject.close();
  });
});

describe('SqliteIdempotencyStore schema', () => {
  it('replaces the table of earlier versions, keyed by user and key only', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE idempotency_keys (user_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body_json TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (user_id, key))');
    db.prepare("INSERT INTO idempotency_keys VALUES ('u1', 'k1', 'f1', 201, '{}', '2026-01-01T00:00:00Z')").run();
    const store = new SqliteIdempotencyStore(db);
    expect(store.lookup(acme(), 'k1', 'f1')).toEqual({ kind: 'new' });
    store.remember(acme(), 'k1', 'f1', { status: 201, body: {} });
    expect(store.lookup(acme(), 'k1', 'f1')).toMatchObject({ kind: 'replay' });
    db.close();
  });
});
