import { ticketDecider, ticketExists, type SlaPolicy, type Ticket } from '@support-sla/domain';
import { foldStream } from '../application/event-mapping';
import type { EventStore } from '../event-store/event-store.port';

/**
 * The ticket as its stream says now (the domain's one fold, {@link foldStream}); undefined when
 * there is none. For scripts and tests: the mailer never reads a stream (it rides on the read
 * models' fold), and an SLA alert is checked against the ticket's history by the domain, when the
 * watcher raises it through the command path.
 */
export const readTicket = async (store: EventStore, streamId: string): Promise<Ticket | undefined> => {
  const state = foldStream(ticketDecider, await store.readStream(streamId));
  return ticketExists(state) ? state : undefined;
};

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
