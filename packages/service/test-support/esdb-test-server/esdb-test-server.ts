/**
 * EventStoreDB wire-level TEST DOUBLE. Test code only: never exported from the service's
 * `src/index.ts`, never selectable as a production store, and it lives outside `src/` so it is
 * never compiled into the shipped package.
 *
 * It starts, in process on a random loopback port (or a given one), a real gRPC server built
 * with `@grpc/grpc-js` and the protobuf/gRPC code generated and shipped inside
 * `@eventstore/db-client` itself (`generated/streams_grpc_pb`, `streams_pb`, `shared_pb`,
 * `serverfeatures_grpc_pb`), so the messages on the wire are exactly the ones the pinned client
 * reads and writes. The real `EventStoreDBClient` connects to it with
 * `esdb://127.0.0.1:<port>?tls=false`.
 *
 * What it models (the parts of the protocol the client uses for streams):
 * - `Streams.Append`: expected revision any / no-stream / stream-exists / exact, wrong-expected-
 *   version results, idempotent event ids (a batch already written at the expected place is
 *   answered with the original result), tombstoned streams, and the maximum append size
 *   (`maxAppendSize`, default 1 MiB as on the real server; refused with the real server's
 *   `maximum-append-size-exceeded` error).
 * - `Streams.Read`: a stream forwards/backwards (`StreamNotFound` for unknown or soft-deleted
 *   streams), `$all` forwards/backwards, filters on stream name or event type by prefix or
 *   regex, catch-up-then-live subscriptions to a stream and to `$all`, checkpoints every
 *   `checkpointIntervalMultiplier × window` scanned records (window = `max` or 32), and the
 *   `CaughtUp` message.
 * - `Streams.Delete` (soft delete: writes `$metadata` with `$tb` to `$$<stream>`) and
 *   `Streams.Tombstone` (writes `$streamDeleted`; later reads/appends fail "stream-deleted").
 * - `Streams.BatchAppend` (option `batchAppend`): the duplex append path the pinned client takes
 *   whenever a server offers it, with the same rules as `Append`, answers carrying the real
 *   server's error details (wrong expected version, stream deleted, maximum append size), and a
 *   `busy(true)` switch answering "Server Is Busy" as a real server refusing a write does.
 * - `ServerFeatures.GetSupportedMethods`: lists the methods above; `BatchAppend` only with the
 *   `batchAppend` option, so by default the client uses plain appends.
 * - A follower node (option `followerOf`, switches `follow(leader)` / `lead()`): as a real
 *   follower, it refuses every call carrying the `requires-leader: true` header (appends, reads,
 *   deletes, tombstones) with the real server's NotLeader answer, `NOT_FOUND` "Leader info
 *   available" with the trailers `exception: not-leader`, `leader-endpoint-host` and
 *   `leader-endpoint-port`, and takes the rest: a real follower serves reads itself and forwards
 *   a write without the header to the leader. Two servers given the same `data` model a cluster
 *   whose nodes share one log, so a "forwarded" write is one written to that shared log (counted
 *   in `calls.forwarded`). A BatchAppend call with the header is refused as a whole with the same
 *   answer (the real server's per-append details are not modelled).
 * Positions are sparse byte-offset-like numbers with commit == prepare, as in EventStoreDB
 * without explicit transactions.
 *
 * What it does NOT model: persistent subscriptions, projections, users/ACLs/authentication
 * (credentials are ignored), TLS, gossip/cluster discovery and elections (a test switches the
 * roles; replication lag does not exist, the nodes share one log), a follower without a known
 * leader ("Server Is Not Ready"), operations such as scavenging, stream metadata other than the `$tb` of a soft
 * delete (`$maxAge`, `$maxCount`, `$acl` …), `resolveLinkTos`/link events, structured UUIDs,
 * deadlines, "fell behind"/"consumer too slow" drops, explicit transactions (commit ≠ prepare),
 * gRPC message size limits other than the append size, and durability (data lives in memory; `restart()` keeps it).
 *
 * `stall()` makes the server hold every call unanswered (connections stay open) until `resume()`.
 *
 * `checkpointAtLogEnd` reproduces a server quirk (KurrentDB issue #4970 / the 24.10 regression):
 * a filtered subscription that reaches the end of the log reports a checkpoint equal to the
 * end-of-log position, i.e. where the NEXT event will be written.
 */
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtoEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  DeleteReq,
  DeleteResp,
  ReadReq,
  ReadResp,
  TombstoneReq,
  TombstoneResp,
} from '@eventstore/db-client/generated/streams_pb';
import {
  AllStreamPosition,
  Empty,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { EsdbLog, type AppendOutcome, type LogRecord, type ProposedEvent, type WireExpected } from './esdb-log';

export interface EsdbTestServerOptions {
  /** Port to listen on (loopback only); a random free port when omitted. */
  readonly port?: number;
  /** Data to serve; pass a previous server's `data` to share events. A fresh log when omitted. */
  readonly data?: EsdbLog;
  /** Emulate the end-of-log checkpoint quirk described in the header comment. */
  readonly checkpointAtLogEnd?: boolean;
  /**
   * Largest append accepted, in bytes of event data plus custom metadata (the real server's
   * `MaxAppendSize`, default 1 MiB). A larger append fails as the real server fails it:
   * `INVALID_ARGUMENT` with the `maximum-append-size-exceeded` exception trailer.
   */
  readonly maxAppendSize?: number;
  /**
   * Offer `Streams.BatchAppend` in `GetSupportedMethods`, as real servers (21.10 and later) do.
   * The pinned client then sends every append through it instead of the unary `Append`.
   * Off by default: the unary path.
   */
  readonly batchAppend?: boolean;
  /** Start as a follower of this leader (see `follow`). A leader when omitted. */
  readonly followerOf?: LeaderEndpoint;
}

/** Where a follower says the leader is (the `leader-endpoint-host` / `-port` trailers). */
export interface LeaderEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Calls received so far, by kind. */
export interface EsdbTestServerCalls {
  /** Unary appends, refused ones included. */
  append: number;
  /** Appends sent through BatchAppend (one per appended batch). */
  batchAppend: number;
  /** Calls refused with NotLeader (while a follower, calls carrying `requires-leader: true`). */
  notLeader: number;
  /** Writes taken while a follower without `requires-leader` (a real follower forwards them to the leader). */
  forwarded: number;
}

export interface EsdbTestServer {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  readonly connectionString: string;
  readonly port: number;
  readonly data: EsdbLog;
  /** Hard stop: open calls (subscriptions included) are cut, as when the server goes away. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same data (after `stop()`, or stopping first). */
  restart(): Promise<void>;
  /**
   * From now on the server accepts connections and calls but answers none of them (as a node
   * that is hung, or paused for a long collection): calls wait, holding their connection open,
   * until `resume()`. Open subscriptions are not touched.
   */
  stall(): void;
  /** Answers the held calls and every later one. */
  resume(): void;
  /**
   * While on, BatchAppend answers every append as a real server does when it is too busy to
   * take the write: an error status "Server Is Busy" with empty details, and nothing written.
   */
  busy(on: boolean): void;
  /**
   * From now on the node is a follower naming `leader` as the leader: calls carrying
   * `requires-leader: true` are refused with the real server's NotLeader answer.
   */
  follow(leader: LeaderEndpoint): void;
  /** From now on the node is the leader again. */
  lead(): void;
  /** Calls received so far, by kind. */
  readonly calls: Readonly<EsdbTestServerCalls>;
}

const DEFAULT_FILTER_WINDOW = 32;
/** EventStoreDB's default `MaxAppendSize` (1 MiB). */
export const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
const YIELD_EVERY = 256;

/** Starts the test double; see the header comment for what it does and does not model. */
export async function startEsdbTestServer(options: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
  const data = options.data ?? new EsdbLog();
  const behaviour: Behaviour = {
    checkpointAtLogEnd: options.checkpointAtLogEnd ?? false,
    maxAppendSize: options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE,
    gate: new Gate(),
    batchAppend: options.batchAppend ?? false,
    busy: false,
    leader: options.followerOf,
    calls: { append: 0, batchAppend: 0, notLeader: 0, forwarded: 0 },
  };
  let server: grpc.Server | undefined = createServer(data, behaviour);
  const port = await bind(server, options.port ?? 0);
  const connectionString = `esdb://127.0.0.1:${port}?tls=false`;

  const stop = async (): Promise<void> => {
    if (!server) return;
    server.forceShutdown();
    server = undefined;
  };
  const restart = async (): Promise<void> => {
    await stop();
    const next = createServer(data, behaviour);
    await bind(next, port);
    server = next;
  };
  return {
    connectionString,
    port,
    data,
    stop,
    restart,
    stall: () => behaviour.gate.close(),
    resume: () => behaviour.gate.open(),
    busy: (on) => void (behaviour.busy = on),
    follow: (leader) => void (behaviour.leader = { host: leader.host, port: leader.port }),
    lead: () => void (behaviour.leader = undefined),
    calls: behaviour.calls,
  };
}

interface Behaviour {
  readonly checkpointAtLogEnd: boolean;
  readonly maxAppendSize: number;
  /** Closed while the server is stalled: every call waits at it before it is answered. */
  readonly gate: Gate;
  readonly batchAppend: boolean;
  busy: boolean;
  /** Set while the node is a follower: where it says the leader is. */
  leader: LeaderEndpoint | undefined;
  readonly calls: EsdbTestServerCalls;
}

/** Open by default; `passed()` resolves at once while open, else when it opens again. */
class Gate {
  private closed: { promise: Promise<void>; open: () => void } | undefined;

  close(): void {
    if (this.closed) return;
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.closed = { promise, open };
  }

  open(): void {
    const closed = this.closed;
    this.closed = undefined;
    closed?.open();
  }

  passed(): Promise<void> {
    return this.closed?.promise ?? Promise.resolve();
  }
}

async function bind(server: grpc.Server, port: number): Promise<number> {
  // A port just released by forceShutdown can take a moment to be free again.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<number>((resolve, reject) =>
        server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      );
    } catch (error) {
      if (attempt >= 20 || port === 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function createServer(log: EsdbLog, behaviour: Behaviour): grpc.Server {
  const server = new grpc.Server();
  server.addService(StreamsService, {
    read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => {
      behaviour.gate
        .passed()
        .then(() => {
          refuseIfNotLeader(behaviour, call);
          return handleRead(log, behaviour, call);
        })
        .catch((error: unknown) => {
        if (!call.cancelled) call.emit('error', toStatus(error));
      });
    },
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) =>
      handleAppend(log, behaviour, call, callback),
    delete: async (call: grpc.ServerUnaryCall<DeleteReq, DeleteResp>, callback: grpc.sendUnaryData<DeleteResp>) => {
      await behaviour.gate.passed();
      const refused = notLeaderRefusal(behaviour, call);
      if (refused) return callback(refused);
      const options = call.request.getOptions();
      if (!options) return callback(invalidArgument('missing delete options'));
      const name = streamNameOf(options.getStreamIdentifier());
      const outcome = log.softDelete(name, expectedOf(options), new Date());
      if (outcome.kind !== 'success') return callback(outcomeError(name, outcome));
      const resp = new DeleteResp();
      if (outcome.position === undefined) resp.setNoPosition(new Empty());
      else resp.setPosition(new DeleteResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
      callback(null, resp);
    },
    tombstone: async (call: grpc.ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: grpc.sendUnaryData<TombstoneResp>) => {
      await behaviour.gate.passed();
      const refused = notLeaderRefusal(behaviour, call);
      if (refused) return callback(refused);
      const options = call.request.getOptions();
      if (!options) return callback(invalidArgument('missing tombstone options'));
      const name = streamNameOf(options.getStreamIdentifier());
      const outcome = log.tombstone(name, expectedOf(options), new Date());
      if (outcome.kind !== 'success' || outcome.position === undefined) return callback(outcomeError(name, outcome));
      const resp = new TombstoneResp();
      resp.setPosition(new TombstoneResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
      callback(null, resp);
    },
    batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
      if (!behaviour.batchAppend) {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'BatchAppend is switched off in this test double' });
        return;
      }
      const refused = notLeaderRefusal(behaviour, call);
      if (refused) {
        call.emit('error', refused);
        return;
      }
      handleBatchAppend(log, behaviour, call);
    },
  });
  server.addService(ServerFeaturesService, {
    getSupportedMethods: async (_call: grpc.ServerUnaryCall<Empty, SupportedMethods>, callback: grpc.sendUnaryData<SupportedMethods>) => {
      await behaviour.gate.passed();
      const methods = [
        ['event_store.client.streams.streams', 'read'],
        ['event_store.client.streams.streams', 'append'],
        ...(behaviour.batchAppend ? [['event_store.client.streams.streams', 'batchappend']] : []),
        ['event_store.client.streams.streams', 'delete'],
        ['event_store.client.streams.streams', 'tombstone'],
        ['event_store.client.server_features.serverfeatures', 'getsupportedmethods'],
      ].map(([service, method]) => new SupportedMethod().setServiceName(service ?? '').setMethodName(method ?? ''));
      callback(null, new SupportedMethods().setMethodsList(methods).setEventStoreServerVersion('0.0.0-test-double'));
    },
  });
  return server;
}

