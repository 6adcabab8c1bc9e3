import { EventStoreDBClient } from '@eventstore/db-client';
import { describeEventStoreContract } from '../event-store.contract';
import { EventStoreUnavailableError, comparePositions } from '../event-store.port';
import { createEsdbEventStore } from './esdb.event-store';
import { Recorder, newEvent, settle } from './esdb.test-fixtures';

// The real-server leg: the same contract suite (plus the past-the-end resume) against a real
// EventStoreDB, when one is reachable. Start one with e.g.
//   docker run -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=None
// and run: ESDB_CONNECTION_STRING='esdb://localhost:2113?tls=false' npx jest --selectProjects service esdb.real
const connectionString = process.env['ESDB_CONNECTION_STRING'];
/** The server's `MaxAppendSize`: its default (1 MiB) unless ESDB_MAX_APPEND_SIZE says the server was started with another. */
const maxAppendBytes = Number(process.env['ESDB_MAX_APPEND_SIZE'] ?? 1024 * 1024);

if (connectionString) {
  describeEventStoreContract(
    `EventStoreDB adapter on a real server (${connectionString})`,
    async () => {
      const store = createEsdbEventStore(connectionString);
      const admin = EventStoreDBClient.connectionString(connectionString);
      return {
        store,
        tombstone: async (streamId) => void (await admin.tombstoneStream(streamId)),
        cleanup: async () => {
          await admin.dispose();
          await store.close();
        },
      };
    },
    { tombstones: true, maxAppendBytes },
  );

  describe('EventStoreDB adapter on a real server: resume past the end of the log', () => {
    it('delivers the next event after a stored position that lies past the last record', async () => {
      const store = createEsdbEventStore(connectionString);
      try {
        const stream = `ticket-real-${Date.now()}`;
        const { position } = await store.appendToStream(stream, [newEvent('T1', {})], 'no-stream');
        const pastTheEnd = { commit: position.commit + 1_000_000n, prepare: position.prepare + 1_000_000n };
        const recorder = new Recorder().subscribe(store, { streamPrefixes: [stream], after: pastTheEnd });
        await settle(300);
        const next = await store.appendToStream(stream, [newEvent('T2', {})], 0n);
        await recorder.waitFor((r) => r.events.length === 1, 'T2', 10_000);
        await settle(300);
        expect(recorder.events.map((e) => e.type)).toEqual(['T2']);
        expect(comparePositions(recorder.events[0]!.position, next.position)).toBe(0);
        await recorder.stop();
      } finally {
        await store.close();
      }
    });
  });
} else {
  // One line in the run's output, so a green run never hides that the real server was not tried.
  process.stdout.write(
    'esdb.real.int.test: real-server leg SKIPPED: ESDB_CONNECTION_STRING is not set (e.g. esdb://localhost:2113?tls=false); the adapter ran on the wire-level test double only.\n',
  );

  describe('EventStoreDB adapter without a reachable server (ESDB_CONNECTION_STRING not set)', () => {
    it('reports an unreachable EventStoreDB as EventStoreUnavailableError', async () => {
      // Port 1 on loopback: nothing listens there, so the connection is refused.
      const store = createEsdbEventStore('esdb://127.0.0.1:1?tls=false');
      try {
        await expect(store.appendToStream('ticket-x', [newEvent('T', {})], 'no-stream')).rejects.toBeInstanceOf(
          EventStoreUnavailableError,
        );
        await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      } finally {
        await store.close();
      }
    });
  });
}
