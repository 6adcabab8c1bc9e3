import { EventStoreDBClient } from '@eventstore/db-client';
import { describeEventStoreContract } from '../event-store.contract';
import { createEsdbEventStore } from './esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from './esdb-test-server.loader';

/** The test server's maximum append size: EventStoreDB's default, 1 MiB. */
const MAX_APPEND_SIZE = 1024 * 1024;
/** Shorter than the adapter's default, to keep the stalled-server case quick. */
const CALL_DEADLINE_MS = 2_000;

const at = (server: EsdbTestServerHandle): { host: string; port: number } => ({ host: '127.0.0.1', port: server.port });

/** One contract run on the test server: over the unary Append, or over BatchAppend as with real servers. */
function describeOnTestServer(name: string, batchAppend: boolean): void {
  describeEventStoreContract(
    name,
    async () => {
      const server = await startEsdbTestServer({ maxAppendSize: MAX_APPEND_SIZE, batchAppend: true });
      // A second node sharing the log, following the first: the two make a cluster.
      const other = await startEsdbTestServer({ data: server.data, maxAppendSize: MAX_APPEND_SIZE, batchAppend: true, followerOf: at(server) });
      let leader = server;
      const store = createEsdbEventStore(server.connectionString, { readAllPageSize: 5, callDeadlineMs: CALL_DEADLINE_MS, batchAppend });
      const admin = EventStoreDBClient.connectionString(server.connectionString);
      return {
        store,
        tombstone: async (streamId) => void (await admin.tombstoneStream(streamId)),
        stall: () => server.stall(),
        resume: () => server.resume(),
        ...(batchAppend ? { busy: (on: boolean) => server.busy(on) } : {}),
        // The leader steps down naming the other node, which leads from then on.
        changeLeader: () => {
          const next = leader === server ? other : server;
          leader.follow(at(next));
          next.lead();
          leader = next;
        },
        cleanup: async () => {
          await admin.dispose();
          await store.close();
          await Promise.all([server.stop(), other.stop()]);
          // The run went over the append path it names.
          expect(batchAppend ? server.calls.append : server.calls.batchAppend).toBe(0);
          // Appends require the leader: no follower took one to forward.
          expect(server.calls.forwarded + other.calls.forwarded).toBe(0);
        },
      };
    },
    // The test double models NotLeader on the unary Append only (a follower refuses a whole
    // BatchAppend call, not each append in it as a real node does), so leader changes run unary.
    { tombstones: true, maxAppendBytes: MAX_APPEND_SIZE, callDeadlineMs: CALL_DEADLINE_MS, busyRefusals: batchAppend, leaderChanges: !batchAppend },
  );
}

// The shared event-store contract, run against the EventStoreDB adapter talking gRPC to the
// in-process test double (a fresh server per store, so every run starts from an empty log).
// Streams are tombstoned through a second, raw client over gRPC, as an operator would. The
// adapter appends over the unary Append unless told to use BatchAppend (`batchAppend`,
// `ESDB_BATCH_APPEND=on`), which the client would use whenever the server offers it (every current
// real server does), so the suite runs over both append paths, on a server that offers both.
// Each store's server has a follower sharing its log, so the unary run also changes the leader
// mid-case (the store meets NotLeader and must move to the new leader).
describeOnTestServer('EventStoreDB adapter on the wire-level test server (unary Append)', false);
describeOnTestServer('EventStoreDB adapter on the wire-level test server (BatchAppend)', true);
