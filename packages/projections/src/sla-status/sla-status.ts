import { ticketSla, type ClockReport, type SlaPolicy, type Ticket, type TicketSlaContext, type Tier } from '@support-sla/domain';
import type { ReadModels } from '../model/read-models.js';
import { ticketOf } from '../model/read-models.js';
import { policyOf } from '../policies.js';
import { slaContextOf } from '../model/sla-context.js';
import { compareStrings } from '../support/ordering.js';

/** One ticket's clocks as of an instant, under the policy version it pinned. */
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

/** The status board: every ticket not closed, and those at risk or breached. */
export interface SlaStatusBoard {
  readonly asOf: string;
  /** By ticket number. */
  readonly tickets: readonly TicketSlaStatus[];
  /** Ticket numbers with a confirmation or response clock at risk (and none breached), nearest deadline first. */
  readonly atRisk: readonly string[];
  /** Ticket numbers with a breached confirmation or response clock, most overdue first. */
  readonly breached: readonly string[];
}

const asOfMillis = (asOf: string | number): number => {
  const ms = typeof asOf === 'number' ? asOf : Date.parse(asOf);
  if (Number.isNaN(ms) || (typeof asOf === 'string' && !/(Z|[+-]\d{2}:\d{2})$/.test(asOf))) {
    throw new RangeError(`asOf must be an ISO-8601 instant with an offset or epoch milliseconds, got ${String(asOf)}`);
  }
  return ms;
};

const statusOf = (ticket: Ticket, policy: SlaPolicy, asOfMs: number, context: TicketSlaContext): TicketSlaStatus => {
  const sla = ticketSla(ticket, policy, asOfMs, context);
  return {
    ticketId: ticket.ticketId,
    ticketNumber: ticket.ticketNumber,
    tier: ticket.tier,
    queue: ticket.queue,
    ticketStatus: ticket.status,
    policyVersion: ticket.policyVersion,
    confirmation: sla.confirmation,
    response: sla.response,
    resolution: sla.resolution,
  };
};

/** One ticket's clocks (open or closed) as of `asOf`, or `undefined` for an unknown ticket. */
export const ticketSlaStatus = (model: ReadModels, ticketId: string, asOf: string | number): TicketSlaStatus | undefined => {
  const ticket = ticketOf(model, ticketId);
  return ticket === undefined ? undefined : statusOf(ticket, policyOf(model.policies, ticket.policyVersion), asOfMillis(asOf), slaContextOf(model, ticket));
};

const isAtRisk = (s: TicketSlaStatus): boolean => s.confirmation.status === 'at-risk' || s.response.status === 'at-risk';
const isBreached = (s: TicketSlaStatus): boolean => s.confirmation.status === 'breached' || s.response.status === 'breached';

const nearestDeadline = (s: TicketSlaStatus): number => {
  let best = Number.POSITIVE_INFINITY;
  for (const c of [s.confirmation, s.response]) if (c.status === 'at-risk' && c.deadlineMs !== null) best = Math.min(best, c.deadlineMs);
  return best;
};

const overdue = (s: TicketSlaStatus): number => Math.max(s.confirmation.overdueMs, s.response.overdueMs);

/**
 * Evaluates the clocks of every ticket not closed (received by `asOf`) as of `asOf`. The board
 * reflects the events the model has seen; pass the instant you want the clocks read at.
 */
export const slaStatusBoard = (model: ReadModels, asOf: string | number): SlaStatusBoard => {
  const asOfMs = asOfMillis(asOf);
  const statuses: TicketSlaStatus[] = [];
  for (const ticket of model.open.values()) {
    if (ticket.receivedAtMs > asOfMs) continue;
    statuses.push(statusOf(ticket, policyOf(model.policies, ticket.policyVersion), asOfMs, slaContextOf(model, ticket)));
  }
  statuses.sort((a, b) => compareStrings(a.ticketNumber, b.ticketNumber));
  const breached = statuses.filter(isBreached).sort((a, b) => overdue(b) - overdue(a) || compareStrings(a.ticketNumber, b.ticketNumber));
  const atRisk = statuses
    .filter((s) => !isBreached(s) && isAtRisk(s))
    .sort((a, b) => nearestDeadline(a) - nearestDeadline(b) || compareStrings(a.ticketNumber, b.ticketNumber));
  return {
    asOf: new Date(asOfMs).toISOString(),
    tickets: statuses,
    atRisk: atRisk.map((s) => s.ticketNumber),
    breached: breached.map((s) => s.ticketNumber),
  };
};
