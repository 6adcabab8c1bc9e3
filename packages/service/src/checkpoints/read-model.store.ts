import type Database from 'better-sqlite3';
import type { GlobalPosition } from '../event-store/event-store.port';
import { GroupCommit } from '../event-store/sqlite/group-commit';

/** A projection's serialized model together with the position of the last event folded into it. */
export interface StoredReadModel {
  readonly name: string;
  readonly version: number;
  readonly state: string;
  /** Undefined while no event has been folded. */
  readonly position: GlobalPosition | undefined;
}

/** What is stored beside a model written in chunks: its version and checkpoint. */
export type ReadModelHeader = Pick<StoredReadModel, 'version' | 'position'>;

/**
 * A model being written a chunk at a time (see {@link ReadModelStore.begin}). Nothing of it is
 * visible to `load` until `commit`; a crash before then leaves the previous model, and the
 * chunks already written are discarded by a later commit.
 */
export interface ReadModelWriter {
  /** Stores the next chunk of the serialized model (the chunks joined in order are the model). */
  write(text: string): Promise<void>;
  /**
   * Makes the chunks written the stored model, with its version and checkpoint, in one small
   * write; resolves once that is durable and the previous model's chunks have been discarded.
   */
  commit(header: ReadModelHeader): Promise<void>;
}

/**
 * Where projections keep their model and checkpoint. `save`, and `commit` of a model written in
 * chunks, store both in one step, so what is loaded after a crash is always a model that matches
 * its checkpoint exactly.
 */
export interface ReadModelStore {
  load(name: string): StoredReadModel | undefined;
  /** Writes the whole model and its checkpoint at once, synchronously (at shutdown, in tests). */
  save(model: StoredReadModel): void;
  /**
   * Starts writing a model in chunks, so that a model of any size is stored without one long
   * write blocking the event loop. One writer per name at a time.
   */
  begin(name: string): ReadModelWriter;
  remove(name: string): void;
}

/**
 * Chunks a stored model is cut into (in UTF-16 code units; the read models' JSON is almost all
 * ASCII, so about as many bytes): a chunk is written in about a millisecond, and a batch of
 * {@link DISCARD_BATCH} old ones is deleted in about as long.
 */
