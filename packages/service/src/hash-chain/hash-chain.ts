import { createHash, randomUUID } from 'node:crypto';
import type { EventMetadata, ExpectedRevision, NewEvent, StoredEvent } from '../event-store/event-store.port';
import { canonicalJson } from './canonical-json';

/**
 * Event metadata before sealing. Spelled out rather than `Omit<EventMetadata, ...>`, which would
 * collapse to the index signature and lose the named fields.
 */
export interface UnsealedMetadata {
  readonly correlationId: string;
  readonly causationId: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly schemaVersion: number;
  readonly [extra: string]: unknown;
}

/** An event before it is sealed: its metadata lacks `previousHash` and `hash`. */
export interface UnsealedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: UnsealedMetadata;
}

/** What a hash covers: everything about the event except its id, position and the hash itself. */
interface HashedContent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  /** Includes `previousHash`, which links the event to the one before it; a `hash` in it is ignored. */
  readonly metadata: UnsealedMetadata & { readonly previousHash: string };
}

/** Hex SHA-256 over the canonical JSON of the event's stream, revision, type, data and metadata (without `hash`). */
export function eventHash(content: HashedContent): string {
  const { hash: _ignored, ...metadata } = content.metadata;
  const canonical = canonicalJson({
    streamId: content.streamId,
    revision: content.revision.toString(),
    type: content.type,
    data: content.data ?? null,
    metadata,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Seals events about to be appended to `streamId`: the first gets revision `firstRevision` and
 * links to `previousHash` (the hash of the stream's current last event, `''` for a new stream);
 * each following event links to the one before it.
 */
export function sealEvents(streamId: string, firstRevision: bigint, previousHash: string, events: readonly UnsealedEvent[]): NewEvent[] {
  let previous = previousHash;
  return events.map((event, index) => {
    const metadata = { ...event.metadata, previousHash: previous };
    const hash = eventHash({ streamId, revision: firstRevision + BigInt(index), type: event.type, data: event.data, metadata });
    previous = hash;
    const sealed: EventMetadata = { ...metadata, hash };
    return { id: event.id, type: event.type, data: event.data, metadata: sealed };
  });
}

/** Where a stream's hash chain ends: its last event's revision and hash. */
export interface ChainEnd {
  readonly revision: bigint;
  readonly hash: string;
}

/** What an event the service writes of its own accord states: what, who, why and when. */
export interface SystemEventInput {
  readonly type: string;
  readonly data: unknown;
  readonly actor: { readonly id: string; readonly role: string };
  readonly correlationId: string;
  readonly causationId: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  /** Further metadata (the idempotency key of the open a number's claim serves). */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * One event the service writes of its own accord to a stream outside the domain's (a seal, a
 * ticket number's claim, the lease on sending), sealed into that stream's hash chain after `end`
 * (undefined: the stream's first): the event, its revision, and the revision its append expects.
 */
export function sealSystemEvent(
  streamId: string,
  end: ChainEnd | undefined,
  input: SystemEventInput,
): { readonly event: NewEvent; readonly revision: bigint; readonly expected: ExpectedRevision } {
  const revision = end === undefined ? 0n : end.revision + 1n;
  const [event] = sealEvents(streamId, revision, end?.hash ?? '', [
    {
      id: randomUUID(),
      type: input.type,
      data: input.data,
      metadata: {
        correlationId: input.correlationId,
        causationId: input.causationId,
        actorId: input.actor.id,
        actorRole: input.actor.role,
        occurredAt: input.occurredAt,
        recordedAt: input.recordedAt,
        schemaVersion: 1,
        ...input.extra,
      },
    },
  ]);
  return { event: event!, revision, expected: end === undefined ? 'no-stream' : end.revision };
}

/** Why a chain does not verify, at the first event where it breaks. */
export type ChainBreakReason =
  /** The event's content no longer matches its hash. */
  | 'altered'
  /** One or more revisions before this event are absent. */
  | 'missing'
  /** This revision turns up out of order (before an earlier one, or twice). */
  | 'reordered'
  /** The event's hash is right but it does not link to the hash of the event before it. */
  | 'unlinked';

export type ChainVerification =
  | { readonly ok: true; readonly streams: number; readonly events: number }
  | {
      readonly ok: false;
      readonly streamId: string;
      /** Revision of the event at which the chain breaks. */
      readonly revision: bigint;
      readonly reason: ChainBreakReason;
      readonly detail: string;
    };

type VerifiableEvent = Pick<StoredEvent, 'streamId' | 'revision' | 'type' | 'data' | 'metadata'>;

/**
 * Checks the per-stream hash chains of `events` (one or more streams, in stored order — a
 * stream read or the global log) and reports the first break. A stream's events must start at
 * revision 0, so a verification from the middle of a stream is not possible by design.
 */
export function verifyChain(events: readonly VerifiableEvent[]): ChainVerification {
  const streams = new Map<string, VerifiableEvent[]>();
  for (const event of events) {
    const list = streams.get(event.streamId);
    if (list) list.push(event);
    else streams.set(event.streamId, [event]);
  }
  for (const [streamId, list] of streams) {
    let expected = 0n;
    let previousHash = '';
    for (let i = 0; i < list.length; i++) {
      const event = list[i]!;
      const fail = (reason: ChainBreakReason, detail: string): ChainVerification => ({ ok: false, streamId, revision: event.revision, reason, detail });
      if (event.revision < expected) {
        return fail('reordered', `revision ${event.revision} found where ${expected} was expected`);
      }
      if (event.revision > expected) {
        const expectedLater = list.slice(i + 1).some((e) => e.revision === expected);
        return expectedLater
          ? fail('reordered', `revision ${event.revision} found before revision ${expected}`)
          : fail('missing', `revisions ${expected}..${event.revision - 1n} are absent`);
      }
      const recomputed = eventHash(event);
      if (recomputed !== event.metadata.hash) {
        return fail('altered', `stored hash ${event.metadata.hash || '(none)'} does not match the content (${recomputed})`);
      }
      if (event.metadata.previousHash !== previousHash) {
        return fail('unlinked', `previousHash ${event.metadata.previousHash || "''"} is not the hash of revision ${expected - 1n} (${previousHash || "''"})`);
      }
      previousHash = event.metadata.hash;
      expected += 1n;
    }
  }
  return { ok: true, streams: streams.size, events: events.length };
}
