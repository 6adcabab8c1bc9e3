import { replicaSuite } from './service.replicas.scenario';

/**
 * Three service processes on one SQLite file, a real SMTP server on loopback, the lease holder
 * killed mid-run: see `service.replicas.scenario.ts`. Needs `tsc -b packages/service` (dist/main.js).
 */
jest.setTimeout(60_000);

describe('three replicas on one SQLite file', () => {
  replicaSuite('sqlite');
});
