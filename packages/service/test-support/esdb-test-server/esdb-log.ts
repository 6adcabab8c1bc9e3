/**
 * The in-memory data behind the EventStoreDB test double: one global log (`$all`) plus a
 * per-stream index. It knows nothing about gRPC; `esdb-test-server.ts` translates wire
 * messages into calls on it. Kept separate so the same data can outlive a server instance
 * (stop, then restart on the same port with the same events).
 */
import { randomUUID } from 'node:crypto';

/** One record in the global log, as EventStoreDB would store it. */
export interface LogRecord {
  readonly streamName: string;
  readonly revision: bigint;
  /** Commit and prepare position are equal: the double writes no explicit transactions. */
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends in the `created` header. */
  readonly created: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

/** Expected-revision forms of the wire protocol. */
export type WireExpected = { kind: 'any' } | { kind: 'no-stream' } | { kind: 'stream-exists' } | { kind: 'exact'; revision: bigint };

export type AppendOutcome =
  | { kind: 'success'; revision: bigint | undefined; position: bigint | undefined }
  | { kind: 'wrong-expected-version'; current: bigint | undefined; expected: WireExpected }
  | { kind: 'stream-deleted' };

interface StreamState {
  /** Indexes into the global log, in revision order. */
  readonly recordIndexes: number[];
  /** Soft delete: revisions below this are hidden from stream reads (EventStoreDB's `$tb`). */
  truncateBefore: bigint;
  tombstoned: boolean;
}

/** Stream the double writes a soft delete's metadata to, as EventStoreDB does (`$$<stream>`). */
export const metadataStreamOf = (streamName: string): string => `$$${streamName}`;

const TICKS_PER_MS = 10_000n;
/** A record's size on "disk": positions in EventStoreDB are byte offsets, so they are sparse. */
const RECORD_OVERHEAD = 96n;

export class EsdbLog {
  readonly records: LogRecord[] = [];
  private readonly streams = new Map<string, StreamState>();
  private nextPosition = 0n;
  private readonly listeners = new Set<() => void>();

  /** Position the next record will get: "the end of the log". */
  get endPosition(): bigint {
    return this.nextPosition;
  }

