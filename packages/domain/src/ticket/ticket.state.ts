import type { Category, Channel, PriorityClass, Tier } from '../shared/agreement';
import { priorityClassOf } from '../shared/agreement';
import type { PriorityRaise } from '../policy/policy.schema';
import type { NamedUser, RequestDefinition, RequestDetails, SlaAlertChannel, SlaAlertClock } from './ticket.events';

const NO_RAISES: readonly PriorityRaise[] = [];

/** A closed interval of wall-clock time, in epoch milliseconds. */
export interface Interval {
  readonly fromMs: number;
  readonly toMs: number;
}

/** An SLA alert raised on the ticket (`TicketSlaAlertRaised`), and its deliveries recorded so far. */
export interface RaisedSlaAlert {
  readonly clock: SlaAlertClock;
  /** `'breach'` or the warning fraction as text (`'0.75'`). */
  readonly level: string;
  readonly dueAtMs: number;
  readonly raisedAtMs: number;
  /** When it was delivered on each channel (`TicketSlaAlertSent`), `null` until recorded. */
  readonly sentAtMs: Readonly<Record<SlaAlertChannel, number | null>>;
}

/**
 * What the ticket aggregate remembers. Instants are epoch milliseconds so that SLA math and
 * replays of millions of events never re-parse strings.
 */
export interface Ticket {
  readonly status: 'open' | 'resolved' | 'closed';
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly channel: Channel;
  readonly namedUser: NamedUser;
  readonly tier: Tier;
  readonly request: RequestDetails;
  readonly suggestedCategory: Category | null;
  /** Policy version pinned at opening. */
  readonly policyVersion: number;
  readonly openedAtMs: number;
  /** Start of every SLA clock. */
  readonly receivedAtMs: number;
  readonly category: Category | null;
  readonly classifiedAtMs: number | null;
  readonly reclassifications: number;
  readonly queue: string;
  readonly acknowledgedAtMs: number | null;
  readonly respondedAtMs: number | null;
  readonly response: { readonly definedAs: RequestDefinition; readonly actionPlan: string | null } | null;
  /** Set while support waits on the customer (the clocks the policy names are paused). */
  readonly awaitingCustomerSinceMs: number | null;
  /** Completed waits on the customer, in order. */
  readonly customerWaits: readonly Interval[];
  readonly resolvedAtMs: number | null;
  readonly resolution: string | null;
  /** Spans between a resolution and a reopening: excluded from the resolution measure. */
  readonly reopenGaps: readonly Interval[];
  readonly closedAtMs: number | null;
  readonly resolutionDetails: string | null;
  readonly reopenCount: number;
  readonly outageId: string | null;
  /**
   * When the ticket was linked to an outage: from then until the outage is restored it owes no
   * individual confirmation or response (those clocks stand still).
   */
  readonly outageSinceMs: number | null;
  /** When the linked outage ended, as the restoration notice recorded it (`null` until then). */
  readonly outageRestoredAtMs: number | null;
  /**
   * The SLA alerts raised, in order (once per clock and level). Read models may leave them out
   * of closed tickets (the archive does not keep them) and of tickets stored by versions before
   * them: only the domain's own fold of the stream decides on them.
   */
  readonly slaAlerts: readonly RaisedSlaAlert[];
  /**
   * Instant of the latest event (SLA alerts and their deliveries aside: observations about the
   * clocks, they never bound when a later fact may be dated); commands dated earlier are refused.
   */
  readonly lastEventAtMs: number;
}

export type TicketState = { readonly status: 'none' } | Ticket;

export const initialTicketState: TicketState = { status: 'none' };

export const ticketExists = (state: TicketState): state is Ticket => state.status !== 'none';

/** The alert raised on the ticket for this clock and level, if any. */
export const raisedSlaAlert = (ticket: Pick<Ticket, 'slaAlerts'>, clock: SlaAlertClock, level: string): RaisedSlaAlert | undefined =>
  // Tickets a read model stored before alerts were recorded have none.
  (ticket.slaAlerts as readonly RaisedSlaAlert[] | undefined)?.find((a) => a.clock === clock && a.level === level);

/** Service order of the priority classes: lower is served first. */
export const PRIORITY_RANK: Readonly<Record<PriorityClass, number>> = { outage: 0, error: 1, 'technical-question': 2, 'how-to': 3 };
const RANK = PRIORITY_RANK;

/**
 * The class the ticket is served in: outage when linked to an outage or classified as one;
 * otherwise its category's class. Before triage the requester's suggested category is used,
 * and with no suggestion the ticket waits with technical questions.
 */
export const priorityClass = (ticket: Ticket, raises: readonly PriorityRaise[] = NO_RAISES): PriorityClass => {
  if (ticket.outageId !== null) return 'outage';
  const category = ticket.category ?? ticket.suggestedCategory;
  if (category === null) return 'technical-question';
  const own = priorityClassOf(category);
  for (const raise of raises) if (raise.category === category && RANK[raise.to] < RANK[own]) return raise.to;
  return own;
};

/** Whether the ticket is linked to an outage (its resolution is measured on the outage calendar). */
export const isOutageTicket = (ticket: Ticket): boolean => ticket.outageSinceMs !== null;

/** `<tier>:<class>`; `<tier>:unclassified` until support staff classify (unless linked to an outage). */
export const queueOf = (ticket: Pick<Ticket, 'tier' | 'category' | 'outageId' | 'suggestedCategory'>): string => {
  if (ticket.outageId !== null) return `${ticket.tier}:outage`;
  if (ticket.category === null) return `${ticket.tier}:unclassified`;
  return `${ticket.tier}:${priorityClassOf(ticket.category)}`;
};

const MAX_USERS = 9_999_999_999;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * A string that sorts tickets in service order with a plain `<` comparison: outages, then
 * errors by number of users affected (more first), then technical questions, then how-to;
 * ties go first come, first served (receipt time), then by ticket number. A policy's
 * `priorityRaises` (pass them as `raises`) serve named request types in a higher class.
 */
export const priorityKey = (ticket: Ticket, raises: readonly PriorityRaise[] = NO_RAISES): string => {
  const cls = priorityClass(ticket, raises);
  const users = cls === 'error' ? Math.min(ticket.request.usersAffected ?? 1, MAX_USERS) : 0;
  const usersPart = cls === 'error' ? MAX_USERS - users : 0;
  return `${RANK[cls]}:${pad(usersPart, 10)}:${pad(Math.max(0, ticket.receivedAtMs), 15)}:${ticket.ticketNumber}`;
};

/** Comparator over {@link priorityKey} for `Array.prototype.sort`. */
export const comparePriority = (a: Ticket, b: Ticket, raises: readonly PriorityRaise[] = NO_RAISES): number => {
  const ka = priorityKey(a, raises);
  const kb = priorityKey(b, raises);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};
