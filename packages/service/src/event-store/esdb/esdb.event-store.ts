/**
 * EventStoreDB adapter of the event-store port (`@eventstore/db-client`, pinned).
 *
 * Mapping (see README.md in this folder for operations):
 * - One EventStoreDB stream per caller stream id (`ticket-<id>`, `outage-<id>`, `policy-<id>`).
 * - `'no-stream'` → `NO_STREAM`, a bigint → that exact revision; `ANY` is never sent.
 * - Events are JSON; the port's metadata object is the event metadata, plus EventStoreDB's own
 *   `$correlationId`/`$causationId` keys (stripped again on read so the metadata reads back
 *   verbatim). The event id is the port's `NewEvent.id`, so a retried append is idempotent.
 * - Streams whose name starts with `$` and event types starting with `$` are EventStoreDB's
 *   own; reads and subscriptions of `$all` never surface them.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamDeletedError as EsdbStreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  isCommandError,
  streamNameFilter,
  ErrorType,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventData,
  type JSONType,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  AppendTooLargeError,
  EventStoreUnavailableError,
  StreamDeletedError,
  WrongExpectedRevisionError,
  comparePositions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../event-store.port';

/** Tuning of the adapter; the defaults suit the service. */
export interface EsdbEventStoreOptions {
  /**
   * Checkpoint interval multiplier of filtered `$all` subscriptions: the server reports a
   * checkpoint every `checkpointInterval × 32` scanned events. Default 1.
   */
  readonly checkpointInterval?: number;
  /** Page size for `$all` reads. Default 512. */
  readonly readAllPageSize?: number;
  /**
   * How long one call may go unanswered, in milliseconds, before it fails with
   * {@link EventStoreUnavailableError}: an append must be acknowledged within it, and a read
   * must receive its next event (or its end) within it. Default {@link DEFAULT_CALL_DEADLINE_MS}.
   * The client alone would wait forever on a read, and on an append for as long as its
   * connection looks alive, when a server accepts the connection and then does not answer.
   * Live subscriptions have no deadline (they are silent while nothing is written).
   */
  readonly callDeadlineMs?: number;
  /**
   * Append through BatchAppend when the server offers it, as the client does by default. Default
   * false: the pinned client (6.2.1) keeps the pending BatchAppend requests of every connection in
   * one table for the whole process (fixed only in the renamed client, PR #523), so a batch stream
   * that fails rejects appends pending on another, and a late answer then throws inside the
   * client's stream handler. The unary Append keeps each append on its own call.
   */
  readonly batchAppend?: boolean;
}

/** Default of {@link EsdbEventStoreOptions.callDeadlineMs}: 5 s. */
export const DEFAULT_CALL_DEADLINE_MS = 5_000;

/** Creates the adapter from an EventStoreDB connection string (e.g. `esdb://localhost:2113?tls=false`). */
export function createEsdbEventStore(connectionString: string, options: EsdbEventStoreOptions = {}): EventStoreDbEventStore {
  const client = EventStoreDBClient.connectionString(connectionString);
  return new EventStoreDbEventStore(options.batchAppend === true ? client : withoutBatchAppend(client), options);
}

/** The gRPC path of BatchAppend, as the client's method definitions name it. */
const BATCH_APPEND_PATH = '/event_store.client.streams.Streams/BatchAppend';

/**
 * Makes the client append over the unary Append only ({@link EsdbEventStoreOptions.batchAppend}):
 * it asks its `supports` before each append, and appends unary when the server lacks
 * BatchAppend, so the answer for that one method is no. `supports` is an instance field of the
 * pinned client, not public API: `esdb.event-store.int.test.ts` checks that appends then never
 * reach BatchAppend on a server that offers it.
 */
function withoutBatchAppend(client: EventStoreDBClient): EventStoreDBClient {
  const internals = client as unknown as { supports: (method: { readonly path?: string }, feature?: string) => Promise<boolean> };
  const supports = internals.supports;
  if (typeof supports !== 'function') throw new Error('@eventstore/db-client has no supports(): the unary-append guard needs the pinned 6.x client');
  internals.supports = (method, feature) => (method.path === BATCH_APPEND_PATH ? Promise.resolve(false) : supports(method, feature));
  return client;
}

const SYSTEM_PREFIX = '$';
const isSystem = (streamId: string, type: string): boolean => streamId.startsWith(SYSTEM_PREFIX) || type.startsWith(SYSTEM_PREFIX);
const matchesPrefixes = (streamId: string, prefixes: readonly string[] | undefined): boolean =>
  prefixes === undefined || prefixes.length === 0 || prefixes.some((p) => streamId.startsWith(p));

