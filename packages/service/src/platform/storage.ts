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
      const checkpointer = WalCheckpointer.start(store.db);
      return {
        store,
        db: store.db,
        description: `events, read models and checkpoints in SQLite file ${config.dbFile}`,
        close: async () => {
          await checkpointer?.stop();
          await store.close();
        },
      };
    }
    case 'memory': {
      const store = new InMemoryEventStore();
      const db = openLocalDatabase(':memory:');
      return {
        store,
        db,
        description: 'events in process memory (EVENT_STORE=memory): everything is lost when the process ends',
        close: async () => {
          await store.close();
          db.close();
        },
      };
    }
    case 'esdb': {
      const store = createEsdbEventStore(config.esdbConnectionString!);
      const db = openLocalDatabase(config.dbFile);
      const checkpointer = WalCheckpointer.start(db);
      return {
        store,
        db,
        description: `events in EventStoreDB (${redact(config.esdbConnectionString!)}); read models, checkpoints, idempotency keys and ticket numbers in SQLite file ${config.dbFile}`,
        close: async () => {
          await checkpointer?.stop();
          await store.close();
          db.close();
        },
      };
    }
  }
}

/** Hides a password in a connection string before it is logged. */
const redact = (connection: string): string => connection.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
