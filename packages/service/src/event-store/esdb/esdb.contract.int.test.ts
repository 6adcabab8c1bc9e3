import { EventStoreDBClient } from '@eventstore/db-client';
import { describeEventStoreContract } from '../event-store.contract';
import { createEsdbEventStore } from './esdb.event-store';
import { startEsdbTestServer } from './esdb-test-server.loader';

/** The test server's maximum append size: EventStoreDB's default, 1 MiB. */
const MAX_APPEND_SIZE = 1024 * 1024;
/** Shorter than the adapter's default, to keep the stalled-server case quick. */
const CALL_DEADLINE_MS = 2_000;

// The shared event-store contract, run against the EventStoreDB adapter talking gRPC to the
// in-process test double (a fresh server per store, so every run starts from an empty log).
// Streams are tombstoned through a second, raw client over gRPC, as an operator would.
describeEventStoreContract(
  'EventStoreDB adapter on the wire-level test server',
  async () => {
    const server = await startEsdbTestServer({ maxAppendSize: MAX_APPEND_SIZE });
    const store = createEsdbEventStore(server.connectionString, { readAllPageSize: 5, callDeadlineMs: CALL_DEADLINE_MS });
    const admin = EventStoreDBClient.connectionString(server.connectionString);
    return {
      store,
      tombstone: async (streamId) => void (await admin.tombstoneStream(streamId)),
      stall: () => server.stall(),
      resume: () => server.resume(),
      cleanup: async () => {
        await admin.dispose();
        await store.close();
        await server.stop();
      },
    };
  },
  { tombstones: true, maxAppendBytes: MAX_APPEND_SIZE, callDeadlineMs: CALL_DEADLINE_MS },
);