/** The EventStoreDB implementation of {@link EventStore}. */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<EsdbAllSubscription>();
  private readonly checkpointInterval: number;
  private readonly pageSize: number;
  private readonly deadlineMs: number;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.checkpointInterval = options.checkpointInterval ?? 1;
    this.pageSize = options.readAllPageSize ?? 512;
    this.deadlineMs = options.callDeadlineMs ?? DEFAULT_CALL_DEADLINE_MS;
    if (!(Number.isFinite(this.deadlineMs) && this.deadlineMs > 0)) throw new RangeError(`callDeadlineMs must be a positive number of milliseconds (got ${this.deadlineMs})`);
  }

  /**
   * Appends with `requires-leader`, so a follower refuses the append with NotLeader instead of
   * forwarding it (a forwarded write adds a hop and can time out in between, leaving its outcome
   * unknown). On NotLeader the client reconnects to the leader the answer names, and the append is
   * sent once more, to that leader: safe, because the follower wrote nothing, and the append names
   * its event ids and an exact expected revision (`ANY` is never sent), so even a batch that had
   * been written would be answered with the original result, not written twice. A second NotLeader
   * (the cluster is still electing) fails with {@link EventStoreUnavailableError}.
   */
  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      try {
        return await this.appendOnce(streamId, events, expected);
      } catch (error) {
        if (!(error instanceof NotLeaderError)) throw error;
        // The client switches its connection to the named leader in a handler it does not await;
        // let it run before the retry is sent.
        await new Promise((resolve) => setImmediate(resolve));
        return await this.appendOnce(streamId, events, expected);
      }
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedRevisionError(streamId, expected, typeof actual === 'bigint' ? actual : 'no-stream');
      }
      if (error instanceof EsdbStreamDeletedError) throw new StreamDeletedError(streamId, { cause: error });
      if (error instanceof MaxAppendSizeExceededError) {
        const limit = Number.isSafeInteger(error.maxAppendSize) && error.maxAppendSize > 0 ? error.maxAppendSize : undefined;
        throw new AppendTooLargeError(streamId, limit, { cause: error });
      }
      throw translateError(error, `append to ${streamId}`);
    }
  }

  private async appendOnce(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    // `deadline` bounds the gRPC append itself; the adapter's own timer also covers the
    // client's first request on a connection (its server-features call has no deadline).
    const result = await withDeadline(this.deadlineMs, `append to ${streamId}`, () =>
      this.client.appendToStream(streamId, events.map(toEventData), {
        expectedRevision: expected === 'no-stream' ? NO_STREAM : expected,
        deadline: this.deadlineMs,
        requiresLeader: true,
      }),
    );
    const position = result.position ?? (await this.lastPositionOf(streamId));
    if (!position) throw new Error(`EventStoreDB returned no position for the append to ${streamId}`);
    return { nextExpectedRevision: result.nextExpectedRevision, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly StoredEvent[]> {
    const backwards = options.direction === 'backwards';
    let resolved: ResolvedEvent[];
    try {
      resolved = await drain(
        this.client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision: options.fromRevision ?? (backwards ? END : START),
          ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
        }),
        this.deadlineMs,
        `read ${streamId}`,
      );
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      if (error instanceof EsdbStreamDeletedError) throw new StreamDeletedError(streamId, { cause: error });
      throw translateError(error, `read ${streamId}`);
    }
    return resolved.flatMap((r) => toStoredEvent(r, 'strict') ?? []);
  }

  async readAll(options: ReadAllOptions = {}): Promise<readonly StoredEvent[]> {
    const wanted = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: StoredEvent[] = [];
    if (wanted <= 0) return out;
    try {
      let after = options.after;
      if (after) {
        // A position past the end of the log is not one the server can read from.
        const head = await this.rawHead();
        if (!head || comparePositions(after, head) >= 0) return out;
      }
      for (;;) {
        // Reading $all forwards from a position includes the record at it, hence the `after` test.
        const page = await drain(this.client.readAll({ fromPosition: after ?? START, direction: FORWARDS, maxCount: this.pageSize }), this.deadlineMs, 'read $all');
        for (const resolved of page) {
          const record = resolved.event;
          if (!record?.position) continue;
          if (after && comparePositions(record.position, after) <= 0) continue;
          after = record.position;
          if (isSystem(record.streamId, record.type) || !matchesPrefixes(record.streamId, options.streamPrefixes)) continue;
          const event = toStoredEvent(resolved, 'skip-foreign');
          if (event) out.push(event);
          if (out.length >= wanted) return out;
        }
        if (page.length < this.pageSize) return out;
      }
    } catch (error) {
      throw translateError(error, 'read $all');
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const subscription = new EsdbAllSubscription(this.client, options, this.checkpointInterval, () => this.rawHead(), () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    subscription.start();
    return subscription;
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    try {
      let before: Position | undefined;
      for (;;) {
        const page = await drain(this.client.readAll({ fromPosition: before ?? END, direction: BACKWARDS, maxCount: 64 }), this.deadlineMs, 'read the head of $all');
        for (const resolved of page) {
          const record = resolved.event;
          if (!record?.position) continue;
          if (isServiceEvent(resolved)) return record.position;
          before = record.position;
        }
        if (page.length < 64) return undefined;
      }
    } catch (error) {
      throw translateError(error, 'read the head of $all');
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  /** Position of the last record in `$all`, system and foreign records included; undefined when empty. */
  private async rawHead(): Promise<GlobalPosition | undefined> {
    const [last] = await drain(this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }), this.deadlineMs, 'read the end of $all');
    return last?.event?.position;
  }

  private async lastPositionOf(streamId: string): Promise<GlobalPosition | undefined> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return last?.position;
  }
}

