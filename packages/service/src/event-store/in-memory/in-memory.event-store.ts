import {
  comparePositions,
  WrongExpectedRevisionError,
  type AppendOptions,
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
import { matchesPrefixes, PagedSubscriptions, type ScannedPage } from '../sqlite/paged-subscription';

export interface InMemoryEventStoreOptions {
  /** Rows a subscription reads per page (default 500). */
  readonly pageSize?: number;
}

/**
 * Event store held in process memory, for tests and `EVENT_STORE=memory`. It follows the same
 * contract as the durable stores, including a JSON round trip of data and metadata, so a test
 * that passes here does not rely on object identity.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly eventIds = new Set<string>();
  private readonly subscriptions: PagedSubscriptions;
  private closed = false;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.subscriptions = new PagedSubscriptions((after, limit, prefixes) => this.scan(after, limit, prefixes), { pageSize: options.pageSize ?? 500, pollMs: 1_000 });
  }

  /** Memory has nothing to sync: `options` changes nothing. */
  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, _options?: AppendOptions): Promise<AppendResult> {
    this.assertOpen();
    if (events.length === 0) throw new RangeError('appendToStream needs at least one event');
    const stream = this.streams.get(streamId) ?? [];
    const actual: bigint | 'no-stream' = stream.length === 0 ? 'no-stream' : BigInt(stream.length - 1);
    if (actual !== expected) {
      const replay = findIdempotentReplay(stream, events, expected);
      if (replay) return replay;
      throw new WrongExpectedRevisionError(streamId, expected, actual);
    }
    for (const event of events) {
      if (this.eventIds.has(event.id)) throw new Error(`event id ${event.id} is already stored elsewhere`);
    }
    const seen = new Set<string>();
    for (const event of events) {
      if (seen.has(event.id)) throw new Error(`event id ${event.id} appears twice in one append`);
      seen.add(event.id);
    }
    let last: StoredEvent | undefined;
    for (const event of events) {
      const sequence = BigInt(this.log.length + 1);
      last = {
        id: event.id,
        streamId,
        revision: BigInt(stream.length),
        position: { commit: sequence, prepare: sequence },
        type: event.type,
        data: jsonCopy(event.data ?? null),
        metadata: jsonCopy(event.metadata) as EventMetadata,
      };
      stream.push(last);
      this.log.push(last);
      this.eventIds.add(event.id);
    }
    this.streams.set(streamId, stream);
    this.subscriptions.notify();
    // `last` is set: events is non-empty.
    return { nextExpectedRevision: last!.revision, position: last!.position, alreadyStored: false };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly StoredEvent[]> {
    this.assertOpen();
    const stream = this.streams.get(streamId) ?? [];
    const backwards = options.direction === 'backwards';
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const from = options.fromRevision;
    const selected = backwards
      ? stream.filter((e) => from === undefined || e.revision <= from).reverse()
      : stream.filter((e) => from === undefined || e.revision >= from);
    return selected.slice(0, max).map(copyEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<readonly StoredEvent[]> {
    this.assertOpen();
    const max = options.maxCount ?? Number.POSITIVE_INFINITY;
    const out: StoredEvent[] = [];
    for (let i = this.startIndex(options.after); i < this.log.length && out.length < max; i++) {
      const event = this.log[i]!;
      if (matchesPrefixes(event.streamId, options.streamPrefixes)) out.push(copyEvent(event));
    }
    return out;
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.assertOpen();
    return this.subscriptions.start(options);
  }

  async headPosition(): Promise<GlobalPosition | undefined> {
    this.assertOpen();
    return this.log[this.log.length - 1]?.position;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.subscriptions.stopAll();
  }

  private scan(after: GlobalPosition | undefined, limit: number, prefixes: readonly string[] | undefined): ScannedPage {
    const start = this.startIndex(after);
    const rows = this.log.slice(start, start + limit);
    return {
      events: rows.filter((e) => matchesPrefixes(e.streamId, prefixes)).map(copyEvent),
      scannedUpTo: rows[rows.length - 1]?.position,
      rowsScanned: rows.length,
    };
  }

  // Positions are 1-based sequence numbers, so "after p" starts at index p (clamped for positions past the end).
  private startIndex(after: GlobalPosition | undefined): number {
    if (after === undefined) return 0;
    const head = this.log[this.log.length - 1];
    if (head === undefined || comparePositions(after, head.position) >= 0) return this.log.length;
    return Number(after.commit < 0n ? 0n : after.commit);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

/**
 * The append is a retry of one already stored when the events that followed the expected
 * revision carry exactly the ids being appended, in the same order.
 */
function findIdempotentReplay(stream: readonly StoredEvent[], events: readonly NewEvent[], expected: ExpectedRevision): AppendResult | undefined {
  const first = expected === 'no-stream' ? 0 : Number(expected) + 1;
  if (expected !== 'no-stream' && expected < -1n) return undefined;
  const stored = stream.slice(first, first + events.length);
  if (stored.length !== events.length || !stored.every((e, i) => e.id === events[i]!.id)) return undefined;
  const last = stored[stored.length - 1]!;
  return { nextExpectedRevision: last.revision, position: last.position, alreadyStored: true };
}

const jsonCopy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

const copyEvent = (event: StoredEvent): StoredEvent => ({
  ...event,
  data: jsonCopy(event.data),
  metadata: jsonCopy(event.metadata) as EventMetadata,
});
