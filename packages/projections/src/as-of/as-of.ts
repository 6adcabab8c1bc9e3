import { isTicketEvent, ticketSla, type SlaPolicy, type Ticket, type TicketEvent, type TicketSla } from '@support-sla/domain';
import type { EnvelopedEvent } from '../audit/audit-timeline.js';
import { policyBookOf, policyOf } from '../policies.js';
import { evolveTicketState, isTicket } from '../tickets.js';

/**
 * - `occurred`: what had happened by the instant (events with `occurredAt ≤ T`), including
 *   facts the system only learnt later (a phone message entered after the fact);
 * - `recorded`: what the system knew by the instant (events with `recordedAt ≤ T`).
 */
export type AsOfReading = 'occurred' | 'recorded';

/** An event that had happened by the instant but was not yet recorded. */
export interface LateEntry {
  readonly revision: number;
  readonly type: TicketEvent['type'];
  readonly occurredAt: string;
  readonly recordedAt: string;
}

export interface TicketAsOf {
  readonly ticketId: string;
  readonly asOf: string;
  readonly reading: AsOfReading;
  /** The ticket's state from the events this reading admits; `null` if it did not exist yet. */
  readonly state: Ticket | null;
  /** Its clocks as of the instant under the policy version it pinned; `null` if it did not exist yet. */
  readonly sla: TicketSla | null;
  /** How many of the stream's events this reading admits, and the last one's revision. */
  readonly eventsApplied: number;
  readonly lastRevision: number | null;
  /**
   * Events that had happened by the instant but were recorded after it: included in the
   * `occurred` reading, missing from the `recorded` one. Empty when both readings agree.
   */
  readonly lateEntries: readonly LateEntry[];
}

export interface AsOfOptions {
  readonly at: string;
  readonly reading: AsOfReading;
  /** Known policy versions (default: the domain's `defaultPolicy`). */
  readonly policies?: readonly SlaPolicy[];
}

/**
 * A ticket's state and SLA clocks as of a past instant, from its stream's events (stream order).
 * Events are admitted by the reading's timestamp and folded in stream order, so the result is
 * exactly what the log said at that instant.
 */
export const ticketAsOf = (ticketId: string, events: Iterable<EnvelopedEvent>, options: AsOfOptions): TicketAsOf => {
  const atMs = Date.parse(options.at);
  if (Number.isNaN(atMs) || !/(Z|[+-]\d{2}:\d{2})$/.test(options.at)) {
    throw new RangeError(`as-of instant must be ISO-8601 with an offset, got ${options.at}`);
  }
  const book = policyBookOf(options.policies);
  let state: ReturnType<typeof evolveTicketState> | undefined;
  let applied = 0;
  let lastRevision: number | null = null;
  const late: LateEntry[] = [];
  for (const { event, envelope } of events) {
    if (!isTicketEvent(event) || event.data.ticketId !== ticketId) continue;
    const occurredMs = Date.parse(envelope.occurredAt);
    const recordedMs = Date.parse(envelope.recordedAt);
    if (occurredMs <= atMs && recordedMs > atMs) {
      late.push({ revision: Number(envelope.revision), type: event.type, occurredAt: envelope.occurredAt, recordedAt: envelope.recordedAt });
    }
    const admitted = options.reading === 'occurred' ? occurredMs <= atMs : recordedMs <= atMs;
    if (!admitted) continue;
    state = evolveTicketState(state, event);
    applied += 1;
    lastRevision = Number(envelope.revision);
  }
  const ticket = state !== undefined && isTicket(state) ? state : null;
  return {
    ticketId,
    asOf: new Date(atMs).toISOString(),
    reading: options.reading,
    state: ticket,
    sla: ticket === null ? null : ticketSla(ticket, policyOf(book, ticket.policyVersion), Math.max(atMs, ticket.receivedAtMs)),
    eventsApplied: applied,
    lastRevision,
    lateEntries: late,
  };
};