/**
 * One `subscribeToAll` of the port: a server-side filtered catch-up-then-live subscription.
 *
 * Resuming: `after` is normally the position of an event or of a server checkpoint, and the
 * subscription starts strictly after it (events at or before it are dropped as well, in case a
 * server includes the start record). When `after` lies past the last record of the log, which
 * the server cannot start from, it starts after the last record instead: nothing after that
 * record existed when `after` was stored, so every later event is new, even one written exactly
 * at `after` (the failure reported as KurrentDB issue #4970).
 *
 * Ordering: events and checkpoints are handled one at a time on a single task chain. The client
 * calls `checkpointReached` while events received before the checkpoint may still sit in its
 * readable buffer (when paused for backpressure), so such a checkpoint is held back until that
 * many events have been handled: a reported checkpoint never runs ahead of the events the
 * consumer has seen. A checkpoint beyond the current end of the log (again #4970) is reported
 * as the last record's position, which is safe to resume strictly after.
 */
class EsdbAllSubscription implements Subscription {
  private static readonly PAUSE_AT = 64;
  private static readonly RESUME_AT = 16;

  private stopped = false;
  private finished = false;
  private client?: AllStreamSubscription;
  private starting: Promise<void> = Promise.resolve();
  private chain: Promise<void> = Promise.resolve();
  private floor: GlobalPosition | undefined;
  private lastReported: GlobalPosition | undefined;
  /** A position known to hold a record; the head of `$all` only grows, so it is a lower bound. */
  private knownHead: GlobalPosition | undefined;
  /** Events the client has emitted to us, and those whose `onEvent` has settled. */
  private seen = 0;
  private handled = 0;
  private queued = 0;
  private readonly heldCheckpoints: { afterHandled: number; position: GlobalPosition }[] = [];

  constructor(
    private readonly esdb: EventStoreDBClient,
    private readonly options: SubscribeToAllOptions,
    private readonly checkpointInterval: number,
    private readonly rawHead: () => Promise<GlobalPosition | undefined>,
    private readonly onClosed: () => void,
  ) {}

  start(): void {
    this.starting = this.open().catch((error: unknown) => this.fail(error));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.starting;
    const client = this.client;
    if (client) {
      await client.unsubscribe();
      client.destroy();
    }
    // Let the event being handled settle; later tasks see `stopped` and do nothing.
    await this.chain;
    this.onClosed();
  }

  private async open(): Promise<void> {
    const { from, floor } = await this.startingPoint();
    if (this.stopped) return;
    this.floor = floor;
    const prefixes = this.options.streamPrefixes;
    const checkpointReached = (_s: AllStreamSubscription, position: Position): Promise<void> => this.onServerCheckpoint(position);
    const filter =
      prefixes && prefixes.length > 0
        ? streamNameFilter({ prefixes: [...prefixes], checkpointInterval: this.checkpointInterval, checkpointReached })
        : streamNameFilter({ regex: '^[^$]', checkpointInterval: this.checkpointInterval, checkpointReached });
    const client = this.esdb.subscribeToAll({ fromPosition: from, filter });
    this.client = client;
    client.on('data', (resolved: AllStreamResolvedEvent) => {
      this.seen += 1;
      this.queued += 1;
      if (this.queued >= EsdbAllSubscription.PAUSE_AT) client.pause();
      void this.enqueue(async () => {
        try {
          await this.deliver(resolved);
          this.handled += 1;
          await this.releaseHeldCheckpoints();
        } finally {
          this.queued -= 1;
          if (this.queued <= EsdbAllSubscription.RESUME_AT && client.isPaused()) client.resume();
        }
      });
    });
    client.on('error', (error: Error) => this.fail(error));
    client.on('end', () => this.fail(new EventStoreUnavailableError('EventStoreDB ended the $all subscription')));
  }