// ---------------------------------------------------------------- append

function handleAppend(
  log: EsdbLog,
  behaviour: Behaviour,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
): void {
  let header: AppendReq.Options | undefined;
  const events: ProposedEvent[] = [];
  let size = 0;
  let failed = false;
  const fail = (error: Partial<grpc.StatusObject>): void => {
    if (failed) return;
    failed = true;
    callback(error);
  };
  call.on('data', (req: AppendReq) => {
    if (req.hasOptions()) {
      behaviour.calls.append += 1;
      header = req.getOptions();
      return;
    }
    const message = req.getProposedMessage();
    if (!message) return;
    const id = message.getId();
    if (!id?.hasString()) return fail(invalidArgument('the test double only models string UUIDs'));
    const headers = message.getMetadataMap();
    const type = headers.get('type');
    const contentType = headers.get('content-type');
    if (type === undefined || contentType === undefined) return fail(invalidArgument('event type and content-type are required'));
    const data = message.getData_asU8();
    const customMetadata = message.getCustomMetadata_asU8();
    // The real server adds up the proposed events as they arrive and refuses the whole append as
    // soon as the total passes the limit (it also counts a little per-event overhead; this counts
    // data and metadata bytes only).
    size += data.byteLength + customMetadata.byteLength;
    if (size > behaviour.maxAppendSize) return fail(maxAppendSizeExceeded(behaviour.maxAppendSize));
    events.push({ id: id.getString().toLowerCase(), type, contentType, data, customMetadata });
  });
  call.on('end', () => void behaviour.gate.passed().then(() => {
    if (failed || call.cancelled) return;
    if (!header) return fail(invalidArgument('append without options'));
    // A real follower reads the whole request before the write is refused (or forwarded).
    const refused = notLeaderRefusal(behaviour, call);
    if (refused) return fail(refused);
    if (behaviour.leader) behaviour.calls.forwarded += 1;
    const name = streamNameOf(header.getStreamIdentifier());
    const outcome = log.append(name, expectedOf(header), events, new Date());
    if (outcome.kind === 'stream-deleted') return fail(outcomeError(name, outcome));
    const resp = new AppendResp();
    if (outcome.kind === 'success') {
      const success = new AppendResp.Success();
      if (outcome.revision === undefined) success.setNoStream(new Empty());
      else success.setCurrentRevision(String(outcome.revision));
      if (outcome.position === undefined) success.setNoPosition(new Empty());
      else success.setPosition(new AppendResp.Position().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
      resp.setSuccess(success);
    } else {
      const wrong = new AppendResp.WrongExpectedVersion();
      if (outcome.current === undefined) wrong.setCurrentNoStream(new Empty());
      else wrong.setCurrentRevision(String(outcome.current));
      const expected = outcome.expected;
      if (expected.kind === 'exact') wrong.setExpectedRevision(String(expected.revision));
      else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new Empty());
      else if (expected.kind === 'stream-exists') wrong.setExpectedStreamExists(new Empty());
      else wrong.setExpectedAny(new Empty());
      resp.setWrongExpectedVersion(wrong);
    }
    callback(null, resp);
  }));
  call.on('error', () => {
    failed = true;
  });
}

