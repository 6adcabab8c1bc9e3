import { compareStrings, percentile, sortedNumbers } from '../support/ordering.js';

/** How one SLA clock of one ticket ended up, as the report counts it. */
export interface ClockOutcome {
  /** `met`: stopped within target; `breached`: stopped late or still running past its deadline; `pending`: still running within target. */
  readonly status: 'met' | 'breached' | 'pending';
  /** Business time from start to stop (milliseconds), once the clock has stopped; otherwise `null`. */
  readonly businessMs: number | null;
}

/** The per-ticket figures a compliance report is made of. Closed tickets are kept in this compact form. */
export interface TicketFacts {
  readonly ticketId: string;
  readonly ticketNumber: string;
  /** When the ticket was received (epoch ms): decides which period it belongs to. */
  readonly receivedAtMs: number;
  readonly tier: string;
  readonly requestType: string;
  readonly channel: string;
  readonly confirmation: ClockOutcome;
  readonly response: ClockOutcome;
  /** Time spent awaiting the customer (milliseconds), reported apart from the SLA clocks. */
  readonly waitingOnCustomerMs: number;
  /**
   * The outage the ticket is linked to (`null`: none). A linked ticket owes no individual
   * confirmation or response while the outage lasts: it is listed under its outage and never
   * counted as a confirmation or response breach.
   */
  readonly outageId?: string | null;
}

/** One outage as the report lists it: the facts behind its own clocks (all on the 24/7 outage calendar). */
export interface OutageFacts {
  readonly outageId: string;
  /** `monitors` (all three down) or `staff`. Absent in models stored before staff declarations. */
  readonly source?: 'monitors' | 'staff';
  readonly declaredAtMs: number;
  readonly endedAtMs: number | null;
  readonly debriefedAtMs: number | null;
  /** When the on-call engineers were first alerted (`null`: not yet). */
  readonly alertSentAtMs?: number | null;
  /** When an engineer acknowledged the alert (`null`: not yet). */
  readonly acknowledgedAtMs?: number | null;
}

export interface DurationStats {
  /** Number of stopped clocks the statistics are taken over. */
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
  readonly p95Ms: number | null;
}

export interface ClockSummary {
  readonly withinTarget: number;
  readonly breached: number;
  readonly pending: number;
  /** `withinTarget / (withinTarget + breached)` as a percentage rounded to 2 decimals; `null` when nothing was decided yet. */
  readonly withinTargetPercent: number | null;
  /** Business time from start to stop, over stopped clocks (nearest-rank percentiles). */
  readonly businessTime: DurationStats;
}

/** Figures for one (tier, request type, channel) group, or for all tickets (`'*'`). */
export interface ComplianceGroup {
  readonly tier: string;
  readonly requestType: string;
  readonly channel: string;
  readonly received: number;
  readonly confirmation: ClockSummary;
  readonly response: ClockSummary;
  /** Ticket numbers with a breached confirmation or response, ascending (never outage-linked ones). */
  readonly breachedTickets: readonly string[];
  /** Tickets linked to an outage: counted in `received`, listed under their outage, not in the clocks. */
  readonly outageLinked: number;
  readonly waitingOnCustomer: { readonly tickets: number; readonly totalMs: number };
}

export interface OutageLine {
  readonly outageId: string;
  readonly source: 'monitors' | 'staff';
  readonly declaredAt: string;
  /** When the on-call engineers were first alerted, and how long after the declaration. */
  readonly alertSentAt: string | null;
  readonly timeToAlertMs: number | null;
  /** When an engineer acknowledged the alert, and how long after the declaration. */
  readonly acknowledgedAt: string | null;
  readonly timeToAcknowledgeMs: number | null;
  /** Restoration: declared → ended. */
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly debriefedAt: string | null;
  /** From the end of the outage to its debrief. */
  readonly timeToDebriefMs: number | null;
  /** Numbers of the report's tickets linked to this outage, ascending. */
  readonly linkedTickets: readonly string[];
}

export interface OutageSummary {
  readonly count: number;
  /** Sum over ended outages. */
  readonly totalDurationMs: number;
  /** Declared → alert sent, declared → acknowledged, declared → restored, restored → debrief. */
  readonly timeToAlert: DurationStats;
  readonly timeToAcknowledge: DurationStats;
  readonly duration: DurationStats;
  readonly timeToDebrief: DurationStats;
  readonly outages: readonly OutageLine[];
}

