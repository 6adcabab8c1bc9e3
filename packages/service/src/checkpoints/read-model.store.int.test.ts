import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../event-store/sqlite/open-database';
import { CHUNK_CHARS, SqliteReadModelStore, type StoredReadModel } from './read-model.store';

describe('SqliteReadModelStore', () => {
  let dir: string;
  let file: string;
  const open: Database.Database[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-read-models-'));
    file = join(dir, 'service.sqlite');
  });
  afterEach(() => {
    for (const db of open.splice(0)) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const openDb = (): Database.Database => {
    const db = openDatabase(file, { synchronous: 'FULL' });
    open.push(db);
    return db;
  };
  /** Chunk rows by snapshot, e.g. `{ 2: 3 }`. */
  const chunksBySnapshot = (db: Database.Database, name = 'm'): Record<number, number> =>
    Object.fromEntries(
      db
        .prepare<[string], { snapshot: number; n: number }>('SELECT snapshot, count(*) AS n FROM read_model_chunks WHERE name = ? GROUP BY snapshot')
        .all(name)
        .map((r) => [r.snapshot, r.n]),
    );
  /** A stored model with its state as a hash (a failing comparison of megabytes of text is unreadable). */
  const summary = (model: StoredReadModel | undefined) =>
    model && { ...model, state: `${model.state.length} chars, sha256 ${createHash('sha256').update(model.state).digest('hex')}` };
  // Non-ASCII and astral characters, so that cutting into chunks by UTF-16 units is exercised.
  const bigState = (tag: string, chunks: number): string => {
    const head = `{"tag":"${tag}","text":"`;
    // A surrogate pair across the first chunk boundary, where a naive cut would break it.
    const text = `${head}${'é'.repeat(CHUNK_CHARS - 1 - head.length)}😀${'é'.repeat((chunks - 1) * CHUNK_CHARS - 13)}"}`;
    expect(text.length).toBe(chunks * CHUNK_CHARS - 10);
    expect(text.codePointAt(CHUNK_CHARS - 1)).toBe(0x1f600);
    return text;
  };

  it('saves a large model in chunks and loads the same string; the previous snapshot goes', () => {
    const db = openDb();
    const store = new SqliteReadModelStore(db);
    const first = bigState('first', 3);
    store.save({ name: 'm', version: 1, state: first, position: { commit: 5n, prepare: 5n } });
    expect(summary(store.load('m'))).toEqual(summary({ name: 'm', version: 1, state: first, position: { commit: 5n, prepare: 5n } }));
    expect(chunksBySnapshot(db)).toEqual({ 1: 3 });

    const second = bigState('second', 2);
    store.save({ name: 'm', version: 2, state: second, position: undefined });
    expect(summary(store.load('m'))).toEqual(summary({ name: 'm', version: 2, state: second, position: undefined }));
    expect(chunksBySnapshot(db)).toEqual({ 2: 2 });
    store.save({ name: 'm', version: 2, state: '', position: undefined });
    expect(store.load('m')?.state).toBe('');

    store.remove('m');
    expect(store.load('m')).toBeUndefined();
    expect(chunksBySnapshot(db)).toEqual({});
  });

  it('a model written in chunks is invisible until its commit, which discards the older snapshots', async () => {
    const db = openDb();
    const store = new SqliteReadModelStore(db);
    store.save({ name: 'm', version: 1, state: 'old', position: { commit: 1n, prepare: 1n } });
    store.save({ name: 'other', version: 1, state: 'theirs', position: undefined });
    const writer = store.begin('m');
    const pieces = Array.from({ length: 20 }, (_, i) => `piece ${i};`);
    for (const piece of pieces) {
      await writer.write(piece);
      expect(store.load('m')?.state).toBe('old');
    }
    expect(chunksBySnapshot(db)).toEqual({ 1: 1, 2: 20 });
    await writer.commit({ version: 1, position: { commit: 9n, prepare: 8n } });
    expect(store.load('m')).toEqual({ name: 'm', version: 1, state: pieces.join(''), position: { commit: 9n, prepare: 8n } });
    expect(chunksBySnapshot(db)).toEqual({ 2: 20 });
    expect(store.load('other')?.state).toBe('theirs');
  });

  it('after a crash in the middle of a chunked write, the previous model loads and the next commit removes the leftovers', async () => {
    const db = openDb();
    const store = new SqliteReadModelStore(db);
    const old = bigState('old', 2);
    store.save({ name: 'm', version: 1, state: old, position: { commit: 3n, prepare: 3n } });
    const writer = store.begin('m');
    await writer.write('{"half":');
    await writer.write('"written');
    db.close(); // crash: the commit never happens
    await expect(writer.commit({ version: 1, position: { commit: 4n, prepare: 4n } })).rejects.toThrow();

    const reopened = openDb();
    const again = new SqliteReadModelStore(reopened);
    expect(summary(again.load('m'))).toEqual(summary({ name: 'm', version: 1, state: old, position: { commit: 3n, prepare: 3n } }));
    expect(chunksBySnapshot(reopened)).toEqual({ 1: 2, 2: 2 });
    const next = again.begin('m');
    await next.write('{"new":true}');
    await next.commit({ version: 1, position: { commit: 7n, prepare: 7n } });
    expect(again.load('m')?.state).toBe('{"new":true}');
    expect(chunksBySnapshot(reopened)).toEqual({ 3: 1 });
  });

  it('never splits a surrogate pair between two written chunks', async () => {
    const db = openDb();
    const store = new SqliteReadModelStore(db);
    const writer = store.begin('m');
    const text = '["a😀b","😀","é"]';
    // Cut at every UTF-16 unit, so both halves of each pair arrive in different writes.
    for (const unit of text.split('')) await writer.write(unit);
    await writer.commit({ version: 1, position: undefined });
    expect(store.load('m')?.state).toBe(text);
  });

  it('a snapshot missing chunks never becomes the model', async () => {
    const db = openDb();
    const store = new SqliteReadModelStore(db);
    const slow = store.begin('m');
    await slow.write('slow 1');
    // Another writer (say, another process) commits meanwhile and discards every older snapshot.
    store.save({ name: 'm', version: 1, state: 'fast', position: { commit: 2n, prepare: 2n } });
    await slow.write('slow 2');
    await expect(slow.commit({ version: 1, position: { commit: 1n, prepare: 1n } })).rejects.toThrow(/has 1 of its 2 chunks/);
    expect(store.load('m')?.state).toBe('fast');
    // And a row whose chunks are gone loads as no model (rebuilt), never as a partial one.
    db.prepare('DELETE FROM read_model_chunks').run();
    expect(store.load('m')).toBeUndefined();
  });

  it('loads a row stored before chunks existed, and replaces it on the next write', () => {
    const db = openDb();
    db.exec(`CREATE TABLE read_models (name TEXT PRIMARY KEY, version INTEGER NOT NULL, state_json TEXT NOT NULL,
             commit_position TEXT, prepare_position TEXT, updated_at TEXT NOT NULL)`);
    db.prepare("INSERT INTO read_models VALUES ('m', 1, '{\"legacy\":1}', '12', '11', '2026-01-01T00:00:00.000Z')").run();
    const store = new SqliteReadModelStore(db);
    expect(store.load('m')).toEqual({ name: 'm', version: 1, state: '{"legacy":1}', position: { commit: 12n, prepare: 11n } });
    store.save({ name: 'm', version: 1, state: '{"current":1}', position: { commit: 13n, prepare: 13n } });
    expect(store.load('m')?.state).toBe('{"current":1}');
    expect(db.prepare('SELECT state_json FROM read_models').pluck().get()).toBe('');
  });
});
