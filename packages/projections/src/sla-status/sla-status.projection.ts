import { ticketSla, type ClockReport, type DomainEvent, type SlaPolicy, type Ticket, type TicketSla, type Tier } from '@support-sla/domain';
import type { EventEnvelope } from '../envelope.js';
import { policyBookOf, policyOf, publishInBook, type PolicyBook } from '../policies.js';
import type { Projection } from '../projection.js';
import { canonicalJson } from '../support/canonical-json.js';
import { compareStrings } from '../support/ordering.js';
import { evolveTicketState, isPolicyEvent, isTicket, isTicketEvent, slimClosedTicket, sortedEntries } from '../tickets.js';

/**
 * Every ticket's state (closed ones slimmed) and the policy versions they pinned. Clocks are
 * not stored: they depend on the instant they are read at, so {@link slaStatusBoard} and
 * {@link ticketSlaStatus} evaluate them with the domain's `ticketSla` when asked.
 */
export interface SlaStatusModel {
  policies: PolicyBook;
  readonly tickets: Map<string, Ticket>;
}

/** One ticket's clocks as of an instant. */
export interface TicketSlaStatus {
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly tier: Tier;
  readonly queue: string;
  readonly ticketStatus: Ticket['status'];
  readonly policyVersion: number;
  readonly confirmation: ClockReport;
  readonly response: ClockReport;
  readonly resolution: ClockReport;
}

/** The status board: open (not closed) tickets, and those at risk or breached. */
export interface SlaStatusBoard {
  readonly asOf: string;
  /** By ticket number. */
  readonly tickets: readonly TicketSlaStatus[];
  /** Ticket numbers with a confirmation or response clock at risk (and none breached), most urgent deadline first. */
  readonly atRisk: readonly string[];
  /** Ticket numbers with a breached confirmation or response clock, longest overdue first. */
  readonly breached: readonly string[];
}

const statusOf = (ticket: Ticket, sla: TicketSla): TicketSlaStatus => ({
  ticketId: ticket.ticketId,
  ticketNumber: ticket.ticketNumber,
  tier: ticket.tier,
  queue: ticket.queue,
  ticketStatus: ticket.status,
  policyVersion: ticket.policyVersion,
  confirmation: sla.confirmation,
  response: sla.response,
  resolution: sla.resolution,
});

const asOfMillis = (asOf: string | number): number => {
  const ms = typeof asOf === 'number' ? asOf : Date.parse(asOf);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(asOf)}`);
  return ms;
};

/** One ticket's clocks as of `asOf` under its pinned policy, or `undefined` for an unknown ticket. */
export const ticketSlaStatus = (model: SlaStatusModel, ticketId: string, asOf: string | number): TicketSlaStatus | undefined => {
  const ticket = model.tickets.get(ticketId);
  if (ticket === undefined) return undefined;
  return statusOf(ticket, ticketSla(ticket, policyOf(model.policies, ticket.policyVersion), asOfMillis(asOf)));
};

const isAtRisk = (s: TicketSlaStatus): boolean => s.confirmation.status === 'at-risk' || s.response.status === 'at-risk';
const isBreached = (s: TicketSlaStatus): boolean => s.confirmation.status === 'breached' || s.response.status === 'breached';

const nextDeadline = (s: TicketSlaStatus): number => {
  let best = Number.POSITIVE_INFINITY;
  for (const c of [s.confirmation, s.response]) if (c.status === 'at-risk' && c.deadlineMs !== null) best = Math.min(best, c.deadlineMs);
  return best;
};

const overdue = (s: TicketSlaStatus): number => Math.max(s.confirmation.overdueMs, s.response.overdueMs);

/** Evaluates every open (not closed) ticket's clocks as of `asOf`. */
export const slaStatusBoard = (model: SlaStatusModel, asOf: string | number): SlaStatusBoard => {
  const asOfMs = asOfMillis(asOf);
  const policyCache = new Map<number, SlaPolicy>();
  const statuses: TicketSlaStatus[] = [];
  for (const ticket of model.tickets.values()) {
    if (ticket.status === 'closed' || ticket.receivedAtMs > asOfMs) continue;
    let policy = policyCache.get(ticket.policyVersion);
    if (policy === undefined) {
      policy = policyOf(model.policies, ticket.policyVersion);
      policyCache.set(ticket.policyVersion, policy);
    }
    statuses.push(statusOf(ticket, ticketSla(ticket, policy, asOfMs)));
  }
  statuses.sort((a, b) => compareStrings(a.ticketNumber, b.ticketNumber));
  const breached = statuses.filter(isBreached).sort((a, b) => overdue(b) - overdue(a) || compareStrings(a.ticketNumber, b.ticketNumber));
  const atRisk = statuses
    .filter((s) => !isBreached(s) && isAtRisk(s))
    .sort((a, b) => nextDeadline(a) - nextDeadline(b) || compareStrings(a.ticketNumber, b.ticketNumber));
  return {
    asOf: new Date(asOfMs).toISOString(),
    tickets: statuses,
    atRisk: atRisk.map((s) => s.ticketNumber),
    breached: breached.map((s) => s.ticketNumber),
  };
};

interface SlaStatusJson {
  readonly policies: PolicyBook;
  readonly tickets: [string, Ticket][];
}

/** Options shared by the projections that evaluate clocks. */
export interface PolicyOptions {
  /** Policy versions known before any `PolicyPublished` event (default: the domain's `defaultPolicy`). */
  readonly policies?: readonly SlaPolicy[];
}

/** The ticket SLA status projection (see {@link SlaStatusModel}). */
export const slaStatusProjection = (options: PolicyOptions = {}): Projection<SlaStatusModel, DomainEvent> => ({
  name: 'ticket-sla-status',
  version: 1,
  initialState: () => ({ policies: policyBookOf(options.policies), tickets: new Map() }),
  evolve: (model: SlaStatusModel, event: DomainEvent, _envelope: EventEnvelope): SlaStatusModel => {
    if (isPolicyEvent(event)) {
      model.policies = publishInBook(model.policies, event);
      return model;
    }
    if (!isTicketEvent(event)) return model;
    const id = event.data.ticketId;
    const next = evolveTicketState(model.tickets.get(id), event);
    if (isTicket(next)) model.tickets.set(id, next.status === 'closed' ? slimClosedTicket(next) : next);
    return model;
  },
  serialize: (model) => canonicalJson({ policies: model.policies, tickets: sortedEntries(model.tickets) } satisfies SlaStatusJson),
  deserialize: (json) => {
    const parsed = JSON.parse(json) as SlaStatusJson;
    return { policies: parsed.policies, tickets: new Map(parsed.tickets) };
  },
});
