import { alertPoints, defaultPolicy, type AlertChannel, type AlertClock, type DomainEvent, type SlaPolicy, type Ticket } from '@support-sla/domain';
import type { ReadModels, TicketTransition } from '@support-sla/projections';

type OutageDeclaredData = Extract<DomainEvent, { type: 'OutageDeclared' }>['data'];

/** What a restoration notice needs of its ticket. */
export interface RestoredTicket {
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly contactEmail: string;
  readonly contactName: string | null;
  readonly summary: string;
}

/** One alert point as the index keeps it. */
export interface DueAlertPoint {
  readonly clock: 'confirmation' | 'response';
  readonly level: string;
  readonly due_at: number;
}

/**
 * What an event asks of the mailer, as data: the sending side renders and writes it (in one
 * transaction per batch, with the checkpoint) and delivers it later. `triggerId` is the id of
 * the event that caused it (the e-mail's Message-ID is derived from it).
 */
export type NotificationEffect =
  | { readonly kind: 'confirmation'; readonly ticket: Ticket; readonly policy: SlaPolicy; readonly triggerId: string }
  | {
      readonly kind: 'resolution';
      readonly ticket: Ticket;
      readonly policy: SlaPolicy;
      readonly details: string;
      readonly to: string;
      readonly at: string;
      readonly triggerId: string;
    }
  | {
      readonly kind: 'outage-restored';
      readonly ticket: RestoredTicket;
      readonly outageId: string;
      readonly declaredAtMs: number;
      readonly endedAtMs: number;
      readonly timeZone: string;
      readonly triggerId: string;
    }
  | { readonly kind: 'outage-alert'; readonly outage: OutageDeclaredData; readonly timeZone: string; readonly triggerId: string }
  /** An outage was declared with no `ONCALL_EMAIL`: the sending side logs an error. */
  | { readonly kind: 'oncall-unset'; readonly outageId: string; readonly declaredAt: string }
  /**
   * The ticket's alert points are now those of this state (replacing any it had; fired ones are
   * not added again): {@link duePointsOf}. Computed only for the last of a batch per ticket.
   */
  | {
      readonly kind: 'alert-points';
      readonly ticketId: string;
      readonly streamId: string;
      readonly ticket: Ticket;
      readonly policy: SlaPolicy;
      readonly fractions: readonly number[];
    }
  /**
   * An SLA alert was raised on the ticket (`TicketSlaAlertRaised`): its point is marked fired
   * (never raised again from this mail file) and its e-mail and webhook call are queued. `ticket`
   * is the ticket as of the alert, `policy` the version it pinned.
   */
  | {
      readonly kind: 'sla-alert';
      readonly ticket: Ticket;
      readonly policy: SlaPolicy;
      readonly clock: AlertClock;
      readonly level: string;
      readonly dueAtMs: number;
    }
  /** The log records the SLA alert's delivery on `channel` (`TicketSlaAlertSent`): not again. */
  | {
      readonly kind: 'suppress-sla-alert-recorded-as-sent';
      readonly ticketId: string;
      readonly clock: AlertClock;
      readonly level: string;
      readonly channel: 'email' | 'webhook';
    }
  /** The ticket's confirmation, if not out yet, is never sent. */
  | { readonly kind: 'suppress-confirmation'; readonly ticketId: string; readonly reason: string }
  /** The log records the e-mail with this Message-ID as sent (from another mail file): not again. */
  | { readonly kind: 'suppress-recorded-as-sent'; readonly dedupeKey: string; readonly messageId: string }
  /** The log records the outage's alert on `channel` as sent: not again. */
  | { readonly kind: 'suppress-alert-recorded-as-sent'; readonly outageId: string; readonly channel: AlertChannel }
  /** The outage's alerts not out yet are dropped. */
  | { readonly kind: 'suppress-unsent-alerts'; readonly outageId: string; readonly reason: string }
  /** The ticket pins a policy version the read models do not know: the sending side logs an error. */
  | { readonly kind: 'unknown-policy'; readonly ticketNumber: string; readonly policyVersion: number };

/** What the mailer is told besides the event. */
export interface NotificationInput {
  readonly event: DomainEvent;
  /** The stored event's id (the trigger of what it causes) and its stream. */
  readonly eventId: string;
  readonly streamId: string;
  /** The ticket's transition made by folding this event into the read models (ticket events). */
  readonly transition: TicketTransition | undefined;
  /** The read models as of this event (it folded). */
  readonly readModels: ReadModels;
}

