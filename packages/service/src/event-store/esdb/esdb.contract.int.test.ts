import { describeEventStoreContract } from '../event-store.contract';
import { createEsdbEventStore } from './esdb.event-store';
import { startEsdbTestServer } from './esdb-test-server.loader';

// The shared event-store contract, run against the EventStoreDB adapter talking gRPC to the
// in-process test double (a fresh server per store, so every run starts from an empty log).
describeEventStoreContract('EventStoreDB adapter on the wire-level test server', async () => {
  const server = await startEsdbTestServer();
  const store = createEsdbEventStore(server.connectionString, { readAllPageSize: 5 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await server.stop();
    },
  };
});