  private async startingPoint(): Promise<{ from: ReadPosition; floor: GlobalPosition | undefined }> {
    const after = this.options.after;
    if (!after) return { from: START, floor: undefined };
    const head = await this.rawHead();
    this.knownHead = head;
    if (!head) return { from: START, floor: undefined };
    if (comparePositions(after, head) > 0) return { from: head, floor: head };
    return { from: after, floor: after };
  }

  /** Runs `task` after every task enqueued before it; a failure ends the subscription. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.stopped || this.finished) return;
      try {
        await task();
      } catch (error) {
        this.fail(error);
      }
    });
    return this.chain;
  }

  private async deliver(resolved: AllStreamResolvedEvent): Promise<void> {
    const record = resolved.event;
    if (!record?.position) return;
    if (this.floor && comparePositions(record.position, this.floor) <= 0) return;
    this.floor = record.position;
    if (!this.knownHead || comparePositions(record.position, this.knownHead) > 0) this.knownHead = record.position;
    if (isSystem(record.streamId, record.type) || !matchesPrefixes(record.streamId, this.options.streamPrefixes)) return;
    const event = toStoredEvent(resolved, 'skip-foreign');
    if (event) await this.options.onEvent(event);
  }

  /** Called by the client in stream order; the events emitted so far are already enqueued. */
  private onServerCheckpoint(position: Position): Promise<void> {
    const buffered = this.client?.readableLength ?? 0;
    if (buffered === 0) return this.enqueue(() => this.reportCheckpoint(position));
    this.heldCheckpoints.push({ afterHandled: this.seen + buffered, position });
    return Promise.resolve();
  }

  private async releaseHeldCheckpoints(): Promise<void> {
    for (let next = this.heldCheckpoints[0]; next && next.afterHandled <= this.handled; next = this.heldCheckpoints[0]) {
      this.heldCheckpoints.shift();
      await this.reportCheckpoint(next.position);
    }
  }

  private async reportCheckpoint(position: GlobalPosition): Promise<void> {
    const onCheckpoint = this.options.onCheckpoint;
    if (!onCheckpoint || this.stopped || this.finished) return;
    let safe: GlobalPosition | undefined = position;
    // Only a checkpoint beyond every record known so far needs a look at the log's end; during a
    // catch-up that is never the case, so this costs one read per live checkpoint at most.
    if (!this.knownHead || comparePositions(position, this.knownHead) > 0) this.knownHead = await this.rawHead();
    const head = this.knownHead;
    if (!head || comparePositions(position, head) > 0) safe = head;
    if (!safe) return;
    for (const known of [this.floor, this.lastReported]) {
      if (known && comparePositions(safe, known) < 0) safe = known;
    }
    const previous = this.lastReported ?? this.options.after;
    if (previous && comparePositions(safe, previous) <= 0) return;
    this.lastReported = safe;
    await onCheckpoint(safe);
  }

  private fail(error: unknown): void {
    if (this.stopped || this.finished) return;
    this.finished = true;
    const client = this.client;
    if (client) void client.unsubscribe().then(() => client.destroy());
    this.onClosed();
    const translated = translateError(error, 'subscribe to $all');
    this.options.onError?.(translated instanceof Error ? translated : new Error(String(translated)));
  }
}

/**
 * Reads a client stream to its end. Leaving a read early (a `break` or a throw inside
 * `for await`) leaves the finished gRPC call unread, and the client's `dispose()` then waits
 * for it forever; so reads are always drained first and processed afterwards.
 *
 * The client reads without a deadline. Here a read fails with {@link EventStoreUnavailableError}
 * when nothing (no event, no end) arrives for `idleMs`; its gRPC call is then cancelled, so
 * `dispose()` does not wait for it. The timer restarts with each event, so a long stream that
 * keeps arriving is never cut.
 */