export const CHUNK_CHARS = 256 * 1024;
const DISCARD_BATCH = 8;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS read_models (
  name             TEXT    PRIMARY KEY,
  version          INTEGER NOT NULL,
  state_json       TEXT    NOT NULL,
  commit_position  TEXT,
  prepare_position TEXT,
  updated_at       TEXT    NOT NULL,
  snapshot         INTEGER,
  chunk_count      INTEGER
);
CREATE TABLE IF NOT EXISTS read_model_chunks (
  name     TEXT    NOT NULL,
  snapshot INTEGER NOT NULL,
  seq      INTEGER NOT NULL,
  text     TEXT    NOT NULL,
  PRIMARY KEY (name, snapshot, seq)
);
`;

interface Row {
  name: string;
  version: number;
  state_json: string;
  commit_position: string | null;
  prepare_position: string | null;
  snapshot: number | null;
  chunk_count: number | null;
}

/**
 * Read models in a SQLite file: the event store's own file when events live in SQLite, the
 * service's local file when they live in EventStoreDB. Positions are kept as decimal text
 * because EventStoreDB positions can exceed SQLite's signed 64-bit integers.
 *
 * A model is stored as a numbered snapshot of chunks in `read_model_chunks` (one row per chunk
 * of at most {@link CHUNK_CHARS}); its `read_models` row holds the version, the checkpoint and
 * which snapshot is current. Writing a new snapshot never touches the current one: its chunks
 * go in under a new number (in as many small transactions as the caller likes, see
 * {@link begin}), then one small transaction checks they are all there and points the row at
 * them, and only then are the older snapshots' chunks deleted, a few per transaction. Chunks of
 * a snapshot that never got its row (a crash, or another writer) are deleted by the next commit.
 *
 * A row written before chunks existed keeps the whole model in `state_json` (and no snapshot);
 * it is still loaded as it is, and replaced by the first write.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly sql;
  private readonly group: GroupCommit;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    db.exec(SCHEMA);
    // Files made before models were stored in chunks lack the two columns.
    const columns = new Set(db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'read_models\')').all().map((c) => c.name));
    if (!columns.has('snapshot')) db.exec('ALTER TABLE read_models ADD COLUMN snapshot INTEGER');
    if (!columns.has('chunk_count')) db.exec('ALTER TABLE read_models ADD COLUMN chunk_count INTEGER');
    this.sql = {
      selectOne: db.prepare<[string], Row>('SELECT name, version, state_json, commit_position, prepare_position, snapshot, chunk_count FROM read_models WHERE name = ?'),
      selectChunks: db.prepare<[string, number], string>('SELECT text FROM read_model_chunks WHERE name = ? AND snapshot = ? ORDER BY seq').pluck(),
      countChunks: db.prepare<[string, number], number>('SELECT count(*) FROM read_model_chunks WHERE name = ? AND snapshot = ?').pluck(),
      nextSnapshot: db
        .prepare<{ name: string }, number>(
          `SELECT max(coalesce((SELECT max(snapshot) FROM read_model_chunks WHERE name = @name), 0),
                    coalesce((SELECT snapshot FROM read_models WHERE name = @name), 0)) + 1`,
        )
        .pluck(),
      insertChunk: db.prepare<[string, number, number, string]>('INSERT INTO read_model_chunks (name, snapshot, seq, text) VALUES (?, ?, ?, ?)'),
      upsert: db.prepare(
        `INSERT INTO read_models (name, version, state_json, commit_position, prepare_position, updated_at, snapshot, chunk_count)
       VALUES (@name, @version, '', @commit, @prepare, @updatedAt, @snapshot, @chunks)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, state_json = excluded.state_json, commit_position = excluded.commit_position,
         prepare_position = excluded.prepare_position, updated_at = excluded.updated_at, snapshot = excluded.snapshot, chunk_count = excluded.chunk_count`,
      ),
      deleteOlderChunks: db.prepare<[string, number, number]>('DELETE FROM read_model_chunks WHERE rowid IN (SELECT rowid FROM read_model_chunks WHERE name = ? AND snapshot < ? LIMIT ?)'),
      deleteEveryOlderChunk: db.prepare<[string, number]>('DELETE FROM read_model_chunks WHERE name = ? AND snapshot < ?'),
      deleteAllChunks: db.prepare<[string]>('DELETE FROM read_model_chunks WHERE name = ?'),
      deleteOne: db.prepare<[string]>('DELETE FROM read_models WHERE name = ?'),
    };
    this.group = GroupCommit.for(db);
  }

  /** The current model, or undefined when there is none (or its snapshot is incomplete: then it is rebuilt). */
  load(name: string): StoredReadModel | undefined {
    // One read transaction: the row and the chunks it points at are seen as of the same commit.
    return this.db.transaction((): StoredReadModel | undefined => {
      const row = this.sql.selectOne.get(name);
      if (row === undefined) return undefined;
      let state = row.state_json;
      if (row.snapshot !== null) {
        const chunks = this.sql.selectChunks.all(name, row.snapshot);
        if (chunks.length !== row.chunk_count) return undefined;
        state = chunks.join('');
      }
      const position = row.commit_position === null || row.prepare_position === null ? undefined : { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
      return { name: row.name, version: row.version, state, position };
    })();
  }

  save(model: StoredReadModel): void {
    // One transaction: the model and its checkpoint commit together or not at all.
    this.db
      .transaction(() => {
        const snapshot = this.sql.nextSnapshot.get({ name: model.name }) as number;
        let seq = 0;
        for (const chunk of cut(model.state, CHUNK_CHARS)) this.sql.insertChunk.run(model.name, snapshot, seq++, chunk);
        this.point(model.name, model, snapshot, seq);
        this.sql.deleteEveryOlderChunk.run(model.name, snapshot);
      })
      .immediate();
  }

  begin(name: string): ReadModelWriter {
    let snapshot: number | undefined;
    let seq = 0;
    let broken: Error | undefined;
    // A high surrogate ending a chunk waits for the next one: stored alone, as UTF-8, it would be lost.
    let carry = '';
    // Every write goes through the connection's group commit, so chunks share their commit (and
    // fsync) with the appends of the same turn, and no transaction is held across an await. Only
    // the switch to the new snapshot waits for an fsync of its own: it makes the chunks written
    // before it durable too, and old chunks left by a power cut are discarded by the next switch.
    const run = async <T>(work: () => T, durable = false): Promise<T> => {
      if (broken !== undefined) throw broken;
      try {
        return await this.group.run(work, { durable });
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
    };
    return {
      write: async (text) => {
        let chunk = carry + text;
        carry = endsInHighSurrogate(chunk) ? chunk.slice(-1) : '';
        if (carry !== '') chunk = chunk.slice(0, -1);
        if (chunk === '') return;
        await run(() => {
          // Numbered with the first chunk, under the write lock, so two writers never share a snapshot.
          snapshot ??= this.sql.nextSnapshot.get({ name }) as number;
          this.sql.insertChunk.run(name, snapshot, seq, chunk);
          seq += 1;
        });
      },
      commit: async (header) => {
        const committed = await run(() => {
          snapshot ??= this.sql.nextSnapshot.get({ name }) as number;
          if (carry !== '') this.sql.insertChunk.run(name, snapshot, seq++, carry);
          const stored = this.sql.countChunks.get(name, snapshot);
          // A chunk missing (deleted by another writer's commit, or a write lost) must not become the model.
          if (stored !== seq) throw new Error(`read model ${name}: snapshot ${snapshot} has ${String(stored)} of its ${seq} chunks`);
          this.point(name, header, snapshot, seq);
          return snapshot;
        }, true);
        while ((await run(() => this.sql.deleteOlderChunks.run(name, committed, DISCARD_BATCH).changes)) > 0);
      },
    };
  }

  remove(name: string): void {
    this.db
      .transaction(() => {
        this.sql.deleteOne.run(name);
        this.sql.deleteAllChunks.run(name);
      })
      .immediate();
  }

  private point(name: string, header: ReadModelHeader, snapshot: number, chunks: number): void {
    this.sql.upsert.run({
      name,
      version: header.version,
      commit: header.position?.commit.toString() ?? null,
      prepare: header.position?.prepare.toString() ?? null,
      updatedAt: this.now().toISOString(),
      snapshot,
      chunks,
    });
  }
}

/** The same contract in memory, for tests and `EVENT_STORE=memory` without a file. */
export class InMemoryReadModelStore implements ReadModelStore {
  private readonly models = new Map<string, StoredReadModel>();

  load(name: string): StoredReadModel | undefined {
    return this.models.get(name);
  }

  save(model: StoredReadModel): void {
    this.models.set(model.name, { ...model });
  }

  begin(name: string): ReadModelWriter {
    const chunks: string[] = [];
    return {
      write: async (text) => void chunks.push(text),
      commit: async ({ version, position }) => void this.models.set(name, { name, version, position, state: chunks.join('') }),
    };
  }

  remove(name: string): void {
    this.models.delete(name);
  }
}

const endsInHighSurrogate = (text: string): boolean => {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff;
};

/** `text` in pieces of at most `size` UTF-16 units, never splitting a surrogate pair (at least one piece). */
function* cut(text: string, size: number): Generator<string> {
  let at = 0;
  do {
    let end = Math.min(text.length, at + size);
    if (end < text.length && endsInHighSurrogate(text.slice(at, end))) end -= 1;
    yield text.slice(at, end);
    at = end;
  } while (at < text.length);
}
