import type Database from 'better-sqlite3';
import type { GlobalPosition } from '../event-store/event-store.port';

/** A projection's serialized model together with the position of the last event folded into it. */
export interface StoredReadModel {
  readonly name: string;
  readonly version: number;
  readonly state: string;
  /** Undefined while no event has been folded. */
  readonly position: GlobalPosition | undefined;
}

/**
 * Where projections keep their model and checkpoint. `save` writes both in one step, so what is
 * loaded after a crash is always a model that matches its checkpoint exactly.
 */
export interface ReadModelStore {
  load(name: string): StoredReadModel | undefined;
  save(model: StoredReadModel): void;
  remove(name: string): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS read_models (
  name             TEXT PRIMARY KEY,
  version          INTEGER NOT NULL,
  state_json       TEXT    NOT NULL,
  commit_position  TEXT,
  prepare_position TEXT,
  updated_at       TEXT    NOT NULL
);
`;

interface Row {
  name: string;
  version: number;
  state_json: string;
  commit_position: string | null;
  prepare_position: string | null;
}

/**
 * Read models in a `read_models` table of a SQLite file: the event store's own file when events
 * live in SQLite, the service's local file when they live in EventStoreDB. Positions are kept
 * as decimal text because EventStoreDB positions can exceed SQLite's signed 64-bit integers.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly selectOne;
  private readonly upsert;
  private readonly deleteOne;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    db.exec(SCHEMA);
    this.selectOne = db.prepare<[string], Row>('SELECT name, version, state_json, commit_position, prepare_position FROM read_models WHERE name = ?');
    this.upsert = db.prepare(
      `INSERT INTO read_models (name, version, state_json, commit_position, prepare_position, updated_at) VALUES (@name, @version, @state, @commit, @prepare, @updatedAt)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, state_json = excluded.state_json, commit_position = excluded.commit_position,
         prepare_position = excluded.prepare_position, updated_at = excluded.updated_at`,
    );
    this.deleteOne = db.prepare('DELETE FROM read_models WHERE name = ?');
  }

  load(name: string): StoredReadModel | undefined {
    const row = this.selectOne.get(name);
    if (row === undefined) return undefined;
    const position = row.commit_position === null || row.prepare_position === null ? undefined : { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
    return { name: row.name, version: row.version, state: row.state_json, position };
  }

  save(model: StoredReadModel): void {
    // One statement: the model and its checkpoint commit together or not at all.
    this.upsert.run({
      name: model.name,
      version: model.version,
      state: model.state,
      commit: model.position?.commit.toString() ?? null,
      prepare: model.position?.prepare.toString() ?? null,
      updatedAt: this.now().toISOString(),
    });
  }

  remove(name: string): void {
    this.deleteOne.run(name);
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

  remove(name: string): void {
    this.models.delete(name);
  }
}
