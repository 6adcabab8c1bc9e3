/** Test double of an EventStoreDB node; see `esdb-test-server.ts` for what it models. Test code only. */
export { startEsdbTestServer, type EsdbTestServer, type EsdbTestServerCalls, type EsdbTestServerOptions, type LeaderEndpoint } from './esdb-test-server';
export { EsdbLog, type LogRecord } from './esdb-log';