  /** Registers a callback run after every write; returns its removal. */
  onWrite(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isTombstoned(streamName: string): boolean {
    return this.streams.get(streamName)?.tombstoned ?? false;
  }

  /** Last revision written to the stream (deleted or not), or undefined when never written. */
  lastRevision(streamName: string): bigint | undefined {
    const state = this.streams.get(streamName);
    const last = state?.recordIndexes.at(-1);
    return last === undefined ? undefined : this.recordAt(last).revision;
  }

  /** Records a stream read can see (soft-deleted ones hidden), in revision order. */
  visibleRecords(streamName: string): LogRecord[] {
    const state = this.streams.get(streamName);
    if (!state) return [];
    return state.recordIndexes.map((i) => this.recordAt(i)).filter((r) => r.revision >= state.truncateBefore);
  }

  /** Index of the first record whose position is strictly greater than `position`. */
  firstIndexAfter(position: bigint): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.recordAt(mid).position <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  recordAt(index: number): LogRecord {
    const record = this.records[index];
    if (!record) throw new Error(`no log record at index ${index}`);
    return record;
  }

  append(streamName: string, expected: WireExpected, events: readonly ProposedEvent[], now: Date): AppendOutcome {
    const state = this.streams.get(streamName);
    if (state?.tombstoned) return { kind: 'stream-deleted' };
    const last = this.lastRevision(streamName);
    const softDeleted = state !== undefined && last !== undefined && state.truncateBefore > last;
    const current = last === undefined || softDeleted ? undefined : last;

    const duplicate = this.findDuplicate(streamName, expected, events);
    if (duplicate) return duplicate;

    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no-stream' && current === undefined) ||
      (expected.kind === 'stream-exists' && current !== undefined) ||
      // A soft-deleted stream continues at its old revision, as in EventStoreDB.
      (expected.kind === 'exact' && last !== undefined && expected.revision === last);
    if (!ok) return { kind: 'wrong-expected-version', current, expected };
    if (events.length === 0) {
      const lastRecord = state?.recordIndexes.at(-1);
      return {
        kind: 'success',
        revision: current,
        position: lastRecord === undefined || current === undefined ? undefined : this.recordAt(lastRecord).position,
      };
    }
    let revision = last ?? -1n;
    let position = 0n;
    for (const event of events) {
      revision += 1n;
      position = this.write(streamName, revision, event, now);
    }
    this.notify();
    return { kind: 'success', revision, position };
  }

  /**
   * Idempotent appends: EventStoreDB treats a batch whose ids are already in the stream at the
   * place the expected revision points to as already written, and answers with that result.
   */
  private findDuplicate(streamName: string, expected: WireExpected, events: readonly ProposedEvent[]): AppendOutcome | undefined {
    const first = events[0];
    if (!first) return undefined;
    const all = this.streams.get(streamName)?.recordIndexes.map((i) => this.recordAt(i)) ?? [];
    let start: number;
    if (expected.kind === 'no-stream') start = 0;
    else if (expected.kind === 'exact') start = Number(expected.revision + 1n);
    else start = all.findIndex((r) => r.id === first.id);
    if (start < 0 || start + events.length > all.length) return undefined;
    const matches = events.every((e, i) => all[start + i]?.id === e.id);
    if (!matches) return undefined;
    const lastMatch = all[start + events.length - 1];
    return lastMatch && { kind: 'success', revision: lastMatch.revision, position: lastMatch.position };
  }

  /** Soft delete: hides the stream's events from stream reads and records `$tb` in `$$stream`. */
  softDelete(streamName: string, expected: WireExpected, now: Date): AppendOutcome {
    const state = this.streams.get(streamName);
    if (state?.tombstoned) return { kind: 'stream-deleted' };
    const last = this.lastRevision(streamName);
    const check = this.checkDeleteExpectation(streamName, expected);
    if (check) return check;
    if (!state || last === undefined) return { kind: 'success', revision: undefined, position: undefined };
    state.truncateBefore = last + 1n;
    const metaStream = metadataStreamOf(streamName);
    const metaRevision = (this.lastRevision(metaStream) ?? -1n) + 1n;
    const body = Buffer.from(JSON.stringify({ $tb: Number(last + 1n) }), 'utf8');
    const position = this.write(
      metaStream,
      metaRevision,
      { id: randomUUID(), type: '$metadata', contentType: 'application/json', data: body, customMetadata: new Uint8Array() },
      now,
    );
    this.notify();
    return { kind: 'success', revision: last, position };
  }

  /** Hard delete: the stream can never be read or written again (`$streamDeleted` record). */
  tombstone(streamName: string, expected: WireExpected, now: Date): AppendOutcome {
    const check = this.checkDeleteExpectation(streamName, expected);
    if (check) return check;
    const revision = (this.lastRevision(streamName) ?? -1n) + 1n;
    const position = this.write(
      streamName,
      revision,
      { id: randomUUID(), type: '$streamDeleted', contentType: 'application/octet-stream', data: new Uint8Array(), customMetadata: new Uint8Array() },
      now,
    );
    const state = this.streams.get(streamName);
    if (state) state.tombstoned = true;
    this.notify();
    return { kind: 'success', revision, position };
  }

  private checkDeleteExpectation(streamName: string, expected: WireExpected): AppendOutcome | undefined {
    if (this.streams.get(streamName)?.tombstoned) return { kind: 'stream-deleted' };
    const last = this.lastRevision(streamName);
    const ok =
      expected.kind === 'any' ||
      (expected.kind === 'no-stream' && last === undefined) ||
      (expected.kind === 'stream-exists' && last !== undefined) ||
      (expected.kind === 'exact' && last === expected.revision);
    return ok ? undefined : { kind: 'wrong-expected-version', current: last, expected };
  }

  private write(streamName: string, revision: bigint, event: ProposedEvent, now: Date): bigint {
    const position = this.nextPosition;
    const record: LogRecord = {
      streamName,
      revision,
      position,
      id: event.id,
      type: event.type,
      contentType: event.contentType,
      data: event.data,
      customMetadata: event.customMetadata,
      created: BigInt(now.getTime()) * TICKS_PER_MS,
    };
    this.records.push(record);
    let state = this.streams.get(streamName);
    if (!state) {
      state = { recordIndexes: [], truncateBefore: 0n, tombstoned: false };
      this.streams.set(streamName, state);
    }
    state.recordIndexes.push(this.records.length - 1);
    const size =
      RECORD_OVERHEAD +
      BigInt(Buffer.byteLength(streamName) + Buffer.byteLength(event.type) + event.data.length + event.customMetadata.length);
    this.nextPosition = position + size;
    return position;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