// ---------------------------------------------------------------- batch append

interface PendingBatch {
  readonly name: string;
  readonly expected: WireExpected;
  readonly events: ProposedEvent[];
  size: number;
}

/**
 * `Streams.BatchAppend` as the real server runs it: one long-lived duplex call carries many
 * appends, each a run of requests sharing a correlation id (options on the first, `isFinal` on
 * the last); every append is answered by one response with that correlation id, success or an
 * error `google.rpc.Status` whose details say which error it is. Requests are handled in order.
 */
function handleBatchAppend(log: EsdbLog, behaviour: Behaviour, call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
  const pending = new Map<string, PendingBatch>();
  let queue = Promise.resolve();
  const write = (resp: BatchAppendResp): void => {
    if (!call.cancelled && call.writable) call.write(resp);
  };
  const handle = (req: BatchAppendReq): void => {
    const correlation = req.getCorrelationId();
    const key = correlation?.getString() ?? '';
    const answer = (name: string, fill: (resp: BatchAppendResp) => void): void => {
      const resp = new BatchAppendResp().setStreamIdentifier(identifierOf(name));
      if (correlation) resp.setCorrelationId(correlation);
      fill(resp);
      write(resp);
    };
    const options = req.getOptions();
    if (options) {
      behaviour.calls.batchAppend += 1;
      pending.set(key, { name: streamNameOf(options.getStreamIdentifier()), expected: batchExpectedOf(options), events: [], size: 0 });
    }
    const batch = pending.get(key);
    if (!batch) return;
    for (const message of req.getProposedMessagesList()) {
      const id = message.getId();
      const headers = message.getMetadataMap();
      const type = headers.get('type');
      const contentType = headers.get('content-type');
      if (!id?.hasString() || type === undefined || contentType === undefined) {
        pending.delete(key);
        return answer(batch.name, (resp) => resp.setError(new Status().setCode(Code.INVALID_ARGUMENT).setMessage('string UUIDs, type and content-type are required')));
      }
      const data = message.getData_asU8();
      const customMetadata = message.getCustomMetadata_asU8();
      batch.size += data.byteLength + customMetadata.byteLength;
      batch.events.push({ id: id.getString().toLowerCase(), type, contentType, data, customMetadata });
    }
    if (batch.size > behaviour.maxAppendSize) {
      pending.delete(key);
      const details = new MaximumAppendSizeExceeded().setMaxappendsize(behaviour.maxAppendSize);
      return answer(batch.name, (resp) => resp.setError(statusWith('Maximum Append Size Exceeded', details.serializeBinary(), 'event_store.client.MaximumAppendSizeExceeded')));
    }
    if (!req.getIsFinal()) return;
    pending.delete(key);
    if (behaviour.busy) {
      // What the real server sends when the write is refused as "too busy": no known details type.
      return answer(batch.name, (resp) => resp.setError(statusWith('Server Is Busy', new ProtoEmpty().serializeBinary(), 'google.protobuf.Empty')));
    }
    if (behaviour.leader) behaviour.calls.forwarded += 1;
    const outcome = log.append(batch.name, batch.expected, batch.events, new Date());
    answer(batch.name, (resp) => {
      if (outcome.kind === 'success') {
        const success = new BatchAppendResp.Success();
        if (outcome.revision === undefined) success.setNoStream(new ProtoEmpty());
        else success.setCurrentRevision(String(outcome.revision));
        if (outcome.position === undefined) success.setNoPosition(new ProtoEmpty());
        else success.setPosition(new AllStreamPosition().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
        resp.setSuccess(success);
      } else if (outcome.kind === 'stream-deleted') {
        const details = new StreamDeleted().setStreamIdentifier(identifierOf(batch.name));
        resp.setError(statusWith(`Event stream '${batch.name}' is deleted.`, details.serializeBinary(), 'event_store.client.StreamDeleted'));
      } else {
        const details = new WrongExpectedVersion();
        if (outcome.current === undefined) details.setCurrentNoStream(new ProtoEmpty());
        else details.setCurrentStreamRevision(String(outcome.current));
        const expected = outcome.expected;
        if (expected.kind === 'exact') details.setExpectedStreamPosition(String(expected.revision));
        else if (expected.kind === 'no-stream') details.setExpectedNoStream(new ProtoEmpty());
        else if (expected.kind === 'stream-exists') details.setExpectedStreamExists(new ProtoEmpty());
        else details.setExpectedAny(new ProtoEmpty());
        resp.setError(statusWith(`Wrong expected version for stream ${batch.name}`, details.serializeBinary(), 'event_store.client.WrongExpectedVersion'));
      }
    });
  };
  call.on('data', (req: BatchAppendReq) => {
    // A stalled server holds requests at the gate, in order.
    queue = queue.then(() => behaviour.gate.passed()).then(() => (call.cancelled ? undefined : handle(req)));
  });
  call.on('end', () => void queue.then(() => call.end()));
  call.on('error', () => undefined);
}

function batchExpectedOf(options: BatchAppendReq.Options): WireExpected {
  if (options.hasStreamPosition()) return { kind: 'exact', revision: BigInt(options.getStreamPosition()) };
  if (options.hasNoStream()) return { kind: 'no-stream' };
  if (options.hasStreamExists()) return { kind: 'stream-exists' };
  return { kind: 'any' };
}

/**
 * A `google.rpc.Status` whose details are an `Any` of the given type, as the real server sends in
 * BatchAppend (the client looks only at the details' type; the code is left at its default).
 */
function statusWith(message: string, details: Uint8Array, typeName: string): Status {
  const any = new Any();
  any.pack(details, typeName);
  return new Status().setMessage(message).setDetails(any);
}

// ---------------------------------------------------------------- read & subscribe

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

async function handleRead(log: EsdbLog, behaviour: Behaviour, call: ReadCall): Promise<void> {
  const options = call.request.getOptions();
  if (!options) throw invalidArgument('missing read options');
  if (options.getUuidOption()?.hasStructured()) throw invalidArgument('the test double only models string UUIDs');
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  const matches = matcherOf(options);
  const subscription = options.hasSubscription();
  const count = options.hasCount() ? BigInt(options.getCount()) : 0n;

  if (options.hasStream()) {
    const streamOptions = options.getStream();
    if (!streamOptions) throw invalidArgument('missing stream options');
    const name = streamNameOf(streamOptions.getStreamIdentifier());
    if (log.isTombstoned(name)) throw streamDeleted(name);
    if (subscription) return subscribeToStream(log, call, name, streamOptions);
    const visible = log.visibleRecords(name);
    if (visible.length === 0) {
      const resp = new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(identifierOf(name)));
      await send(call, resp);
      call.end();
      return;
    }
    let selected: LogRecord[];
    if (streamOptions.hasEnd()) selected = backwards ? [...visible].reverse() : [];
    else if (streamOptions.hasRevision()) {
      const from = BigInt(streamOptions.getRevision());
      selected = backwards ? visible.filter((r) => r.revision <= from).reverse() : visible.filter((r) => r.revision >= from);
    } else selected = backwards ? visible.slice(0, 1) : visible;
    for (const record of selected.slice(0, clampCount(count))) await send(call, eventMessage(record));
    call.end();
    return;
  }

  const allOptions = options.getAll();
  if (!allOptions) throw invalidArgument('read needs stream or all options');
  if (subscription) return subscribeToAll(log, behaviour, call, allOptions, options);
  const records = log.records;
  let indexes: number[];
  if (backwards) {
    const startExclusive = allOptions.hasPosition() ? log.firstIndexAfter(BigInt(positionOf(allOptions)) - 1n) : allOptions.hasStart() ? 0 : records.length;
    indexes = range(startExclusive - 1, -1);
  } else {
    // Reading $all forwards from a position includes the record at that position.
    const start = allOptions.hasPosition() ? log.firstIndexAfter(BigInt(positionOf(allOptions)) - 1n) : allOptions.hasEnd() ? records.length : 0;
    indexes = range(start, records.length);
  }
  let sent = 0;
  const limit = clampCount(count);
  for (const index of indexes) {
    if (sent >= limit) break;
    const record = log.recordAt(index);
    if (!matches(record)) continue;
    await send(call, eventMessage(record));
    sent += 1;
  }
  call.end();
}

