import { replicaSuite } from './service.replicas.scenario';

/**
 * Three service processes on the EventStoreDB test server (each with a local SQLite file of its
 * own), a real SMTP server on loopback, the lease holder killed mid-run: see
 * `service.replicas.scenario.ts`. Needs `tsc -b packages/service` (dist/main.js).
 */
jest.setTimeout(60_000);

describe('three replicas on the EventStoreDB test server', () => {
  replicaSuite('esdb');
});