/** The settings the decision reads. */
export interface NotificationRules {
  /** `SLA_WARNING_FRACTIONS`: overrides the ticket's policy's `warningFractions`. */
  readonly warningFractions?: readonly number[];
  /** `ONCALL_EMAIL`: only whether it is set matters here (its absence is reported). */
  readonly oncallEmail?: string;
}

const NONE: readonly NotificationEffect[] = [];

/** The alert points an `alert-points` effect stands for: the domain's `alertPoints` of the ticket as of its latest event. */
export const duePointsOf = (effect: Extract<NotificationEffect, { kind: 'alert-points' }>): DueAlertPoint[] =>
  alertPoints(effect.ticket, effect.policy, effect.fractions, effect.ticket.lastEventAtMs).map((p) => ({ clock: p.clock, level: p.level, due_at: p.dueAtMs }));

/** The policy version `version` as the read models know it. */
export const policyIn = (model: ReadModels, version: number): SlaPolicy | undefined => model.policies.versions.find((p) => p.version === version);

/**
 * The policy in force: the latest version the log published (the seed, the domain's default,
 * before any). Outage e-mails belong to no ticket's policy, so their instants are written in
 * its support time zone.
 */
export const policyInForce = (model: ReadModels): SlaPolicy => model.policies.versions[model.policies.versions.length - 1] ?? defaultPolicy;

const restoredTicket = (ticket: Ticket): RestoredTicket => ({
  ticketId: ticket.ticketId,
  ticketNumber: ticket.ticketNumber,
  contactEmail: ticket.namedUser.email,
  contactName: ticket.namedUser.name ?? null,
  summary: ticket.request.summary,
});

/**
 * The tickets linked to the outage, by ticket number: the open ones, and those closed before it
 * ended (every linked contact is told that service is back, as before the mailer followed the
 * fold). The archive keeps a linked ticket's name and summary for the notice.
 */
const linkedTickets = (model: ReadModels, outageId: string): Ticket[] => {
  const linked: Ticket[] = model.closed.linkedTo(outageId);
  for (const ticket of model.open.values()) if (ticket.outageId === outageId) linked.push(ticket);
  return linked.sort((a, b) => (a.ticketNumber < b.ticketNumber ? -1 : a.ticketNumber > b.ticketNumber ? 1 : 0));
};

/**
 * What the mailer does about one event of the log, decided from the event, the ticket
 * transition the read models' fold made, and the read models as of the event (policies,
 * outages, linked tickets). Pure: no I/O, no clock, no rendering. The rules, one per case below:
 *
 * - every ticket event that changed the ticket recomputes its SLA alert points;
 * - `TicketOpened` under `confirmation: 'automatic'` queues a confirmation;
 * - `TicketClosed` queues the resolution and drops a confirmation not out yet;
 * - `TicketAcknowledged` drops a confirmation not out yet;
 * - `TicketNotificationSent` drops an unsent e-mail with that Message-ID;
 * - `TicketLinkedToOutage` drops the confirmation while the outage lasts, or queues the
 *   restoration notice at once when the outage is over;
 * - `OutageDeclared` alerts the on-call engineers;
 * - `OutageEnded` queues a restoration notice for each linked ticket, closed ones included;
 * - `OutageAlertSent` drops the same alert not out yet, `OutageClosed` every alert not out yet;
 * - `TicketSlaAlertRaised` marks the alert fired and queues its e-mail and webhook call;
 * - `TicketSlaAlertSent` drops the same alert's delivery on that channel not out yet.
 */
