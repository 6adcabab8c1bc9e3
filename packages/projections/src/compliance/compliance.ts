import { policyCalendars, ticketSla, type ClockReport, type SlaPolicy, type Ticket } from '@support-sla/domain';
import { businessMillisBetween } from '@support-sla/sla-calendar';
import type { ReadModels } from '../model/read-models.js';
import { policyOf } from '../policies.js';
import { slaContextOf } from '../model/sla-context.js';
import { buildComplianceReport, type ClockOutcome, type ComplianceReport, type OutageSpan, type ReportPeriod, type TicketFacts } from './report.js';

const instant = (iso: string, what: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || !/(Z|[+-]\d{2}:\d{2})$/.test(iso)) throw new RangeError(`${what} must be an ISO-8601 instant with an offset, got ${iso}`);
  return ms;
};

const outcome = (clock: ClockReport): ClockOutcome =>
  clock.stoppedAtMs !== null
    ? { status: clock.status === 'breached' ? 'breached' : 'met', businessMs: clock.businessTimeUsedMs }
    : { status: clock.status === 'breached' ? 'breached' : 'pending', businessMs: null };

const waitedMs = (ticket: Ticket, atMs: number): number => {
  let total = 0;
  for (const w of ticket.customerWaits) total += w.toMs - w.fromMs;
  if (ticket.awaitingCustomerSinceMs !== null) total += Math.max(0, atMs - ticket.awaitingCustomerSinceMs);
  return total;
};

/** Which policy a report measures tickets under. */
export interface ReportOptions {
  /**
   * Omit for the real report (each ticket under the version it pinned). A policy (or the number
   * of a version the model knows) gives the what-if reading: every ticket measured under it.
   */
  readonly policy?: SlaPolicy | number;
}

/**
 * The compliance report for tickets received (and outages declared) in `[from, to)`, grouped by
 * tier, request type (the ticket's category, `unclassified` before triage) and channel.
 *
 * Every clock is judged as of `asOf` (default `to`; the service passes the earlier of `to` and
 * now): a clock stopped by then counts as met or breached; one still running is `pending` while
 * its deadline is ahead, and breached only once it has used more than its target. Tickets
 * received after `asOf` are left out. Tickets linked to an outage are listed under it and never
 * counted as confirmation or response breaches. Time awaiting the customer is wall-clock time,
 * reported apart.
 */
export const complianceReport = (model: ReadModels, period: ReportPeriod, options: ReportOptions = {}): ComplianceReport => {
  const fromMs = instant(period.from, 'from');
  const toMs = instant(period.to, 'to');
  const asOfMs = period.asOf === undefined ? toMs : instant(period.asOf, 'asOf');
  if (toMs < fromMs) throw new RangeError(`the period ends (${period.to}) before it starts (${period.from})`);
  const alternative = options.policy === undefined ? null : typeof options.policy === 'number' ? policyOf(model.policies, options.policy) : options.policy;
  const facts: TicketFacts[] = [];
  const add = (ticket: Ticket): void => {
    // Judged as of asOf, never later: a clock whose deadline is still ahead is pending.
    if (ticket.receivedAtMs > asOfMs) return;
    const atMs = asOfMs;
    const context = slaContextOf(model, ticket);
    // The what-if reading measures the same ticket as if it had pinned the other version.
    const sla =
      alternative === null
        ? ticketSla(ticket, policyOf(model.policies, ticket.policyVersion), atMs, context)
        : ticketSla({ ...ticket, policyVersion: alternative.version }, alternative, atMs, context);
    facts.push({
      ticketId: ticket.ticketId,
      ticketNumber: ticket.ticketNumber,
      receivedAtMs: ticket.receivedAtMs,
      tier: ticket.tier,
      requestType: ticket.category ?? 'unclassified',
      channel: ticket.channel,
      confirmation: outcome(sla.confirmation),
      response: outcome(sla.response),
      waitingOnCustomerMs: waitedMs(ticket, atMs),
      outageId: ticket.outageSinceMs !== null && ticket.outageSinceMs <= atMs ? ticket.outageId : null,
    });
  };
  for (const ticket of model.open.values()) if (ticket.receivedAtMs >= fromMs && ticket.receivedAtMs < toMs) add(ticket);
  model.closed.forEachReceivedIn(fromMs, toMs, add);
  // An outage belongs to no ticket: its clocks run on the outage calendar (24/7 by default) of the
  // newest policy the log has published (or of the what-if policy). The newest, not the one in force
  // at the declaration, so the answer does not depend on how streams interleave in the log.
  const policy = alternative ?? model.policies.versions[model.policies.versions.length - 1];
  const outageCalendar = policy === undefined || policy.outageCalendar === 'always-open' ? null : policyCalendars(policy).outage;
  const outageSpan: OutageSpan = outageCalendar === null ? (a, b) => b - a : (a, b) => businessMillisBetween(outageCalendar, a, b);
  return buildComplianceReport(facts, model.outages.values(), { fromMs, toMs, asOfMs }, alternative?.version ?? 'pinned', outageSpan);
};

/** The real report and the same period under another policy version, side by side. */
export interface WhatIfReport {
  readonly actual: ComplianceReport;
  readonly whatIf: ComplianceReport;
}

/**
 * The what-if: the period's report under `policy` (a policy, or a version the model knows)
 * beside the real one. Render both in one CSV with `complianceReportToCsv(r.actual, r.whatIf)`.
 */
export const whatIfReport = (model: ReadModels, period: ReportPeriod, policy: SlaPolicy | number): WhatIfReport => ({
  actual: complianceReport(model, period),
  whatIf: complianceReport(model, period, { policy }),
});