async function subscribeToStream(log: EsdbLog, call: ReadCall, name: string, streamOptions: ReadReq.Options.StreamOptions): Promise<void> {
  let after = streamOptions.hasRevision()
    ? BigInt(streamOptions.getRevision())
    : streamOptions.hasEnd()
      ? (log.lastRevision(name) ?? -1n)
      : -1n;
  await send(call, confirmation());
  let caughtUp = false;
  while (!call.cancelled) {
    if (log.isTombstoned(name)) throw streamDeleted(name);
    const pending = log.visibleRecords(name).filter((r) => r.revision > after);
    for (const record of pending) {
      if (call.cancelled) return;
      await send(call, eventMessage(record));
      after = record.revision;
    }
    if (!caughtUp) {
      caughtUp = true;
      await send(call, new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    }
    await nextWrite(log, call);
  }
}

async function subscribeToAll(
  log: EsdbLog,
  behaviour: Behaviour,
  call: ReadCall,
  allOptions: ReadReq.Options.AllOptions,
  options: ReadReq.Options,
): Promise<void> {
  const matches = matcherOf(options);
  const filter = options.getFilter();
  const checkpointEvery =
    filter === undefined
      ? 0
      : Math.max(1, filter.getCheckpointintervalmultiplier()) * (filter.hasMax() && filter.getMax() > 0 ? filter.getMax() : DEFAULT_FILTER_WINDOW);
  // A subscription from a position delivers what comes strictly after it.
  let index = allOptions.hasPosition()
    ? log.firstIndexAfter(BigInt(positionOf(allOptions)))
    : allOptions.hasEnd()
      ? log.records.length
      : 0;
  await send(call, confirmation());
  let scannedSinceCheckpoint = 0;
  let caughtUp = false;
  let sinceYield = 0;
  while (!call.cancelled) {
    while (index < log.records.length && !call.cancelled) {
      const record = log.recordAt(index);
      index += 1;
      scannedSinceCheckpoint += 1;
      if (matches(record)) await send(call, eventMessage(record));
      if (checkpointEvery > 0 && scannedSinceCheckpoint >= checkpointEvery) {
        scannedSinceCheckpoint = 0;
        await send(call, checkpoint(record.position));
      }
      sinceYield += 1;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    if (call.cancelled) return;
    if (behaviour.checkpointAtLogEnd && checkpointEvery > 0 && scannedSinceCheckpoint > 0) {
      scannedSinceCheckpoint = 0;
      await send(call, checkpoint(log.endPosition));
    }
    if (!caughtUp) {
      caughtUp = true;
      await send(call, new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    }
    await nextWrite(log, call);
  }
}

/** Resolves on the next write to the log or when the call is cancelled. */
function nextWrite(log: EsdbLog, call: ReadCall): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      remove();
      call.off('cancelled', done);
      resolve();
    };
    const remove = log.onWrite(done);
    call.once('cancelled', done);
  });
}

