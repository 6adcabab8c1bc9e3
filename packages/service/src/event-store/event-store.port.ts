/**
 * The one event-store port of the service. Every adapter (in-memory, SQLite, EventStoreDB)
 * implements exactly this interface and passes the same contract suite
 * (`event-store.contract.ts`). Command handlers and projection runners only ever see this port.
 *
 * Design notes:
 * - Appends always state the revision they expect. There is deliberately no "any": a handler
 *   that loaded a stream knows its revision, and a new stream is `'no-stream'`.
 * - Stores are dumb about content: the application sets `metadata` (including `recordedAt`
 *   and the hash chain) before appending, so every adapter stores the same bytes.
 * - Global positions are `{ commit, prepare }` pairs, compared commit first, then prepare.
 *   SQLite and in-memory use one sequence for both; EventStoreDB has real pairs.
 */

/** A position in the global log (the `$all` stream). */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Revision of the last event in a stream (0-based), or `'no-stream'` when it must not exist yet. */
export type ExpectedRevision = 'no-stream' | bigint;

/** Metadata the service writes with every event. Adapters store it verbatim. */
export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  /** The acting user's id (or a system actor such as `system:mailer`). */
  readonly actorId: string;
  readonly actorRole: string;
  /** When the fact happened in the world (ISO-8601 instant with offset `Z`). */
  readonly occurredAt: string;
  /** When the service stored it (ISO-8601 instant, set by the service right before appending). */
  readonly recordedAt: string;
  /** Event schema version, for upcasting. */
  readonly schemaVersion: number;
  /** Hex SHA-256 of the previous event in the same stream (`''` for the first event). */
  readonly previousHash: string;
  /** Hex SHA-256 over this event's stream, revision, type, data, the rest of this metadata and `previousHash`. */
  readonly hash: string;
  /** Free-form extras (idempotency key, ...). Must be JSON. */
  readonly [extra: string]: unknown;
}

/** An event to append. `id` is a UUID; appending an id already in the stream at the same place is a no-op. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** An event as read back from the store. */
export interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based revision within its stream. */
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event appended (or of the already-stored duplicate). */
  readonly position: GlobalPosition;
  /**
   * True when the events were already stored at that place (a re-append of the same ids) and
   * nothing was written now; false when they were written now. Undefined when the store cannot
   * tell: EventStoreDB answers both with the same success.
   */
  readonly alreadyStored?: boolean;
}

export interface AppendOptions {
  /**
   * The caller appends to this store again before anything relies on this append (a ticket
   * number's claim, followed by the ticket's own events): a store in which a later acknowledged
   * append makes every earlier one durable too (one SQLite file, whose log is synced in order) may
   * acknowledge this one without a sync of its own. Other stores ignore it.
   */
  readonly syncWithNextAppend?: boolean;
}

export interface ReadStreamOptions {
  readonly fromRevision?: bigint;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; omit to start at the beginning. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  /** Only streams whose id starts with one of these prefixes (e.g. `ticket-`). */
  readonly streamPrefixes?: readonly string[];
}

export interface SubscribeToAllOptions {
  /** Deliver events strictly after this position; omit to start at the beginning. */
  readonly after?: GlobalPosition;
  readonly streamPrefixes?: readonly string[];
  /** Called for each event in global order; the next event waits until the promise settles. */
  readonly onEvent: (event: StoredEvent) => Promise<void> | void;
  /** Called when the store reports that everything up to `position` was considered (filtered subscriptions). */
  readonly onCheckpoint?: (position: GlobalPosition) => Promise<void> | void;
  /** Called once when the subscription fails and stops (not called after `stop()`). */
  readonly onError?: (error: Error) => void;
}

export interface Subscription {
  stop(): Promise<void>;
}

/** Thrown when the stream's actual revision is not the expected one. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no-stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** Thrown when the store cannot be reached; the service maps it to 503. */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown when a stream was deleted for good (an EventStoreDB tombstone): it can be neither read
 * nor appended to again. The service maps it to 410. Stores without tombstones never throw it.
 */
export class StreamDeletedError extends Error {
  override readonly name = 'StreamDeletedError';
  constructor(
    readonly streamId: string,
    options?: { cause?: unknown },
  ) {
    super(`stream ${streamId} was deleted for good (tombstoned): it can no longer be read or written`, options);
  }
}

/**
 * Thrown when the events of one append are more than the store accepts at once (EventStoreDB's
 * maximum append size); nothing was stored. The service maps it to 413.
 */
export class AppendTooLargeError extends Error {
  override readonly name = 'AppendTooLargeError';
  constructor(
    readonly streamId: string,
    /** The store's limit in bytes, when it said. */
    readonly maxAppendBytes: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `the append to ${streamId} exceeds the event store's maximum append size${maxAppendBytes === undefined ? '' : ` of ${maxAppendBytes} bytes`}; nothing was stored`,
      options,
    );
  }
}

export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly StoredEvent[]>;
  /** A page of the global log in position order. */
  readAll(options?: ReadAllOptions): Promise<readonly StoredEvent[]>;
  /** Catch-up then live subscription to the global log. */
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  /** Position of the last event in the global log, or undefined when empty. */
  headPosition(): Promise<GlobalPosition | undefined>;
  close(): Promise<void>;
}

/** Total order on global positions. */
export const comparePositions = (a: GlobalPosition, b: GlobalPosition): number =>
  a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;
