import type Database from 'better-sqlite3';
import { openDatabase } from '../event-store/sqlite/open-database';
import type { ServiceConfig } from '../config/service-config';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import type { EventStore } from '../event-store/event-store.port';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { WalCheckpointer } from '../event-store/sqlite/wal-checkpointer';

/** The service's persistence, opened once at start-up. */
export interface ServiceStorage {
  readonly store: EventStore;
  /**
   * The local SQLite connection for read models, checkpoints, idempotency keys and ticket numbers:
   * the event store's own file with `EVENT_STORE=sqlite`, a file of its own beside EventStoreDB,
   * a private in-memory database with `EVENT_STORE=memory`.
   */
  readonly db: Database.Database;
  /** One line for the start-up log: where events and local state live. */
  readonly description: string;
  close(): Promise<void>;
}

const openLocalDatabase = (file: string): Database.Database => openDatabase(file, { synchronous: 'FULL' });

/** Opens the event store chosen by `EVENT_STORE` and the local database beside it. */
export async function openStorage(config: ServiceConfig): Promise<ServiceStorage> {
  switch (config.eventStore) {
    case 'sqlite': {
      const store = SqliteEventStore.open(config.dbFile);
      return withCheckpointer(store, store.db, `events, read models and checkpoints in SQLite file ${config.dbFile}`);
    }
    case 'memory':
      return withCheckpointer(new InMemoryEventStore(), openLocalDatabase(':memory:'), 'events in process memory (EVENT_STORE=memory): everything is lost when the process ends');
    case 'esdb':
      return withCheckpointer(
        createEsdbEventStore(config.esdbConnectionString!, { callDeadlineMs: config.esdbCallDeadlineMs, batchAppend: config.esdbBatchAppend }),
        openLocalDatabase(config.dbFile),
        `events in EventStoreDB (${redact(config.esdbConnectionString!)}); read models, checkpoints, idempotency keys and ticket numbers in SQLite file ${config.dbFile}`,
      );
  }
}

/**
 * The storage, with the WAL checkpointer thread on a database file (none for an in-memory one).
 * Closing stops the thread, then the store, then the database (unless the store closed it: SQLite's own).
 */
const withCheckpointer = (store: EventStore, db: Database.Database, description: string): ServiceStorage => {
  const checkpointer = WalCheckpointer.start(db);
  return {
    store,
    db,
    description,
    close: async () => {
      await checkpointer?.stop();
      await store.close();
      if (db.open) db.close();
    },
  };
};

/** Hides a password in a connection string before it is logged. */
const redact = (connection: string): string => connection.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
