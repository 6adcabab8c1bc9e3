import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import { startEsdbTestServer } from '../event-store/esdb/esdb-test-server.loader';
import type { EventStore } from '../event-store/event-store.port';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';

/**
 * One event store as several processes or replicas reach it: each `connect()` is a connection of
 * its own where the store has connections (another SQLite connection to the same file, another
 * client of the same EventStoreDB test server); in memory it is the one store.
 */
export interface SharedStore {
  connect(): EventStore;
  /** Closes every connection made, and the server or the file's folder. */
  close(): Promise<void>;
  /** The SQLite file, when the store is one (for `audit verify`). */
  readonly file?: string;
}

/** A store's name (for test titles) and how to open it. */
type Named = readonly [name: string, open: () => Promise<SharedStore>];

export const MEMORY_STORE: Named = [
  'in memory',
  async () => {
    const store = new InMemoryEventStore();
    return { connect: () => store, close: () => store.close() };
  },
];

export const SQLITE_FILE: Named = [
  'on a SQLite file, one connection per replica',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-sla-shared-'));
    const file = join(dir, 'service.sqlite');
    const opened: SqliteEventStore[] = [];
    return {
      file,
      connect: () => {
        const store = SqliteEventStore.open(file, { pollMs: 20 });
        opened.push(store);
        return store;
      },
      close: async () => {
        for (const store of opened) await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
];

export const ESDB_TEST_SERVER: Named = [
  'on the EventStoreDB test server, one client per replica',
  async () => {
    const server = await startEsdbTestServer();
    const opened: EventStore[] = [];
    return {
      connect: () => {
        const store = createEsdbEventStore(server.connectionString);
        opened.push(store);
        return store;
      },
      close: async () => {
        for (const store of opened) await store.close();
        await server.stop();
      },
    };
  },
];

/** The three, for `describe.each`: memory, a SQLite file, the EventStoreDB test server. */
export const SHARED_STORES: readonly Named[] = [MEMORY_STORE, SQLITE_FILE, ESDB_TEST_SERVER];