async function send(call: ReadCall, resp: ReadResp): Promise<void> {
  if (call.cancelled) return;
  if (!call.write(resp)) {
    // The two listeners that lose the race are removed too (each `once` adds an 'error' listener as well).
    const settled = new AbortController();
    const { signal } = settled;
    try {
      await Promise.race([once(call, 'drain', { signal }), once(call, 'cancelled', { signal }), once(call, 'close', { signal })]);
    } finally {
      settled.abort();
    }
  }
}

function matcherOf(options: ReadReq.Options): (record: LogRecord) => boolean {
  const filter = options.getFilter();
  if (!filter) return () => true;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return () => true;
  const prefixes = expression.getPrefixList();
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  return (record) => {
    const subject = onStream ? record.streamName : record.type;
    if (prefixes.length > 0 && !prefixes.some((p) => subject.startsWith(p))) return false;
    return regex ? regex.test(subject) : true;
  };
}

function eventMessage(record: LogRecord): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString(record.id))
    .setStreamIdentifier(identifierOf(record.streamName))
    .setStreamRevision(String(record.revision))
    .setPreparePosition(String(record.position))
    .setCommitPosition(String(record.position))
    .setCustomMetadata(record.customMetadata)
    .setData(record.data);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', String(record.created));
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(record.position));
  return new ReadResp().setEvent(event);
}

