import { decodeEvent, type DomainEvent } from '@support-sla/domain';
import { envelopeOf } from '@support-sla/projections';
import type { StoredEvent } from '../event-store/event-store.port';

/**
 * How a domain event is laid out in the store: the event's `type` and `data` as the stored
 * type and data, its `schemaVersion` in the metadata. Reading goes back through the domain's
 * codecs (with upcasting), so nothing enters the domain undecoded.
 */
export class UndecodableStoredEventError extends Error {
  override readonly name = 'UndecodableStoredEventError';
}

export const toDomainEvent = (stored: StoredEvent): DomainEvent => {
  const decoded = decodeEvent({ type: stored.type, schemaVersion: stored.metadata.schemaVersion, data: stored.data });
  if (decoded._tag === 'Left') {
    throw new UndecodableStoredEventError(
      `stored event ${stored.streamId}@${stored.revision.toString()} (${stored.id}) does not decode: ${decoded.left.message}`,
    );
  }
  return decoded.right;
};

/** The envelope projections see: the projections package's own mapping of a stored event. */
export { envelopeOf };

/** When the fact happened in the world: a phone message's receipt, a monitor's observation, else `at`. */
export const occurredAtOf = (event: DomainEvent): string => {
  const data = event.data as { at: string; receivedAt?: string; observedAt?: string };
  return data.receivedAt ?? data.observedAt ?? data.at;
};