function drain<T>(read: StreamingRead<T>, idleMs: number, action: string): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const out: T[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      read.off('data', onData);
      outcome();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        settle(() => reject(new EventStoreUnavailableError(`EventStoreDB did not answer within ${idleMs} ms (${action})`)));
        void read.cancel().finally(() => read.destroy());
      }, idleMs);
    };
    const onData = (item: T): void => {
      out.push(item);
      arm();
    };
    read.on('data', onData);
    // `on`, not `once`: an error emitted after the first (or after the deadline) must not crash the process.
    read.on('error', (error: Error) => settle(() => reject(error)));
    read.once('end', () => settle(() => resolve(out)));
    arm();
  });
}

/** Runs `call`, failing with {@link EventStoreUnavailableError} when it has not settled within `ms`. */
function withDeadline<T>(ms: number, action: string, call: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new EventStoreUnavailableError(`EventStoreDB did not answer within ${ms} ms (${action})`)), ms);
    call().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function toEventData(event: NewEvent): EventData {
  const metadata = { ...event.metadata, $correlationId: event.metadata.correlationId, $causationId: event.metadata.causationId };
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // The client JSON-encodes any value; its narrower JSONType only documents the usual shapes.
    data: event.data as JSONType,
    metadata,
  };
}

/** Whether a record is one of the service's: a JSON event with a metadata object, outside system streams. */
function isServiceEvent(resolved: ResolvedEvent): boolean {
  const record = resolved.event;
  if (!record || isSystem(record.streamId, record.type) || !record.isJson) return false;
  const raw: unknown = record.metadata;
  return typeof raw === 'object' && raw !== null && !(raw instanceof Uint8Array) && !Array.isArray(raw);
}

/**
 * Converts a read event. `strict` (reading a stream the caller named) rejects events without
 * the service's JSON metadata; `skip-foreign` (the global log, possibly shared with other
 * applications) leaves them out.
 */
function toStoredEvent(resolved: ResolvedEvent, mode: 'strict' | 'skip-foreign'): StoredEvent | undefined {
  const record = resolved.event;
  if (!record || isSystem(record.streamId, record.type)) return undefined;
  if (!record.position) throw new Error('EventStoreDB did not return event positions (server 22.6 or later is required)');
  const raw = record.metadata;
  if (!isServiceEvent(resolved)) {
    if (mode === 'skip-foreign') return undefined;
    throw new Error(`event ${record.id} in ${record.streamId} is not a JSON event with service metadata`);
  }
  const { $correlationId: _correlation, $causationId: _causation, ...metadata } = raw as unknown as Record<string, unknown>;
  return {
    id: record.id,
    streamId: record.streamId,
    revision: record.revision,
    position: { commit: record.position.commit, prepare: record.position.prepare },
    type: record.type,
    data: record.data,
    metadata: metadata as unknown as EventMetadata,
  };
}

const UNAVAILABLE_TYPES: ReadonlySet<string> = new Set([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.CANCELLED, ErrorType.NOT_LEADER, ErrorType.TIMEOUT]);

/**
 * BatchAppend answers a write the server refuses for its own state ("Server Is Busy", "Server Is
 * Not Ready", a follower without leader information) with a status whose details carry no known
 * type; the pinned client turns those into an `UnknownError` "Could not recognize <message>". The
 * message is the only sign of what happened, so these texts are matched: each means "retry later".
 */
const SERVER_STATE_REFUSALS = /^Could not recognize (Server Is Busy|Server Is Too Busy|Server Is Not Ready|No leader info available in response)\b/i;

/** Maps connection-level failures to the port's {@link EventStoreUnavailableError}; others pass through. */
export function translateError(error: unknown, action: string): unknown {
  if (error instanceof EventStoreUnavailableError || error instanceof WrongExpectedRevisionError || error instanceof StreamDeletedError || error instanceof AppendTooLargeError) {
    return error;
  }
  // Cluster discovery failures are plain errors from the client.
  const refusedForServerState = error instanceof Error && isCommandError(error) && error.type === ErrorType.UNKNOWN && SERVER_STATE_REFUSALS.test(error.message);
  if (
    error instanceof Error &&
    ((isCommandError(error) && UNAVAILABLE_TYPES.has(error.type)) || refusedForServerState || /failed to discover|no connection established|ECONNREFUSED/i.test(error.message))
  ) {
    return new EventStoreUnavailableError(`EventStoreDB unavailable (${action}): ${error.message}`, { cause: error });
  }
  return error;
}
