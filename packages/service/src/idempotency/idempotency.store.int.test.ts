import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { InMemoryIdempotencyStore, requestFingerprint, SqliteIdempotencyStore, type IdempotencyStore } from './idempotency.store';

describe('requestFingerprint', () => {
  it('is the same for the same request whatever the key order, and differs otherwise', () => {
    const a = requestFingerprint('post', '/tickets', { title: 'x', tier: { a: 1, b: 2 } });
    expect(requestFingerprint('POST', '/tickets', { tier: { b: 2, a: 1 }, title: 'x' })).toBe(a);
    expect(requestFingerprint('POST', '/tickets', { title: 'y', tier: { a: 1, b: 2 } })).not.toBe(a);
    expect(requestFingerprint('POST', '/tickets/1/closure', { title: 'x', tier: { a: 1, b: 2 } })).not.toBe(a);
  });
});

describe.each([
  ['in-memory', (): { store: IdempotencyStore; reopen?: () => IdempotencyStore; close(): void } => ({ store: new InMemoryIdempotencyStore(), close: () => undefined })],
  [
    'SQLite',
    (): { store: IdempotencyStore; reopen?: () => IdempotencyStore; close(): void } => {
      const dir = mkdtempSync(join(tmpdir(), 'support-sla-idem-'));
      const file = join(dir, 'idem.sqlite');
      const dbs: Database.Database[] = [new Database(file)];
      return {
        store: new SqliteIdempotencyStore(dbs[0]!),
        reopen: () => {
          dbs[0]!.close();
          const db = new Database(file);
          dbs.push(db);
          return new SqliteIdempotencyStore(db);
        },
        close: () => {
          for (const db of dbs) if (db.open) db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
])('%s idempotency store', (_name, make) => {
  it('replays the first answer for the same user, key and request; refuses a different request', () => {
    const subject = make();
    const { store } = subject;
    expect(store.lookup('u1', 'k1', 'f1')).toEqual({ kind: 'new' });
    store.remember('u1', 'k1', 'f1', { status: 201, body: { ticketId: 't1', position: '5' } });
    store.remember('u1', 'k1', 'f1', { status: 201, body: { ticketId: 'other' } });
    expect(store.lookup('u1', 'k1', 'f1')).toEqual({ kind: 'replay', status: 201, body: { ticketId: 't1', position: '5' } });
    expect(store.lookup('u1', 'k1', 'f2')).toEqual({ kind: 'mismatch' });
    // Keys are per user: another user's identical key is a different request.
    expect(store.lookup('u2', 'k1', 'f1')).toEqual({ kind: 'new' });
    const reopened = subject.reopen?.();
    if (reopened) expect(reopened.lookup('u1', 'k1', 'f1')).toEqual({ kind: 'replay', status: 201, body: { ticketId: 't1', position: '5' } });
    subject.close();
  });
});
