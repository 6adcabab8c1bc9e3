/**
 * Test-only loader of the EventStoreDB test double, which lives in `test-support/` (outside
 * `src/`, so it is never compiled into the shipped package). The service's tsconfig has
 * `rootDir: src`, so tests cannot import it statically; this loads it at run time under jest
 * and describes the part of its API the tests use. Not exported from the package index.
 */
import path from 'node:path';

/** What `startEsdbTestServer` in test-support/esdb-test-server returns (the tests' view of it). */
export interface EsdbTestServerHandle {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly connectionString: string;
  readonly port: number;
  /** Opaque data of the server; pass it to another server to serve the same events. */
  readonly data: unknown;
  /** Hard stop: open calls are cut, as when the server goes away. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data. */
  restart(): Promise<void>;
  /** Holds every call unanswered, connections open, until `resume()` (a hung or paused node). */
  stall(): void;
  /** Answers the held calls and every later one. */
  resume(): void;
  /** While on, BatchAppend refuses every append with the real server's "Server Is Busy" answer. */
  busy(on: boolean): void;
  /**
   * From now on the node is a follower naming `leader` as the leader: a call carrying
   * `requires-leader: true` is refused with the real server's NotLeader answer; other calls are
   * served (writes as a follower forwards them: on the log, shared when servers share `data`).
   */
  follow(leader: LeaderEndpoint): void;
  /** From now on the node is the leader again. */
  lead(): void;
  /**
   * Calls received so far: unary appends (refused ones included), appends sent through
   * BatchAppend, calls refused with NotLeader, and writes a follower took without
   * `requires-leader` (a real follower forwards those to the leader).
   */
  readonly calls: Readonly<Record<'append' | 'batchAppend' | 'notLeader' | 'forwarded', number>>;
}

/** Where a follower says the leader is. */
export interface LeaderEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface EsdbTestServerStartOptions {
  readonly port?: number;
  readonly data?: unknown;
  /** Emulate servers that report a checkpoint at the end-of-log position (KurrentDB #4970). */
  readonly checkpointAtLogEnd?: boolean;
  /** Largest append accepted, in bytes of data plus metadata (default 1 MiB, the real server's default). */
  readonly maxAppendSize?: number;
  /** Offer BatchAppend, which the client then uses for every append (as with real servers). */
  readonly batchAppend?: boolean;
  /** Start as a follower of this leader (see `follow`). */
  readonly followerOf?: LeaderEndpoint;
}

interface TestServerModule {
  startEsdbTestServer(options?: EsdbTestServerStartOptions): Promise<EsdbTestServerHandle>;
}

const TEST_SERVER_PATH = path.resolve(__dirname, '../../../test-support/esdb-test-server');

/** Starts the EventStoreDB test double on a random loopback port (or `options.port`). */
export async function startEsdbTestServer(options: EsdbTestServerStartOptions = {}): Promise<EsdbTestServerHandle> {
  const loaded = (await import(TEST_SERVER_PATH)) as TestServerModule;
  return loaded.startEsdbTestServer(options);
}
