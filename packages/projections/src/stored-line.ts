import { decodeEvent, type DomainEvent } from '@support-sla/domain';
import { EventEnvelopeCodec, type EventEnvelope } from './envelope.js';
import type { GeneratedEvent } from './generator/history.js';

/** Thrown when a stored line does not decode: names the position and what was wrong. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
}

/**
 * The JSON line a store-like source writes for one event (bigints as decimal strings). Used by
 * the benchmark and tests to go through the same bytes a store would hold.
 */
export const serializeStoredEvent = (g: GeneratedEvent): string =>
  JSON.stringify({
    id: g.id,
    streamId: g.streamId,
    revision: String(g.revision),
    position: { commit: String(g.position), prepare: String(g.position) },
    type: g.event.type,
    schemaVersion: g.event.schemaVersion,
    data: g.event.data,
    metadata: g.metadata,
  });

interface StoredLine {
  readonly id: unknown;
  readonly streamId: unknown;
  readonly revision: unknown;
  readonly position: unknown;
  readonly type: unknown;
  readonly schemaVersion: unknown;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown>;
}

/** Parses and decodes one stored line (event through the domain's codecs, envelope through ours). */
export const decodeStoredLine = (line: string): { event: DomainEvent; envelope: EventEnvelope } => {
  const raw = JSON.parse(line) as StoredLine;
  const decoded = decodeEvent({ type: raw.type, schemaVersion: raw.schemaVersion, data: raw.data });
  if (decoded._tag === 'Left') throw new UndecodableEventError(`event ${String(raw.id)}: ${decoded.left.message}`);
  const m = raw.metadata ?? {};
  const envelope = EventEnvelopeCodec.decode({
    eventId: raw.id,
    streamId: raw.streamId,
    revision: raw.revision,
    globalPosition: raw.position,
    occurredAt: m['occurredAt'],
    recordedAt: m['recordedAt'],
    actorId: m['actorId'],
    actorRole: m['actorRole'],
    correlationId: m['correlationId'],
    causationId: m['causationId'],
  });
  if (envelope._tag === 'Left') throw new UndecodableEventError(`event ${String(raw.id)}: bad envelope`);
  return { event: decoded.right, envelope: envelope.right };
};


/** A generated event as projections receive it (envelope built from its metadata). */
export const envelopedOf = (g: GeneratedEvent): { event: DomainEvent; envelope: EventEnvelope } => ({
  event: g.event,
  envelope: {
    eventId: g.id,
    streamId: g.streamId,
    revision: BigInt(g.revision),
    globalPosition: { commit: BigInt(g.position), prepare: BigInt(g.position) },
    ...g.metadata,
  },
});
