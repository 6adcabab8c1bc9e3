import { decodeEvent, type Decider, type DomainEvent } from '@support-sla/domain';
import { envelopeOf } from '@support-sla/projections';
import type { StoredEvent } from '../event-store/event-store.port';

/**
 * A stored event the domain's codecs refuse (written before a codec changed, or by hand). It
 * names where it is and which fields failed, never their values (the message reaches `/health`
 * and 503 answers): `stored event ticket-T-1@0 (TicketOpened) does not decode: field
 * data.namedUser.email (expected Email)`. See RELIABILITY.md for the repair.
 */
export class UndecodableStoredEventError extends Error {
  override readonly name = 'UndecodableStoredEventError';
  constructor(
    readonly streamId: string,
    readonly revision: bigint,
    readonly eventId: string,
    readonly eventType: string,
    /** The failing fields, e.g. `[{ field: 'data.namedUser.email', expected: 'Email' }]`. */
    readonly fields: readonly { readonly field: string; readonly expected: string }[],
    /** The decoder's own report, values included: for the log, not for answers. */
    readonly detail: string,
  ) {
    const named = fields.map((f) => `field ${f.field === '' ? '(event)' : f.field} (expected ${f.expected})`).join(', ');
    super(`stored event ${streamId}@${revision.toString()} (${eventType.slice(0, 80)}) does not decode: ${named}`);
  }
}

/**
 * How a domain event is laid out in the store: the event's `type` and `data` as the stored
 * type and data, its `schemaVersion` in the metadata. Reading goes back through the domain's
 * codecs (with upcasting), so nothing enters the domain undecoded. The service's one decoder
 * from a stored event to a domain event: commands, read models, the mailer and the audit use it.
 */
export const decodeStoredEvent = (stored: Pick<StoredEvent, 'type' | 'data' | 'metadata'>): ReturnType<typeof decodeEvent> =>
  decodeEvent({ type: stored.type, schemaVersion: stored.metadata.schemaVersion, data: stored.data });

/** {@link decodeStoredEvent}, throwing {@link UndecodableStoredEventError} for an event it refuses. */
export const toDomainEvent = (stored: StoredEvent): DomainEvent => {
  const decoded = decodeStoredEvent(stored);
  if (decoded._tag === 'Left') {
    throw new UndecodableStoredEventError(
      stored.streamId,
      stored.revision,
      stored.id,
      stored.type,
      decoded.left.issues.map((i) => ({ field: i.path, expected: i.expected })),
      decoded.left.message,
    );
  }
  return decoded.right;
};

/**
 * The state of one stream: its stored events decoded ({@link toDomainEvent}) and folded with the
 * decider's `evolve`. A stream only ever holds its own aggregate's events (the executor is its
 * only writer). The executor loads with it; so does the SLA watcher, checking an alert that fell due.
 */
export const foldStream = <C, S, E extends DomainEvent>(decider: Decider<C, S, E>, stored: readonly StoredEvent[]): S => {
  let state = decider.initialState;
  for (const s of stored) state = decider.evolve(state, toDomainEvent(s) as E);
  return state;
};

/** The envelope projections see: the projections package's own mapping of a stored event. */
export { envelopeOf };

/** When the fact happened in the world: a phone message's receipt, a monitor's observation, else `at`. */
export const occurredAtOf = (event: DomainEvent): string => {
  const data = event.data as { at: string; receivedAt?: string; observedAt?: string };
  return data.receivedAt ?? data.observedAt ?? data.at;
};
