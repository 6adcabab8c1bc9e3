import { ticketSla, type ClockReport, type DomainEvent, type SlaPolicy, type Ticket, type TicketEvent } from '@support-sla/domain';
import type { EventEnvelope } from '../envelope.js';
import { policyBookOf, policyOf, publishInBook, type PolicyBook } from '../policies.js';
import type { Projection } from '../projection.js';
import { canonicalJson } from '../support/canonical-json.js';
import { evolveTicketState, isPolicyEvent, isTicket, isTicketEvent, sortedEntries } from '../tickets.js';
import { buildComplianceReport, type ClockOutcome, type ComplianceReport, type OutageFacts, type ReportPeriod, type TicketFacts } from './report.js';

/** A clock of a closed ticket, reduced to what the report needs. */
export interface StoredClock {
  /** `open`: not stopped when the ticket closed; judged against `deadlineMs` when the report is read. */
  readonly status: 'met' | 'breached' | 'open';
  readonly businessMs: number | null;
  readonly deadlineMs: number | null;
}

/** What is kept of a closed ticket: a few numbers and names instead of its whole state. */
export interface ClosedTicketFacts {
  readonly ticketNumber: string;
  readonly receivedAtMs: number;
  readonly tier: string;
  requestType: string;
  readonly channel: string;
  readonly closedAtMs: number;
  readonly confirmation: StoredClock;
  readonly response: StoredClock;
  /** Completed waits on the customer (wall-clock milliseconds). */
  waitingMs: number;
  /** Set while a reopened ticket waits on the customer. */
  waitingSinceMs: number | null;
  lastEventAtMs: number;
}

/**
 * The compliance accumulator. Tickets still open are kept whole (their clocks may still move);
 * a ticket that closes is reduced to {@link ClosedTicketFacts}, so memory follows the open
 * work. Outages are few and kept as they are.
 */
export interface ComplianceModel {
  policies: PolicyBook;
  /** `null`: each ticket under the version it pinned; otherwise the what-if policy every ticket is measured under. */
  readonly measureUnder: SlaPolicy | null;
  readonly open: Map<string, Ticket>;
  readonly closed: Map<string, ClosedTicketFacts>;
  readonly outages: Map<string, OutageFacts>;
}

const policyFor = (model: ComplianceModel, ticket: Ticket): { policy: SlaPolicy; ticket: Ticket } => {
  if (model.measureUnder === null) return { policy: policyOf(model.policies, ticket.policyVersion), ticket };
  // The what-if reading: the same ticket as if it had pinned the other version.
  return { policy: model.measureUnder, ticket: { ...ticket, policyVersion: model.measureUnder.version } };
};

const storedClock = (clock: ClockReport): StoredClock =>
  clock.stoppedAtMs !== null
    ? { status: clock.status === 'breached' ? 'breached' : 'met', businessMs: clock.businessTimeUsedMs, deadlineMs: clock.deadlineMs }
    : { status: clock.status === 'breached' ? 'breached' : 'open', businessMs: null, deadlineMs: clock.deadlineMs };

const outcomeOfClock = (clock: ClockReport): ClockOutcome =>
  clock.stoppedAtMs !== null
    ? { status: clock.status === 'breached' ? 'breached' : 'met', businessMs: clock.businessTimeUsedMs }
    : { status: clock.status === 'breached' ? 'breached' : 'pending', businessMs: null };

const outcomeOfStored = (clock: StoredClock, atMs: number): ClockOutcome => {
  if (clock.status !== 'open') return { status: clock.status, businessMs: clock.businessMs };
  // No pause can be open on a closed ticket, so the deadline is fixed: past it, the clock breached.
  return { status: clock.deadlineMs !== null && atMs > clock.deadlineMs ? 'breached' : 'pending', businessMs: null };
};

const waitedMs = (ticket: Ticket, atMs: number): number => {
  let total = 0;
  for (const w of ticket.customerWaits) total += w.toMs - w.fromMs;
  if (ticket.awaitingCustomerSinceMs !== null) total += Math.max(0, atMs - ticket.awaitingCustomerSinceMs);
  return total;
};

