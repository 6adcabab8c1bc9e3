import { addBusinessMillis, businessMillisBetween, endOfNextBusinessDayMillis, type BusinessCalendar } from '@support-sla/sla-calendar';
import { fromMillis } from '../shared/primitives';
import { policyCalendars } from '../policy/policy.calendars';
import type { SlaPolicy, Target } from '../policy/policy.schema';
import type { Interval, Ticket } from '../ticket/ticket.state';

/** The three clocks of a ticket. */
export type ClockName = 'confirmation' | 'response' | 'resolution';

/**
 * - `running`: started, not stopped, below the first warning fraction;
 * - `at-risk`: running with at least the first warning fraction of the target used;
 * - `paused`: waiting on the customer (not yet breached);
 * - `met`: stopped within target (resolution: resolved; it is best effort, never breached);
 * - `breached`: more business time used than the target allows, stopped or not.
 */
export type ClockStatus = 'running' | 'paused' | 'met' | 'breached' | 'at-risk';

/** One clock as of an instant. Durations are milliseconds; instants come as ISO strings and epoch ms. */
export interface ClockReport {
  readonly clock: ClockName;
  /** Which calendar measures it: the support hours, or the outage (24/7 by default) calendar. */
  readonly calendar: 'support' | 'outage';
  readonly startedAt: string;
  readonly startedAtMs: number;
  /**
   * When the target is reached given the pauses so far (while paused: if work resumed now).
   * `null` for resolution, which has no target.
   */
  readonly deadline: string | null;
  readonly deadlineMs: number | null;
  readonly stoppedAt: string | null;
  readonly stoppedAtMs: number | null;
  /** The target as business time; `null` for resolution. */
  readonly targetMs: number | null;
  /** Business time counted against the target (pauses excluded). */
  readonly businessTimeUsedMs: number;
  /** Target minus used, never below zero; `null` for resolution. */
  readonly businessTimeRemainingMs: number | null;
  /** Business time used beyond the target (0 unless breached). */
  readonly overdueMs: number;
  /** Wall-clock time the clock stood still (awaiting the customer; for resolution also resolved-then-reopened spans). */
  readonly pausedTimeMs: number;
  /** Business time inside those pauses (what was excluded from `businessTimeUsedMs`). */
  readonly pausedBusinessTimeMs: number;
  readonly status: ClockStatus;
  /** The highest warning fraction reached, or `null` below the first. */
  readonly warningLevel: number | null;
}

export interface TicketSla {
  readonly ticketId: string;
  readonly policyVersion: number;
  readonly asOf: string;
  readonly confirmation: ClockReport;
  readonly response: ClockReport;
  readonly resolution: ClockReport;
}

/** Thrown when `ticketSla` is given a policy other than the one the ticket pinned (a caller bug). */
export class PolicyVersionMismatchError extends Error {
  override readonly name = 'PolicyVersionMismatchError';
}

interface ClockInput {
  readonly clock: ClockName;
  readonly calendarName: 'support' | 'outage';
  readonly calendar: BusinessCalendar;
  readonly startMs: number;
  readonly stopMs: number | null;
  /** Wall-clock pauses in order; an open pause has `toMs` = +Infinity. */
  readonly pauses: readonly Interval[];
  readonly targetMs: number | null;
  /** The deadline when nothing pauses the clock, when the target defines one directly. */
  readonly plainDeadlineMs?: number;
}

const target = (
  spec: Target,
  calendar: BusinessCalendar,
  startMs: number,
  policy: SlaPolicy,
): { readonly targetMs: number; readonly plainDeadlineMs?: number } => {
  if (spec.kind === 'business-minutes') return { targetMs: spec.minutes * 60_000 };
  const plainDeadlineMs = endOfNextBusinessDayMillis(calendar, startMs, { countFrom: policy.nextBusinessDayCountsFrom });
  return { targetMs: businessMillisBetween(calendar, startMs, plainDeadlineMs), plainDeadlineMs };
};

