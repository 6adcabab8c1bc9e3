import { EventStoreDBClient } from '@eventstore/db-client';
import { describeEventStoreContract } from '../event-store.contract';
import { createEsdbEventStore } from './esdb.event-store';
import { startEsdbTestServer } from './esdb-test-server.loader';

/** The test server's maximum append size: EventStoreDB's default, 1 MiB. */
const MAX_APPEND_SIZE = 1024 * 1024;
/** Shorter than the adapter's default, to keep the stalled-server case quick. */
const CALL_DEADLINE_MS = 2_000;

/** One contract run on the test server: over the unary Append, or over BatchAppend as with real servers. */
function describeOnTestServer(name: string, batchAppend: boolean): void {
  describeEventStoreContract(
    name,
    async () => {
      const server = await startEsdbTestServer({ maxAppendSize: MAX_APPEND_SIZE, batchAppend: true });
      const store = createEsdbEventStore(server.connectionString, { readAllPageSize: 5, callDeadlineMs: CALL_DEADLINE_MS, batchAppend });
      const admin = EventStoreDBClient.connectionString(server.connectionString);
      return {
        store,
        tombstone: async (streamId) => void (await admin.tombstoneStream(streamId)),
        stall: () => server.stall(),
        resume: () => server.resume(),
        ...(batchAppend ? { busy: (on: boolean) => server.busy(on) } : {}),
        cleanup: async () => {
          await admin.dispose();
          await store.close();
          await server.stop();
          // The run went over the append path it names.
          expect(batchAppend ? server.calls.append : server.calls.batchAppend).toBe(0);
        },
      };
    },
    { tombstones: true, maxAppendBytes: MAX_APPEND_SIZE, callDeadlineMs: CALL_DEADLINE_MS, busyRefusals: batchAppend },
  );
}

// The shared event-store contract, run against the EventStoreDB adapter talking gRPC to the
// in-process test double (a fresh server per store, so every run starts from an empty log).
// Streams are tombstoned through a second, raw client over gRPC, as an operator would. The
// adapter appends over the unary Append unless told to use BatchAppend (`batchAppend`,
// `ESDB_BATCH_APPEND=on`), which the client would use whenever the server offers it (every current
// real server does), so the suite runs over both append paths, on a server that offers both.
describeOnTestServer('EventStoreDB adapter on the wire-level test server (unary Append)', false);
describeOnTestServer('EventStoreDB adapter on the wire-level test server (BatchAppend)', true);
