import type { StoredEvent } from '../event-store.port';

export interface RecentEventsOptions {
  /** Events kept for subscriptions, newest last (default 4,096). */
  readonly logCapacity?: number;
  /** Events kept in whole streams for stream reads, across all streams (default 10,000). */
  readonly streamBudget?: number;
}

/**
 * What the SQLite store has recently committed or read, already parsed, so that the reads that
 * follow an append need not go back to the file:
 *
 * - the tail of the global log, for subscriptions: live subscribers read what was just appended;
 * - whole streams, for stream reads: a command loads the stream it (or the command before it)
 *   just wrote.
 *
 * It never answers on its own authority. The tail answers only with a run of consecutive
 * positions starting right after the one asked for (the log's `AUTOINCREMENT` positions normally
 * have no gaps); a position it does not hold, such as one another process appended, ends the
 * run, and the caller reads the file. A gap costs a read of the file, never an event. A stream
 * is answered only when the file's head revision for it (one index look-up) is the last
 * revision kept, so an append by another process is never hidden.
 *
 * The events are shared by every reader, so they are frozen, data and metadata included.
 */
export class RecentEvents {
  private readonly logCapacity: number;
  private readonly streamBudget: number;
  /** Ring buffer of the log's tail in position order; `first` is the oldest slot. */
  private readonly ring: (StoredEvent | undefined)[];
  private first = 0;
  private count = 0;
  /** Whole streams by id, least recently used first (a Map keeps insertion order). */
  private readonly streams = new Map<string, StoredEvent[]>();
  private streamEvents = 0;

  constructor(options: RecentEventsOptions = {}) {
    this.logCapacity = Math.max(1, options.logCapacity ?? 4_096);
    this.streamBudget = Math.max(0, options.streamBudget ?? 10_000);
    this.ring = new Array<StoredEvent | undefined>(this.logCapacity);
  }

  /**
   * Events one append committed, in order. Appends are recorded in the order they committed; one
   * that comes out of order (or repeats a position) is left out of the tail, which only costs a
   * read of the file.
   */
  appended(events: readonly StoredEvent[]): void {
    for (const event of events) {
      const newest = this.count === 0 ? undefined : this.at(this.count - 1);
      if (newest !== undefined && event.position.commit <= newest.position.commit) continue;
      if (this.count === this.logCapacity) {
        this.ring[this.first] = undefined;
        this.first = (this.first + 1) % this.logCapacity;
        this.count--;
      }
      this.ring[(this.first + this.count) % this.logCapacity] = event;
      this.count++;
    }
    // Streams grow only by their next revision; anything else means the stream is not whole here.
    for (const event of events) {
      const stream = this.streams.get(event.streamId);
      if (stream !== undefined) {
        if (stream[stream.length - 1]!.revision + 1n === event.revision && stream.length < this.streamBudget) {
          stream.push(event);
          this.streamEvents++;
          this.touch(event.streamId, stream);
        } else this.forget(event.streamId);
      } else if (event.revision === 0n) {
        this.remember(event.streamId, [event]);
      }
    }
    this.trim();
  }

  /**
   * Up to `limit` events of the log right after position `after` (0 for the start), if the tail
   * holds the one right after it; undefined when the file must be read instead. `more` says the
   * run stopped at a gap the tail knows of: the file holds further events at once.
   */
  after(after: bigint, limit: number): { readonly events: readonly StoredEvent[]; readonly more: boolean } | undefined {
    if (this.count === 0 || limit <= 0) return undefined;
    const next = after + 1n;
    if (next < this.at(0).position.commit || next > this.at(this.count - 1).position.commit) return undefined;
    // Binary search for the slot holding position `next`.
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).position.commit < next) lo = mid + 1;
      else hi = mid;
    }
    if (this.at(lo).position.commit !== next) return undefined;
    const events: StoredEvent[] = [];
    let expected = next;
    let i = lo;
    for (; i < this.count && events.length < limit; i++) {
      const event = this.at(i);
      // A gap is an append made through another connection: stop before it, the file has it.
      if (event.position.commit !== expected) break;
      events.push(event);
      expected++;
    }
    return { events, more: events.length < limit && i < this.count };
  }

  /** The whole stream as kept, if its last revision is `head`; undefined when the file must be read. */
  stream(streamId: string, head: bigint): readonly StoredEvent[] | undefined {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return undefined;
    if (stream[stream.length - 1]!.revision !== head) {
      this.forget(streamId);
      return undefined;
    }
    this.touch(streamId, stream);
    // A copy: the kept array grows with later appends.
    return stream.slice();
  }

  /** A whole stream just read from the file (revisions 0 to its head), kept for the next read. */
  read(streamId: string, events: readonly StoredEvent[]): void {
    if (events.length === 0 || events[0]!.revision !== 0n || events.length > this.streamBudget) return;
    this.forget(streamId);
    this.remember(streamId, [...events]);
    this.trim();
  }

  private at(i: number): StoredEvent {
    return this.ring[(this.first + i) % this.logCapacity]!;
  }

  private remember(streamId: string, events: StoredEvent[]): void {
    this.streams.set(streamId, events);
    this.streamEvents += events.length;
  }

  private forget(streamId: string): void {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return;
    this.streams.delete(streamId);
    this.streamEvents -= stream.length;
  }

  private touch(streamId: string, stream: StoredEvent[]): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, stream);
  }

  private trim(): void {
    for (const streamId of this.streams.keys()) {
      if (this.streamEvents <= this.streamBudget) break;
      this.forget(streamId);
    }
  }
}

/** Freezes an event with its data and metadata, all the way down. */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
};