const measure = (input: ClockInput, asOfMs: number, warnings: readonly number[]): ClockReport => {
  const { calendar, startMs, stopMs, targetMs } = input;
  const endMs = Math.max(startMs, stopMs === null ? asOfMs : Math.min(stopMs, asOfMs));
  const stopped = stopMs !== null && stopMs <= asOfMs;
  let pausedTimeMs = 0;
  let pausedBusinessTimeMs = 0;
  let paused = false;
  // Walk the gaps between pauses once: it yields used time, paused time and the deadline.
  let cursor = startMs;
  let budget = targetMs;
  let deadlineMs: number | null = null;
  // Before any pause, the deadline is the one the target names (e.g. 18:00 sharp), not whichever
  // equivalent instant adding the same business time lands on (the next opening).
  const reach = (from: number, amount: number): number =>
    from === startMs && input.plainDeadlineMs !== undefined ? input.plainDeadlineMs : addBusinessMillis(calendar, from, amount);
  for (const p of input.pauses) {
    const from = Math.max(p.fromMs, startMs);
    const to = Math.min(p.toMs, endMs);
    if (p.fromMs > endMs || to <= cursor) continue;
    if (from > cursor && budget !== null && deadlineMs === null) {
      const open = businessMillisBetween(calendar, cursor, from);
      if (open >= budget) deadlineMs = reach(cursor, budget);
      else budget -= open;
    }
    if (p.toMs > asOfMs && !stopped) paused = true;
    const clippedFrom = Math.max(from, cursor);
    pausedTimeMs += to - clippedFrom;
    pausedBusinessTimeMs += businessMillisBetween(calendar, clippedFrom, to);
    cursor = Math.max(cursor, to);
  }
  if (budget !== null && deadlineMs === null) deadlineMs = reach(cursor, budget);
  const usedMs = businessMillisBetween(calendar, startMs, endMs) - pausedBusinessTimeMs;
  let status: ClockStatus;
  let warningLevel: number | null = null;
  if (targetMs === null) {
    status = stopped ? 'met' : paused ? 'paused' : 'running';
  } else if (usedMs > targetMs) {
    status = 'breached';
  } else if (stopped) {
    status = 'met';
  } else {
    for (const w of warnings) if (usedMs >= w * targetMs) warningLevel = w;
    status = paused ? 'paused' : warningLevel !== null ? 'at-risk' : 'running';
  }
  if (targetMs !== null && status === 'breached') warningLevel = warnings[warnings.length - 1] ?? null;
  return {
    clock: input.clock,
    calendar: input.calendarName,
    startedAt: fromMillis(startMs),
    startedAtMs: startMs,
    deadline: deadlineMs === null ? null : fromMillis(deadlineMs),
    deadlineMs,
    stoppedAt: stopped && stopMs !== null ? fromMillis(stopMs) : null,
    stoppedAtMs: stopped ? stopMs : null,
    targetMs,
    businessTimeUsedMs: usedMs,
    businessTimeRemainingMs: targetMs === null ? null : Math.max(0, targetMs - usedMs),
    overdueMs: targetMs === null ? 0 : Math.max(0, usedMs - targetMs),
    pausedTimeMs,
    pausedBusinessTimeMs,
    status,
    warningLevel,
  };
};

const customerPauses = (ticket: Ticket): Interval[] =>
  ticket.awaitingCustomerSinceMs === null
    ? [...ticket.customerWaits]
    : [...ticket.customerWaits, { fromMs: ticket.awaitingCustomerSinceMs, toMs: Number.POSITIVE_INFINITY }];

const mergeSorted = (a: readonly Interval[], b: readonly Interval[]): Interval[] =>
  b.length === 0 ? [...a] : [...a, ...b].sort((x, y) => x.fromMs - y.fromMs);

/**
 * The ticket's SLA clocks as of `asOf` (epoch ms or ISO instant), under `policy` — which must be
 * the version the ticket pinned at opening. Pure and deterministic.
 *
 * Outage handling (classified as an outage, or linked to one): a clock still running when the
 * ticket entered outage handling restarts then on the outage calendar (the response target
 * becomes `outageResponseTarget`); clocks already stopped keep their support-hours result.
 * With `outageReclassificationRetroactive`, every clock runs on the outage calendar from receipt.
 */
export const ticketSla = (ticket: Ticket, policy: SlaPolicy, asOf: number | string): TicketSla => {
  if (policy.version !== ticket.policyVersion) {
    throw new PolicyVersionMismatchError(`Ticket ${ticket.ticketNumber} pinned policy v${ticket.policyVersion}, got v${policy.version}.`);
  }
  const asOfMs = typeof asOf === 'number' ? asOf : Date.parse(asOf);
  const calendars = policyCalendars(policy);
  const tier = policy.targets[ticket.tier];
  const pauses = customerPauses(ticket);
  const warnings = policy.warningFractions;
  const outageSince = ticket.outageSinceMs;
  const receivedMs = ticket.receivedAtMs;

  const clock = (name: 'confirmation' | 'response', stopMs: number | null): ClockReport => {
    const supportTarget = name === 'confirmation' ? tier.confirmation : tier.response;
    const switches =
      outageSince !== null &&
      outageSince <= asOfMs &&
      (policy.outageReclassificationRetroactive || stopMs === null || stopMs > outageSince) &&
      // A confirmation target of "end of next business day" has no meaning on a 24/7 clock.
      (name === 'response' || supportTarget.kind === 'business-minutes');
    if (!switches) {
      return measure(
        {
          clock: name,
          calendarName: 'support',
          calendar: calendars.support,
          startMs: receivedMs,
          stopMs,
          pauses,
          ...target(supportTarget, calendars.support, receivedMs, policy),
        },
        asOfMs,
        warnings,
      );
    }
    const startMs = policy.outageReclassificationRetroactive ? receivedMs : Math.max(receivedMs, outageSince);
    const outageTarget =
      name === 'response' ? { targetMs: policy.outageResponseTarget.minutes * 60_000 } : target(supportTarget, calendars.outage, startMs, policy);
    return measure({ clock: name, calendarName: 'outage', calendar: calendars.outage, startMs, stopMs, pauses, ...outageTarget }, asOfMs, warnings);
  };

  const onOutage = outageSince !== null && outageSince <= asOfMs;
  const resolutionStop = ticket.status === 'open' ? null : ticket.resolvedAtMs;
  return {
    ticketId: ticket.ticketId,
    policyVersion: policy.version,
    asOf: fromMillis(asOfMs),
    confirmation: clock('confirmation', ticket.acknowledgedAtMs),
    response: clock('response', ticket.respondedAtMs),
    resolution: measure(
      {
        clock: 'resolution',
        calendarName: onOutage ? 'outage' : 'support',
        calendar: onOutage ? calendars.outage : calendars.support,
        startMs: receivedMs,
        stopMs: resolutionStop,
        pauses: mergeSorted(pauses, ticket.reopenGaps),
        targetMs: null,
      },
      asOfMs,
      warnings,
    ),
  };
};