export const decideNotifications = (input: NotificationInput, rules: NotificationRules = {}): readonly NotificationEffect[] => {
  const { event, eventId, readModels } = input;
  switch (event.type) {
    case 'OutageDeclared': {
      // Engineers are alerted at once, at any hour (the agreement's "advanced alert system ... 24/7").
      const alert: NotificationEffect = { kind: 'outage-alert', outage: event.data, timeZone: policyInForce(readModels).supportCalendar.timeZone, triggerId: eventId };
      return rules.oncallEmail === undefined ? [alert, { kind: 'oncall-unset', outageId: event.data.outageId, declaredAt: event.data.declaredAt }] : [alert];
    }
    case 'OutageAlertSent':
      // Sent and recorded from another mail file (this one rebuilt from the log): not again.
      return [{ kind: 'suppress-alert-recorded-as-sent', outageId: event.data.outageId, channel: event.data.channel }];
    case 'OutageClosed':
      // Debriefed and closed: an alert still not out would only page engineers about an outage long over.
      return [{ kind: 'suppress-unsent-alerts', outageId: event.data.outageId, reason: `outage ${event.data.outageId} was closed before its alert went out` }];
    case 'OutageEnded': {
      const { outageId, endedAt } = event.data;
      const endedAtMs = Date.parse(endedAt);
      const declaredAtMs = readModels.outages.get(outageId)?.declaredAtMs ?? endedAtMs;
      const timeZone = policyInForce(readModels).supportCalendar.timeZone;
      return linkedTickets(readModels, outageId).map((ticket) => ({ kind: 'outage-restored', ticket: restoredTicket(ticket), outageId, declaredAtMs, endedAtMs, timeZone, triggerId: eventId }));
    }
    case 'MonitorReportedStatus':
    case 'OutageAlertAcknowledged':
    case 'OutageDebriefRecorded':
    case 'PolicyPublished':
      return NONE;
    default:
      return decideForTicket(input, rules);
  }
};

const decideForTicket = ({ event, eventId, streamId, transition, readModels }: NotificationInput, rules: NotificationRules): readonly NotificationEffect[] => {
  if (event.type === 'TicketSlaAlertSent') {
    // Delivered and recorded from another mail file (a rebuilt one, or another replica's): not
    // again. Whatever the fold made of it (the archive keeps no alerts of a closed ticket).
    const { ticketId, clock, level, channel } = event.data;
    return [{ kind: 'suppress-sla-alert-recorded-as-sent', ticketId, clock, level, channel }];
  }
  // TicketQueued changes nothing the mailer looks at; an event the fold did not change the ticket with, neither.
  if (transition === undefined || event.type === 'TicketQueued') return NONE;
  const ticket = transition.after;
  const policy = policyIn(readModels, ticket.policyVersion);
  if (policy === undefined) return [{ kind: 'unknown-policy', ticketNumber: ticket.ticketNumber, policyVersion: ticket.policyVersion }];
  // An alert (raised or delivered) changes nothing the alert points are computed from.
  if (event.type === 'TicketSlaAlertRaised') {
    const { clock, level, dueAt } = event.data;
    return [{ kind: 'sla-alert', ticket, policy, clock, level, dueAtMs: Date.parse(dueAt) }];
  }
  const fractions = rules.warningFractions ?? policy.warningFractions;
  const points: NotificationEffect = { kind: 'alert-points', ticketId: ticket.ticketId, streamId, ticket, policy, fractions };
  switch (event.type) {
    case 'TicketOpened':
      // Sent at once, outage or not: only linking the ticket to a declared outage withholds it.
      return policy.confirmation === 'automatic' ? [points, { kind: 'confirmation', ticket, policy, triggerId: eventId }] : [points];
    case 'TicketClosed':
      return [
        points,
        // A confirmation not out yet (mail server down) would arrive after the resolution.
        { kind: 'suppress-confirmation', ticketId: ticket.ticketId, reason: 'the ticket was closed first' },
        { kind: 'resolution', ticket, policy, details: event.data.resolutionDetails, to: event.data.notifyEmail, at: event.data.at, triggerId: eventId },
      ];
    case 'TicketAcknowledged':
      // Acknowledged some other way (an agent, or a response) before our e-mail went out: it is not needed.
      return [points, { kind: 'suppress-confirmation', ticketId: ticket.ticketId, reason: 'the ticket was acknowledged first' }];
    case 'TicketNotificationSent':
      // Sent and recorded from another mail file (a rebuilt one, or another replica's): not again.
      return [points, { kind: 'suppress-recorded-as-sent', dedupeKey: `${event.data.purpose}:${ticket.ticketId}`, messageId: event.data.messageId }];
    case 'TicketLinkedToOutage': {
      const { outageId } = event.data;
      const outage = readModels.outages.get(outageId);
      if (outage?.endedAtMs == null) {
        return [points, { kind: 'suppress-confirmation', ticketId: ticket.ticketId, reason: `linked to outage ${outageId} while it was declared` }];
      }
      // Linked after service came back: the contact has not been told yet.
      const timeZone = policyInForce(readModels).supportCalendar.timeZone;
      return [points, { kind: 'outage-restored', ticket: restoredTicket(ticket), outageId, declaredAtMs: outage.declaredAtMs, endedAtMs: outage.endedAtMs, timeZone, triggerId: eventId }];
    }
    default:
      return [points];
  }
};
