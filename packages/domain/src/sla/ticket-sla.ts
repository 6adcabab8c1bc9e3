import { addBusinessMillis, businessMillisBetween, endOfNextBusinessDayMillis, type BusinessCalendar } from '@support-sla/sla-calendar';
import { fromMillis, isIsoInstant, toMillis } from '../shared/primitives';
import { policyCalendars } from '../policy/policy.calendars';
import { customerWaitPausesOf, type SlaPolicy, type Target } from '../policy/policy.schema';
import { ticketExists, type Interval, type Ticket, type TicketState } from '../ticket/ticket.state';

/** The three clocks of a ticket. */
export type ClockName = 'confirmation' | 'response' | 'resolution';

/**
 * - `running`: started, not stopped, below the first warning fraction;
 * - `at-risk`: running with at least the first warning fraction of the target used;
 * - `paused`: standing still, not yet breached: waiting on the customer (for the clocks the policy's
 *   `customerWaitPauses` names), or held while the ticket's linked outage lasts (confirmation, response);
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
  /**
   * Wall-clock time the clock stood still: waits on the customer it is paused by, an outage hold
   * (confirmation, response), and for resolution the resolved-then-reopened spans.
   */
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
  b.length === 0 ? [...a] : a.length === 0 ? [...b] : [...a, ...b].sort((x, y) => x.fromMs - y.fromMs);

/** What the ticket's own stream cannot know: when its linked outage ended, if the host knows. */
export interface TicketSlaContext {
  /**
   * When the outage the ticket is linked to ended (from the outage board), `null` while it lasts.
   * Without it, the ticket's restoration notice (`TicketNotificationSent` with `restoredAt`) tells.
   */
  readonly outageRestoredAtMs?: number | null;
}

/**
 * The span during which a ticket linked to an outage owes no individual confirmation or
 * response: from the link until the outage was restored (open-ended while it lasts).
 */
const outageHold = (ticket: Ticket, context: TicketSlaContext): Interval[] => {
  const linkedMs = ticket.outageSinceMs;
  if (linkedMs === null) return [];
  const restoredMs = ticket.outageRestoredAtMs ?? context.outageRestoredAtMs ?? null;
  if (restoredMs === null) return [{ fromMs: linkedMs, toMs: Number.POSITIVE_INFINITY }];
  return restoredMs > linkedMs ? [{ fromMs: linkedMs, toMs: restoredMs }] : [];
};

/** Epoch ms of an `asOf` given as a number or as an ISO instant that names one instant. */
const asOfMillis = (asOf: number | string): number => {
  if (typeof asOf === 'number') {
    if (!Number.isFinite(asOf)) throw new RangeError(`asOf must be a finite epoch-millisecond value, got ${asOf}`);
    return asOf;
  }
  // Without an offset, Date.parse reads local time: the result would depend on the machine.
  if (!isIsoInstant(asOf)) throw new RangeError(`asOf must be an ISO-8601 instant with an offset or Z, got ${JSON.stringify(asOf)}`);
  return toMillis(asOf);
};

/**
 * The ticket's SLA clocks as of `asOf` (epoch ms or ISO instant with an offset), under `policy` —
 * which must be the version the ticket pinned at opening. Pure and deterministic.
 *
 * - Confirmation and response run on the support calendar from receipt. A wait on the customer
 *   pauses only the clocks the policy's `customerWaitPauses` names (default: resolution only).
 * - A ticket linked to an outage owes no individual confirmation or response while the outage
 *   lasts: both clocks stand still from the link until restoration; the restoration notice
 *   counts as both. Its resolution is measured on the outage calendar.
 *
 * @throws RangeError when `asOf` is not an instant (a local time without offset, say): a caller
 *   bug, never read in the machine's time zone.
 */
export function ticketSla(ticket: Ticket, policy: SlaPolicy, asOf: number | string, context?: TicketSlaContext): TicketSla;
/** Accepts what `ticketDecider.evolve` folds to: `null` when no ticket was opened (no clocks yet). */
export function ticketSla(state: TicketState, policy: SlaPolicy, asOf: number | string, context?: TicketSlaContext): TicketSla | null;
export function ticketSla(state: TicketState, policy: SlaPolicy, asOf: number | string, context: TicketSlaContext = {}): TicketSla | null {
  return ticketExists(state) ? slaOfTicket(state, policy, asOf, context) : null;
}

const slaOfTicket = (ticket: Ticket, policy: SlaPolicy, asOf: number | string, context: TicketSlaContext): TicketSla => {
  if (policy.version !== ticket.policyVersion) {
    throw new PolicyVersionMismatchError(`Ticket ${ticket.ticketNumber} pinned policy v${ticket.policyVersion}, got v${policy.version}.`);
  }
  const asOfMs = asOfMillis(asOf);
  const calendars = policyCalendars(policy);
  const tier = policy.targets[ticket.tier];
  const waitPauses = customerWaitPausesOf(policy);
  const waits = customerPauses(ticket);
  const hold = outageHold(ticket, context);
  const pausesOf = (name: ClockName): Interval[] => (waitPauses.includes(name) ? waits : []);
  const warnings = policy.warningFractions;
  const receivedMs = ticket.receivedAtMs;

  const clock = (name: 'confirmation' | 'response', stopMs: number | null): ClockReport => {
    const spec = name === 'confirmation' ? tier.confirmation : tier.response;
    return measure(
      {
        clock: name,
        calendarName: 'support',
        calendar: calendars.support,
        startMs: receivedMs,
        stopMs,
        pauses: mergeSorted(pausesOf(name), hold),
        ...target(spec, calendars.support, receivedMs, policy),
      },
      asOfMs,
      warnings,
    );
  };

  const onOutage = ticket.outageSinceMs !== null && ticket.outageSinceMs <= asOfMs;
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
        pauses: mergeSorted(pausesOf('resolution'), ticket.reopenGaps),
        targetMs: null,
      },
      asOfMs,
      warnings,
    ),
  };
};
