import { addBusinessMillis } from '@support-sla/sla-calendar';
import { policyCalendars } from '../policy/policy.calendars';
import type { SlaPolicy } from '../policy/policy.schema';
import type { Ticket } from '../ticket/ticket.state';
import { ticketSla, type ClockReport } from './ticket-sla';

/**
 * SLA alert points: when a running clock reaches a warning fraction of its target, and its
 * deadline. A host schedules an alert at each point and checks it still holds before sending.
 */

/** The two clocks that have targets (resolution is best effort and never alerts). */
export type AlertClock = 'confirmation' | 'response';
export const ALERT_CLOCKS: readonly AlertClock[] = ['confirmation', 'response'];

/** When one alert falls due: a warning fraction (`'0.75'`) or `'breach'` of one clock. */
export interface AlertPoint {
  readonly clock: AlertClock;
  readonly level: string;
  readonly dueAtMs: number;
}

export const BREACH = 'breach';

/** The level a fraction is stored and keyed under (`0.75` → `'0.75'`). */
export const levelOf = (fraction: number): string => String(fraction);

const clockStopMs = (ticket: Ticket, clock: AlertClock): number | null => (clock === 'confirmation' ? ticket.acknowledgedAtMs : ticket.respondedAtMs);

/**
 * The instants at which an open ticket's running clocks reach each warning fraction and their
 * deadline, given its history so far (`asOfMs` is at or after its latest event). A clock that
 * is stopped or paused (by a wait on the customer, when the policy's `customerWaitPauses` names
 * it, or held by a link to a declared outage), and a resolved ticket, have no points: a later
 * event (reply, reopening, restoration notice) recomputes them. By default a wait pauses the
 * resolution clock only, so confirmation and response keep their alerts while support waits. A
 * fraction already used up gives a point at `asOfMs`. Pure: no clock read.
 */
export const alertPoints = (ticket: Ticket, policy: SlaPolicy, fractions: readonly number[], asOfMs: number): AlertPoint[] => {
  if (ticket.status !== 'open') return [];
  const sla = ticketSla(ticket, policy, asOfMs);
  const calendars = policyCalendars(policy);
  const points: AlertPoint[] = [];
  for (const clock of ALERT_CLOCKS) {
    const report: ClockReport = sla[clock];
    if (report.stoppedAtMs !== null || clockStopMs(ticket, clock) !== null || report.status === 'paused') continue;
    if (report.targetMs === null || report.deadlineMs === null) continue;
    const calendar = report.calendar === 'support' ? calendars.support : calendars.outage;
    for (const fraction of fractions) {
      const needed = Math.ceil(fraction * report.targetMs) - report.businessTimeUsedMs;
      const dueAtMs = needed <= 0 ? asOfMs : addBusinessMillis(calendar, asOfMs, needed);
      // A warning that would land on or after the deadline adds nothing to the breach alert.
      if (dueAtMs < report.deadlineMs) points.push({ clock, level: levelOf(fraction), dueAtMs });
    }
    points.push({ clock, level: BREACH, dueAtMs: Math.max(asOfMs, report.deadlineMs) });
  }
  return points.sort((a, b) => a.dueAtMs - b.dueAtMs || a.clock.localeCompare(b.clock));
};

/** Whether an alert point still holds for the ticket as it is now (it may have changed since). */
export const alertStillDue = (ticket: Ticket, policy: SlaPolicy, point: AlertPoint): boolean => {
  const stopMs = clockStopMs(ticket, point.clock);
  if (point.level !== BREACH) {
    // A warning about a clock that has stopped since, or a ticket no longer open, is stale.
    if (stopMs !== null || ticket.status !== 'open') return false;
    const report = ticketSla(ticket, policy, point.dueAtMs)[point.clock];
    if (report.targetMs === null || report.status === 'paused') return false;
    return report.businessTimeUsedMs >= Math.ceil(Number(point.level) * report.targetMs);
  }
  // A breach stays true once it happened, even if the clock stopped later (it was missed).
  if (stopMs !== null && stopMs <= point.dueAtMs) return false;
  if (ticket.resolvedAtMs !== null && ticket.resolvedAtMs <= point.dueAtMs && ticket.status !== 'open') return false;
  const report = ticketSla(ticket, policy, point.dueAtMs)[point.clock];
  return report.status !== 'paused' && report.status !== 'met' && report.deadlineMs !== null && report.deadlineMs <= point.dueAtMs;
};
