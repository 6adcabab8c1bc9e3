import {
  defaultPolicy,
  isTicketEvent,
  SlaPolicy,
  ticketDecider,
  ticketExists,
  type DomainEvent,
  type Ticket,
  type TicketState,
} from '@support-sla/domain';
import { decodeStoredEvent } from '../application/event-mapping';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import type { NotificationStore } from './notification-store';

/** Decodes a stored event with the service's decoder; undefined for anything that is not a domain event (the mailer skips it). */
export const decodeStored = (stored: StoredEvent): DomainEvent | undefined => {
  const decoded = decodeStoredEvent(stored);
  return decoded._tag === 'Right' ? decoded.right : undefined;
};

/** The ticket's state right after `revision` (or now, without one), folded with the domain's `evolve`. */
export const readTicketState = async (store: EventStore, streamId: string, revision?: bigint): Promise<TicketState> => {
  const stored = await store.readStream(streamId);
  let state = ticketDecider.initialState;
  for (const s of stored) {
    if (revision !== undefined && s.revision > revision) break;
    const event = decodeStored(s);
    if (event !== undefined && isTicketEvent(event)) state = ticketDecider.evolve(state, event);
  }
  return state;
};

/** The ticket as it was right after `revision` (or now, without one); undefined when there is none. */
export const readTicket = async (store: EventStore, streamId: string, revision?: bigint): Promise<Ticket | undefined> => {
  const state = await readTicketState(store, streamId, revision);
  return ticketExists(state) ? state : undefined;
};

/**
 * The last state folded for each of the most recently seen tickets, so that a reader going
 * through the log in order (the reactor) folds each event onto the state it kept, instead of
 * reading and folding the ticket's whole stream again for every event. Anything it does not
 * hold, or holds at another revision, is read from the store.
 */
export class RecentTickets {
  private readonly states = new Map<string, { readonly revision: bigint; readonly state: TicketState }>();

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 5_000,
  ) {}

  /** The ticket's state right after `stored` (whose decoded event is `event`). */
  async after(stored: StoredEvent, event: DomainEvent): Promise<TicketState> {
    const kept = this.states.get(stored.streamId);
    let state: TicketState;
    if (kept !== undefined && kept.revision === stored.revision) state = kept.state;
    else if (kept !== undefined && kept.revision === stored.revision - 1n && isTicketEvent(event)) state = ticketDecider.evolve(kept.state, event);
    else state = await readTicketState(this.store, stored.streamId, stored.revision);
    // Most recently used last: the first key is the one to drop.
    this.states.delete(stored.streamId);
    this.states.set(stored.streamId, { revision: stored.revision, state });
    if (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
    return state;
  }
}

/**
 * Policy versions as published on the log (the reactor records each `PolicyPublished`), so a
 * ticket's deadlines use the version it pinned. Version 1 is the default policy until one is
 * published, as in the service's command path.
 */
export class PolicyBook {
  private readonly cache = new Map<number, SlaPolicy>();

  constructor(private readonly db: NotificationStore) {}

  record(policy: SlaPolicy): void {
    this.db.savePolicy(policy.version, JSON.stringify(policy));
  }

  get(version: number): SlaPolicy | undefined {
    const cached = this.cache.get(version);
    if (cached !== undefined) return cached;
    const json = this.db.policyJson(version);
    let policy: SlaPolicy | undefined;
    if (json !== undefined) {
      const decoded = SlaPolicy.decode(JSON.parse(json));
      policy = decoded._tag === 'Right' ? decoded.right : undefined;
    } else if (version === defaultPolicy.version) {
      policy = defaultPolicy;
    }
    if (policy !== undefined && json !== undefined) this.cache.set(version, policy);
    return policy;
  }
}

const instantFormats = new Map<string, Intl.DateTimeFormat>();

/** Renders instants for people, in the support calendar's time zone: `Tue, Mar 10, 2026, 9:00 AM EDT`. */
export const formatInstant = (ms: number, timeZone: string): string => {
  // Building an Intl.DateTimeFormat costs far more than formatting with one; one per zone is kept.
  let format = instantFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    instantFormats.set(timeZone, format);
  }
  return format.format(new Date(ms));
};

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** `Monday–Friday 08:00–18:00, America/New_York time` from the policy's weekly hours. */
export const describeSupportHours = (policy: SlaPolicy): string => {
  const { weeklyHours, timeZone } = policy.supportCalendar;
  const first = weeklyHours[0];
  const last = weeklyHours[weeklyHours.length - 1];
  if (first === undefined || last === undefined) return 'no regular hours';
  const uniform = weeklyHours.every((h) => h.start === first.start && h.end === first.end);
  const days = new Set(weeklyHours.map((h) => h.day)).size;
  if (uniform && days === weeklyHours.length) {
    const span = days === 1 ? cap(first.day) : `${cap(first.day)}–${cap(last.day)}`;
    return `${span} ${first.start}–${first.end}, ${timeZone} time`;
  }
  return `${weeklyHours.map((h) => `${cap(h.day)} ${h.start}–${h.end}`).join(', ')}, ${timeZone} time`;
};

/** `2 h 30 min` for a business-time span. */
export const formatDuration = (ms: number): string => {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
};

export const tierLabel = (ticket: Pick<Ticket, 'tier'>): string => (ticket.tier === 'premium' ? 'Premium' : 'Professional');

export const contactName = (ticket: Pick<Ticket, 'namedUser'>): string => ticket.namedUser.name ?? ticket.namedUser.email;

/** `<confirmation.SS-000042.<eventId>@support-sla.local>`: one id per purpose, ticket and triggering event. */
export const messageIdFor = (purpose: string, ticketNumber: string, triggerId: string, domain: string): string =>
  `<${purpose}.${ticketNumber}.${triggerId}@${domain}>`.replace(/[\s"]/g, '');
