import { isPolicyEvent, isTicketEvent, ticketSla, type ClockReport, type DomainEvent, type SlaPolicy, type Ticket, type TicketEvent, type TicketState } from '@support-sla/domain';
import { formatGlobalPosition, type EventEnvelope } from '../envelope.js';
import { policyBookOf, policyOf, publishInBook, type PolicyBook } from '../policies.js';
import { foldProjection, type Projection } from '../projection.js';
import { canonicalJson } from '../support/canonical-json.js';
import { evolveTicketState, isTicket } from '../tickets.js';

/** A clock in the timeline: the figures an auditor checks, without the derived duplicates. */
export interface TimelineClock {
  readonly status: ClockReport['status'];
  readonly calendar: ClockReport['calendar'];
  readonly startedAt: string;
  readonly deadline: string | null;
  readonly stoppedAt: string | null;
  readonly businessTimeUsedMs: number;
  readonly businessTimeRemainingMs: number | null;
  readonly pausedTimeMs: number;
}

/** One event of the ticket's history and the SLA state right after it. */
export interface TimelineEntry {
  readonly revision: number;
  readonly globalPosition: string;
  readonly eventId: string;
  readonly type: TicketEvent['type'];
  /** When it happened (envelope `occurredAt`). */
  readonly occurredAt: string;
  /** When the service stored it. */
  readonly recordedAt: string;
  /** `recordedAt − occurredAt` in milliseconds: large for a phone message entered late. */
  readonly recordedAfterMs: number;
  readonly actorId: string;
  readonly actorRole: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly ticketStatus: Ticket['status'];
  readonly queue: string;
  /** Clocks as of the event's own time (`data.at`), under the ticket's pinned policy. */
  readonly sla: { readonly confirmation: TimelineClock; readonly response: TimelineClock; readonly resolution: TimelineClock };
  /** What an SLA alert event says, in words (`SLA warning raised: response clock at 75 %, due …`); absent for other events. */
  readonly note?: string;
}

export interface AuditTimeline {
  readonly ticketId: string;
  readonly ticketNumber: string | null;
  readonly policyVersion: number | null;
  readonly entries: readonly TimelineEntry[];
}

/** The model of the audit timeline projection for one ticket. */
export interface AuditTimelineModel {
  policies: PolicyBook;
  state: TicketState | null;
  readonly entries: TimelineEntry[];
}

const clockOf = (c: ClockReport): TimelineClock => ({
  status: c.status,
  calendar: c.calendar,
  startedAt: c.startedAt,
  deadline: c.deadline,
  stoppedAt: c.stoppedAt,
  businessTimeUsedMs: c.businessTimeUsedMs,
  businessTimeRemainingMs: c.businessTimeRemainingMs,
  pausedTimeMs: c.pausedTimeMs,
});

const alertWords = (clock: string, level: string): string =>
  level === 'breach' ? `SLA breach of the ${clock} clock` : `SLA warning: ${clock} clock at ${Math.round(Number(level) * 100)} %`;

/** The words of an SLA alert event (raised, or delivered on one channel); undefined for any other event. */
export const alertNote = (event: TicketEvent): string | undefined => {
  if (event.type === 'TicketSlaAlertRaised') return `${alertWords(event.data.clock, event.data.level)}, raised (due ${event.data.dueAt})`;
  if (event.type === 'TicketSlaAlertSent') return `${alertWords(event.data.clock, event.data.level)}, sent by ${event.data.channel} to ${event.data.to}`;
  return undefined;
};

export interface AuditTimelineOptions {
  /** Policy versions known before any `PolicyPublished` event (default: the domain's `defaultPolicy`). */
  readonly policies?: readonly SlaPolicy[];
}

/**
 * The audit timeline of one ticket, as a projection: feed it the ticket's stream (or the whole
 * log; other tickets' events are ignored, policy publications are noted).
 */
export const auditTimelineProjection = (ticketId: string, options: AuditTimelineOptions = {}): Projection<AuditTimelineModel, DomainEvent> => ({
  name: `audit-timeline:${ticketId}`,
  version: 1,
  initialState: () => ({ policies: policyBookOf(options.policies), state: null, entries: [] }),
  evolve: (model: AuditTimelineModel, event: DomainEvent, envelope: EventEnvelope): AuditTimelineModel => {
    if (isPolicyEvent(event)) {
      model.policies = publishInBook(model.policies, event);
      return model;
    }
    if (!isTicketEvent(event) || event.data.ticketId !== ticketId) return model;
    const state = evolveTicketState(model.state ?? undefined, event);
    model.state = state;
    if (!isTicket(state)) return model;
    const note = alertNote(event);
    // An alert leaves the ticket's latest event alone (it does not bound later facts): its clocks are those at its own time.
    const asOfMs = note === undefined ? state.lastEventAtMs : Math.max(state.lastEventAtMs, Date.parse(event.data.at));
    const sla = ticketSla(state, policyOf(model.policies, state.policyVersion), asOfMs);
    model.entries.push({
      revision: Number(envelope.revision),
      globalPosition: formatGlobalPosition(envelope.globalPosition),
      eventId: envelope.eventId,
      type: event.type,
      occurredAt: envelope.occurredAt,
      recordedAt: envelope.recordedAt,
      recordedAfterMs: Date.parse(envelope.recordedAt) - Date.parse(envelope.occurredAt),
      actorId: envelope.actorId,
      actorRole: envelope.actorRole,
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
      ticketStatus: state.status,
      queue: state.queue,
      sla: { confirmation: clockOf(sla.confirmation), response: clockOf(sla.response), resolution: clockOf(sla.resolution) },
      ...(note === undefined ? {} : { note }),
    });
    return model;
  },
  serialize: (model) => canonicalJson(model),
  deserialize: (json) => JSON.parse(json) as AuditTimelineModel,
});

/** An event with its envelope, as projections receive it. */
export interface EnvelopedEvent<E = DomainEvent> {
  readonly event: E;
  readonly envelope: EventEnvelope;
}

/** Folds a ticket's events (in stream order) into its audit timeline. */
export const auditTimeline = (ticketId: string, events: Iterable<EnvelopedEvent>, options: AuditTimelineOptions = {}): AuditTimeline => {
  const model = foldProjection(auditTimelineProjection(ticketId, options), events);
  const ticket = model.state !== null && isTicket(model.state) ? model.state : null;
  return {
    ticketId,
    ticketNumber: ticket?.ticketNumber ?? null,
    policyVersion: ticket?.policyVersion ?? null,
    entries: model.entries,
  };
};
