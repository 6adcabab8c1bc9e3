import { decodeEvent, type DomainEvent } from '@support-sla/domain';
import { EventEnvelopeCodec, type EventEnvelope } from './envelope.js';

/** Thrown when a stored line does not decode: names the position and what was wrong. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
}

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
