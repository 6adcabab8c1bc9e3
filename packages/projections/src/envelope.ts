import { IsoInstant, NonEmptyString } from '@support-sla/domain';
import * as t from 'io-ts';

/**
 * A position in the store's global log, compared commit first, then prepare. Same shape as the
 * service's event-store port, so a `StoredEvent.position` can be passed through unchanged.
 */
export interface GlobalPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** The metadata a store keeps beside each event that an envelope is made of. */
export interface EnvelopeMetadata {
  /** ISO-8601 instant at which the fact happened in the world. */
  readonly occurredAt: string;
  /** ISO-8601 instant (`Z`) at which the service stored the event. */
  readonly recordedAt: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly correlationId: string;
  readonly causationId: string;
}

/**
 * Everything a projection learns about an event besides its payload: where it sits in the log,
 * when it happened (`occurredAt`) and when it was stored (`recordedAt`), and who caused it.
 */
export interface EventEnvelope extends EnvelopeMetadata {
  readonly eventId: string;
  readonly streamId: string;
  /** 0-based revision within the stream. */
  readonly revision: bigint;
  readonly globalPosition: GlobalPosition;
}

/** Total order on global positions. */
export const compareGlobalPositions = (a: GlobalPosition, b: GlobalPosition): number =>
  a.commit < b.commit ? -1 : a.commit > b.commit ? 1 : a.prepare < b.prepare ? -1 : a.prepare > b.prepare ? 1 : 0;

/** `"commit/prepare"`: the position as JSON-safe text (bigints do not survive `JSON.stringify`). */
export const formatGlobalPosition = (p: GlobalPosition): string => `${p.commit.toString()}/${p.prepare.toString()}`;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A non-negative bigint carried in JSON as a decimal string (or a safe integer number). */
export const BigIntFromJson = new t.Type<bigint, string, unknown>(
  'BigIntFromJson',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) => {
    if (typeof u === 'bigint') return u >= 0n ? t.success(u) : t.failure(u, c, 'expected a non-negative integer');
    if (typeof u === 'number' && Number.isSafeInteger(u) && u >= 0) return t.success(BigInt(u));
    if (typeof u === 'string' && DECIMAL.test(u)) return t.success(BigInt(u));
    return t.failure(u, c, 'expected a non-negative integer as a decimal string');
  },
  (b) => b.toString(),
);

/** io-ts codec between an envelope's JSON form (bigints as decimal strings) and {@link EventEnvelope}. */
export const EventEnvelopeCodec: t.Type<EventEnvelope, EventEnvelopeJson, unknown> = t.readonly(
  t.type({
    eventId: NonEmptyString,
    streamId: NonEmptyString,
    revision: BigIntFromJson,
    globalPosition: t.readonly(t.type({ commit: BigIntFromJson, prepare: BigIntFromJson })),
    occurredAt: IsoInstant,
    recordedAt: IsoInstant,
    actorId: NonEmptyString,
    actorRole: NonEmptyString,
    correlationId: t.string,
    causationId: t.string,
  }),
  'EventEnvelope',
);

/** The JSON form of an envelope. */
export interface EventEnvelopeJson extends EnvelopeMetadata {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: string;
  readonly globalPosition: { readonly commit: string; readonly prepare: string };
}

/** The parts of a stored event (as the service's event-store port reads them) an envelope needs. */
export interface StoredEventLike {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: GlobalPosition;
  readonly metadata: EnvelopeMetadata;
}

/** Builds the envelope of a stored event read from the service's event-store port. */
export const envelopeOf = (stored: StoredEventLike): EventEnvelope => ({
  eventId: stored.id,
  streamId: stored.streamId,
  revision: stored.revision,
  globalPosition: stored.position,
  occurredAt: stored.metadata.occurredAt,
  recordedAt: stored.metadata.recordedAt,
  actorId: stored.metadata.actorId,
  actorRole: stored.metadata.actorRole,
  correlationId: stored.metadata.correlationId,
  causationId: stored.metadata.causationId,
});