const compact = (model: ComplianceModel, ticket: Ticket, closedAtMs: number): ClosedTicketFacts => {
  const { policy, ticket: measured } = policyFor(model, ticket);
  const sla = ticketSla(measured, policy, Math.max(closedAtMs, ticket.lastEventAtMs));
  return {
    ticketNumber: ticket.ticketNumber,
    receivedAtMs: ticket.receivedAtMs,
    tier: ticket.tier,
    requestType: ticket.category ?? 'unclassified',
    channel: ticket.channel,
    closedAtMs,
    confirmation: storedClock(sla.confirmation),
    response: storedClock(sla.response),
    waitingMs: waitedMs(ticket, closedAtMs),
    waitingSinceMs: null,
    lastEventAtMs: ticket.lastEventAtMs,
  };
};

// After a closed ticket is reopened its confirmation and response clocks are settled; only the
// time it waits on the customer (and a reclassification) can still change what the report says.
const evolveClosed = (facts: ClosedTicketFacts, event: TicketEvent): void => {
  const atMs = Date.parse(event.data.at);
  facts.lastEventAtMs = Math.max(facts.lastEventAtMs, atMs);
  switch (event.type) {
    case 'TicketAwaitingCustomer':
      if (facts.waitingSinceMs === null) facts.waitingSinceMs = atMs;
      break;
    case 'CustomerReplied':
    case 'TicketResolved':
      if (facts.waitingSinceMs !== null) {
        facts.waitingMs += Math.max(0, atMs - facts.waitingSinceMs);
        facts.waitingSinceMs = null;
      }
      break;
    case 'TicketClassified':
      facts.requestType = event.data.category;
      break;
    default:
      break;
  }
};

const evolve = (model: ComplianceModel, event: DomainEvent, _envelope: EventEnvelope): ComplianceModel => {
  if (isTicketEvent(event)) {
    const id = event.data.ticketId;
    const facts = model.closed.get(id);
    if (facts !== undefined) {
      evolveClosed(facts, event);
      return model;
    }
    const next = evolveTicketState(model.open.get(id), event);
    if (!isTicket(next)) return model;
    if (next.status === 'closed') {
      model.open.delete(id);
      model.closed.set(id, compact(model, next, next.closedAtMs ?? next.lastEventAtMs));
    } else {
      model.open.set(id, next);
    }
    return model;
  }
  if (isPolicyEvent(event)) {
    model.policies = publishInBook(model.policies, event);
    return model;
  }
  switch (event.type) {
    case 'OutageDeclared':
      if (!model.outages.has(event.data.outageId)) {
        model.outages.set(event.data.outageId, {
          outageId: event.data.outageId,
          declaredAtMs: Date.parse(event.data.declaredAt),
          endedAtMs: null,
          debriefedAtMs: null,
        });
      }
      break;
    case 'OutageEnded': {
      const o = model.outages.get(event.data.outageId);
      if (o !== undefined) model.outages.set(o.outageId, { ...o, endedAtMs: Date.parse(event.data.endedAt) });
      break;
    }
    case 'OutageDebriefRecorded': {
      const o = model.outages.get(event.data.outageId);
      if (o !== undefined && o.debriefedAtMs === null) model.outages.set(o.outageId, { ...o, debriefedAtMs: Date.parse(event.data.at) });
      break;
    }
    default:
      break;
  }
  return model;
};

/** Options of the compliance projection. */
export interface ComplianceOptions {
  /** Policy versions known before any `PolicyPublished` event (default: the domain's `defaultPolicy`). */
  readonly policies?: readonly SlaPolicy[];
  /** What-if: measure every ticket under this policy instead of the version it pinned. */
  readonly measureUnder?: SlaPolicy;
}

interface ComplianceJson {
  readonly policies: PolicyBook;
  readonly measureUnder: SlaPolicy | null;
  readonly open: [string, Ticket][];
  readonly closed: [string, ClosedTicketFacts][];
  readonly outages: [string, OutageFacts][];
}