/** The compliance report for the half-open period `[from, to)`, evaluated as of `asOf`. */
export interface ComplianceReport {
  readonly period: { readonly from: string; readonly to: string };
  readonly asOf: string;
  /** Which policy the clocks were measured under: `pinned` (each ticket's own) or a version number. */
  readonly policy: 'pinned' | number;
  readonly groups: readonly ComplianceGroup[];
  readonly total: ComplianceGroup;
  readonly outages: OutageSummary;
}

/**
 * A period and the instant at which clocks are judged. Instants are ISO-8601 with an offset.
 * Only what had happened by `asOf` counts: a clock whose deadline is after it is pending, never
 * breached, and tickets received after it are not in the report. The service passes the earlier
 * of `to` and its clock's now when the caller gives no `asOf`.
 */
export interface ReportPeriod {
  readonly from: string;
  readonly to: string;
  /** Defaults to `to` (a pure fold reads no clock). */
  readonly asOf?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

const stats = (values: number[]): DurationStats => {
  const sorted = sortedNumbers(values);
  return {
    count: sorted.length,
    medianMs: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p95Ms: percentile(sorted, 95),
  };
};

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10000) / 100);

interface GroupAcc {
  tier: string;
  requestType: string;
  channel: string;
  received: number;
  confirm: { met: number; breached: number; pending: number; times: number[] };
  respond: { met: number; breached: number; pending: number; times: number[] };
  breached: string[];
  outageLinked: number;
  waitingTickets: number;
  waitingMs: number;
}

const newAcc = (tier: string, requestType: string, channel: string): GroupAcc => ({
  tier,
  requestType,
  channel,
  received: 0,
  confirm: { met: 0, breached: 0, pending: 0, times: [] },
  respond: { met: 0, breached: 0, pending: 0, times: [] },
  breached: [],
  outageLinked: 0,
  waitingTickets: 0,
  waitingMs: 0,
});

const addClock = (acc: GroupAcc['confirm'], clock: ClockOutcome): void => {
  if (clock.status === 'met') acc.met += 1;
  else if (clock.status === 'breached') acc.breached += 1;
  else acc.pending += 1;
  if (clock.businessMs !== null) acc.times.push(clock.businessMs);
};

const addFacts = (acc: GroupAcc, facts: TicketFacts): void => {
  acc.received += 1;
  if (facts.waitingOnCustomerMs > 0) {
    acc.waitingTickets += 1;
    acc.waitingMs += facts.waitingOnCustomerMs;
  }
  if (facts.outageId !== undefined && facts.outageId !== null) {
    acc.outageLinked += 1;
    return;
  }
  addClock(acc.confirm, facts.confirmation);
  addClock(acc.respond, facts.response);
  if (facts.confirmation.status === 'breached' || facts.response.status === 'breached') acc.breached.push(facts.ticketNumber);
};

const clockSummary = (acc: GroupAcc['confirm']): ClockSummary => ({
  withinTarget: acc.met,
  breached: acc.breached,
  pending: acc.pending,
  withinTargetPercent: percent(acc.met, acc.met + acc.breached),
  businessTime: stats(acc.times),
});

const finish = (acc: GroupAcc): ComplianceGroup => ({
  tier: acc.tier,
  requestType: acc.requestType,
  channel: acc.channel,
  received: acc.received,
  confirmation: clockSummary(acc.confirm),
  response: clockSummary(acc.respond),
  breachedTickets: [...acc.breached].sort(compareStrings),
  outageLinked: acc.outageLinked,
  waitingOnCustomer: { tickets: acc.waitingTickets, totalMs: acc.waitingMs },
});

/** Measures the time between two instants on the outage calendar (wall-clock by default). */
export type OutageSpan = (fromMs: number, toMs: number) => number;
const wallClock: OutageSpan = (fromMs, toMs) => toMs - fromMs;
const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : iso(ms));

/**
 * Outages declared in `[fromMs, toMs)`, by declaration time then id, with their own clocks, as
 * known at `asOfMs` (a fact recorded later counts as not yet happened). `linked` gives the
 * numbers of the tickets linked to each outage.
 */