function checkpoint(position: bigint): ReadResp {
  return new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint().setCommitPosition(String(position)).setPreparePosition(String(position)),
  );
}

function confirmation(): ReadResp {
  return new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()));
}

// ---------------------------------------------------------------- helpers

function identifierOf(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

function streamNameOf(identifier: StreamIdentifier | undefined): string {
  if (!identifier) throw invalidArgument('missing stream identifier');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

function positionOf(allOptions: ReadReq.Options.AllOptions): string {
  // Commit and prepare are equal in this double; the commit position orders the log.
  return allOptions.getPosition()?.getCommitPosition() ?? '0';
}

type ExpectationOptions = Pick<AppendReq.Options, 'hasRevision' | 'getRevision' | 'hasNoStream' | 'hasStreamExists'>;

function expectedOf(options: ExpectationOptions): WireExpected {
  if (options.hasRevision()) return { kind: 'exact', revision: BigInt(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no-stream' };
  if (options.hasStreamExists()) return { kind: 'stream-exists' };
  return { kind: 'any' };
}

function clampCount(count: bigint): number {
  return count <= 0n || count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

function range(from: number, toExclusive: number): number[] {
  const out: number[] = [];
  if (from <= toExclusive) for (let i = from; i < toExclusive; i += 1) out.push(i);
  else for (let i = from; i > toExclusive; i -= 1) out.push(i);
  return out;
}

function metadataOf(entries: Record<string, string>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(entries)) metadata.add(key, value);
  return metadata;
}

function streamDeleted(name: string): Partial<grpc.StatusObject> {
  return {
    code: grpc.status.FAILED_PRECONDITION,
    details: `Event stream '${name}' is deleted.`,
    metadata: metadataOf({ exception: 'stream-deleted', 'stream-name': name }),
  };
}

function maxAppendSizeExceeded(maxAppendSize: number): Partial<grpc.StatusObject> {
  return {
    code: grpc.status.INVALID_ARGUMENT,
    details: `Maximum Append Size of ${maxAppendSize} Exceeded.`,
    metadata: metadataOf({ exception: 'maximum-append-size-exceeded', 'maximum-append-size': String(maxAppendSize) }),
  };
}

/**
 * While the node is a follower, the real server's answer to a call carrying `requires-leader:
 * true`: `NOT_FOUND` "Leader info available" with the `not-leader` exception and the leader's
 * endpoint in the trailers (what the client's `NotLeaderError` reads). Undefined otherwise.
 */
function notLeaderRefusal(behaviour: Behaviour, call: { readonly metadata: grpc.Metadata }): Partial<grpc.StatusObject> | undefined {
  const leader = behaviour.leader;
  if (!leader || !call.metadata.get('requires-leader').some((value) => String(value).toLowerCase() === 'true')) return undefined;
  behaviour.calls.notLeader += 1;
  return {
    code: grpc.status.NOT_FOUND,
    details: 'Leader info available',
    metadata: metadataOf({ exception: 'not-leader', 'leader-endpoint-host': leader.host, 'leader-endpoint-port': String(leader.port) }),
  };
}

function refuseIfNotLeader(behaviour: Behaviour, call: { readonly metadata: grpc.Metadata }): void {
  const refused = notLeaderRefusal(behaviour, call);
  if (refused) throw refused;
}

function invalidArgument(details: string): Partial<grpc.StatusObject> {
  return { code: grpc.status.INVALID_ARGUMENT, details };
}

/** Errors as EventStoreDB sends them: a status plus an `exception` trailer the client maps. */
function outcomeError(name: string, outcome: AppendOutcome): Partial<grpc.StatusObject> {
  if (outcome.kind === 'stream-deleted') return streamDeleted(name);
  if (outcome.kind === 'wrong-expected-version') {
    const expected = outcome.expected;
    const expectedVersion =
      expected.kind === 'exact' ? String(expected.revision) : expected.kind === 'no-stream' ? '-1' : expected.kind === 'any' ? '-2' : '-4';
    const entries: Record<string, string> = { exception: 'wrong-expected-version', 'stream-name': name, 'expected-version': expectedVersion };
    if (outcome.current !== undefined) entries['actual-version'] = String(outcome.current);
    return { code: grpc.status.FAILED_PRECONDITION, details: `Wrong expected version for stream ${name}`, metadata: metadataOf(entries) };
  }
  return { code: grpc.status.INTERNAL, details: 'unexpected outcome' };
}

function toStatus(error: unknown): Partial<grpc.StatusObject> {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
    return error as Partial<grpc.StatusObject>;
  }
  return { code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) };
}