/** The compliance accumulator projection; read it with {@link complianceReport}. */
export const complianceProjection = (options: ComplianceOptions = {}): Projection<ComplianceModel, DomainEvent> => ({
  name: options.measureUnder === undefined ? 'compliance' : `compliance-what-if-v${options.measureUnder.version}`,
  version: 1,
  initialState: () => ({
    policies: policyBookOf(options.policies),
    measureUnder: options.measureUnder ?? null,
    open: new Map(),
    closed: new Map(),
    outages: new Map(),
  }),
  evolve,
  serialize: (model) =>
    canonicalJson({
      policies: model.policies,
      measureUnder: model.measureUnder,
      open: sortedEntries(model.open),
      closed: sortedEntries(model.closed),
      outages: sortedEntries(model.outages),
    } satisfies ComplianceJson),
  deserialize: (json) => {
    const parsed = JSON.parse(json) as ComplianceJson;
    return {
      policies: parsed.policies,
      measureUnder: parsed.measureUnder,
      open: new Map(parsed.open),
      closed: new Map(parsed.closed),
      outages: new Map(parsed.outages),
    };
  },
});

const instant = (iso: string, what: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:\d{2})$/.test(iso)) throw new RangeError(`${what} must be an ISO-8601 instant with an offset, got ${iso}`);
  return ms;
};

/**
 * The compliance report for tickets received (and outages declared) in `[from, to)`.
 *
 * The report reflects every event the model has seen. A clock that has stopped counts as met
 * or breached; one still running is judged as of `asOf` (default `to`) or the ticket's latest
 * event, whichever is later, and is `pending` while within target.
 */
export const complianceReport = (model: ComplianceModel, period: ReportPeriod): ComplianceReport => {
  const fromMs = instant(period.from, 'from');
  const toMs = instant(period.to, 'to');
  const asOfMs = period.asOf === undefined ? toMs : instant(period.asOf, 'asOf');
  if (toMs < fromMs) throw new RangeError(`the period ends (${period.to}) before it starts (${period.from})`);
  const facts: TicketFacts[] = [];
  for (const [ticketId, c] of model.closed) {
    if (c.receivedAtMs < fromMs || c.receivedAtMs >= toMs) continue;
    const atMs = Math.max(asOfMs, c.lastEventAtMs);
    facts.push({
      ticketId,
      ticketNumber: c.ticketNumber,
      receivedAtMs: c.receivedAtMs,
      tier: c.tier,
      requestType: c.requestType,
      channel: c.channel,
      confirmation: outcomeOfStored(c.confirmation, atMs),
      response: outcomeOfStored(c.response, atMs),
      waitingOnCustomerMs: c.waitingMs + (c.waitingSinceMs === null ? 0 : Math.max(0, atMs - c.waitingSinceMs)),
    });
  }
  for (const [ticketId, ticket] of model.open) {
    if (ticket.receivedAtMs < fromMs || ticket.receivedAtMs >= toMs) continue;
    const atMs = Math.max(asOfMs, ticket.lastEventAtMs);
    const { policy, ticket: measured } = policyFor(model, ticket);
    const sla = ticketSla(measured, policy, atMs);
    facts.push({
      ticketId,
      ticketNumber: ticket.ticketNumber,
      receivedAtMs: ticket.receivedAtMs,
      tier: ticket.tier,
      requestType: ticket.category ?? 'unclassified',
      channel: ticket.channel,
      confirmation: outcomeOfClock(sla.confirmation),
      response: outcomeOfClock(sla.response),
      waitingOnCustomerMs: waitedMs(ticket, atMs),
    });
  }
  return buildComplianceReport(facts, model.outages.values(), { fromMs, toMs, asOfMs }, model.measureUnder?.version ?? 'pinned');
};

/** The real report and the same period under another policy version, side by side. */
export interface WhatIfReport {
  readonly actual: ComplianceReport;
  readonly whatIf: ComplianceReport;
}

/**
 * The what-if comparison: `actual` from a model measured under pinned policies, `whatIf` from
 * one fed the same events with `measureUnder` set. Render both in one CSV with
 * `complianceReportToCsv(r.actual, r.whatIf)`.
 */
export const whatIfReport = (actual: ComplianceModel, alternative: ComplianceModel, period: ReportPeriod): WhatIfReport => {
  if (actual.measureUnder !== null) throw new RangeError('the actual model must measure tickets under their pinned policies');
  if (alternative.measureUnder === null) throw new RangeError('the alternative model needs a measureUnder policy');
  return { actual: complianceReport(actual, period), whatIf: complianceReport(alternative, period) };
};