export const outageLines = (
  outages: Iterable<OutageFacts>,
  fromMs = Number.NEGATIVE_INFINITY,
  toMs = Number.POSITIVE_INFINITY,
  asOfMs = Number.POSITIVE_INFINITY,
  linked: ReadonlyMap<string, readonly string[]> = new Map(),
  span: OutageSpan = wallClock,
): OutageLine[] => {
  const lines: OutageLine[] = [];
  const known = (ms: number | null | undefined): number | null => (ms === null || ms === undefined || ms > asOfMs ? null : ms);
  const since = (fromMs: number, toMs: number | null): number | null => (toMs === null ? null : Math.max(0, span(fromMs, toMs)));
  for (const o of outages) {
    if (o.declaredAtMs < fromMs || o.declaredAtMs >= toMs || o.declaredAtMs > asOfMs) continue;
    const alertMs = known(o.alertSentAtMs);
    const ackMs = known(o.acknowledgedAtMs);
    const endMs = known(o.endedAtMs);
    const debriefMs = known(o.debriefedAtMs);
    lines.push({
      outageId: o.outageId,
      source: o.source ?? 'monitors',
      declaredAt: iso(o.declaredAtMs),
      alertSentAt: isoOrNull(alertMs),
      timeToAlertMs: since(o.declaredAtMs, alertMs),
      acknowledgedAt: isoOrNull(ackMs),
      timeToAcknowledgeMs: since(o.declaredAtMs, ackMs),
      endedAt: isoOrNull(endMs),
      durationMs: since(o.declaredAtMs, endMs),
      debriefedAt: isoOrNull(debriefMs),
      timeToDebriefMs: endMs === null ? null : since(endMs, debriefMs),
      linkedTickets: [...(linked.get(o.outageId) ?? [])].sort(compareStrings),
    });
  }
  return lines.sort((a, b) => compareStrings(a.declaredAt, b.declaredAt) || compareStrings(a.outageId, b.outageId));
};

/**
 * Builds a report from per-ticket facts and outages. Tickets count when received in
 * `[from, to)`; outages when declared in `[from, to)`. Groups are sorted by tier, request type
 * and channel; the input order does not matter.
 */
export const buildComplianceReport = (
  tickets: Iterable<TicketFacts>,
  outages: Iterable<OutageFacts>,
  period: { readonly fromMs: number; readonly toMs: number; readonly asOfMs: number },
  policy: 'pinned' | number,
  outageSpan: OutageSpan = wallClock,
): ComplianceReport => {
  const groups = new Map<string, GroupAcc>();
  const total = newAcc('*', '*', '*');
  const linked = new Map<string, string[]>();
  for (const facts of tickets) {
    if (facts.receivedAtMs < period.fromMs || facts.receivedAtMs >= period.toMs || facts.receivedAtMs > period.asOfMs) continue;
    if (facts.outageId !== undefined && facts.outageId !== null) {
      const list = linked.get(facts.outageId) ?? [];
      list.push(facts.ticketNumber);
      linked.set(facts.outageId, list);
    }
    const key = `${facts.tier}\u0000${facts.requestType}\u0000${facts.channel}`;
    let acc = groups.get(key);
    if (acc === undefined) {
      acc = newAcc(facts.tier, facts.requestType, facts.channel);
      groups.set(key, acc);
    }
    addFacts(acc, facts);
    addFacts(total, facts);
  }
  const sortedGroups = [...groups.values()]
    .sort(
      (a, b) => compareStrings(a.tier, b.tier) || compareStrings(a.requestType, b.requestType) || compareStrings(a.channel, b.channel),
    )
    .map(finish);

  const lines = outageLines(outages, period.fromMs, period.toMs, period.asOfMs, linked, outageSpan);
  const present = (values: readonly (number | null)[]): number[] => values.filter((v): v is number => v !== null);
  const durations = present(lines.map((l) => l.durationMs));
  const debriefs = present(lines.map((l) => l.timeToDebriefMs));

  return {
    period: { from: iso(period.fromMs), to: iso(period.toMs) },
    asOf: iso(period.asOfMs),
    policy,
    groups: sortedGroups,
    total: finish(total),
    outages: {
      count: lines.length,
      totalDurationMs: durations.reduce((s, d) => s + d, 0),
      timeToAlert: stats(present(lines.map((l) => l.timeToAlertMs))),
      timeToAcknowledge: stats(present(lines.map((l) => l.timeToAcknowledgeMs))),
      duration: stats(durations),
      timeToDebrief: stats(debriefs),
      outages: lines,
    },
  };
};
