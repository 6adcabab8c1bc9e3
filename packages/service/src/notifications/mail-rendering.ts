import type { AlertClock, SlaPolicy, Ticket } from '@support-sla/domain';
import { BREACH, ticketSla } from '@support-sla/domain';
import type { RestoredTicket } from './decide-notifications';
import type { MailPurpose } from './notification-store';
import { contactName, describeSupportHours, formatDuration, formatInstant, messageIdFor, tierLabel } from './ticket-context';
import type { MailTemplates, RenderedMail } from './templates';

/** A ticket e-mail's outbox row but its text: one row per purpose and ticket. */
export const ticketRowBase = (purpose: MailPurpose, ticket: Pick<Ticket, 'ticketId' | 'ticketNumber'>, triggerId: string, messageIdDomain: string) => ({
  dedupe_key: `${purpose}:${ticket.ticketId}`,
  purpose,
  channel: 'email' as const,
  ticket_id: ticket.ticketId,
  ticket_number: ticket.ticketNumber,
  trigger_event_id: triggerId,
  message_id: messageIdFor(purpose, ticket.ticketNumber, triggerId, messageIdDomain),
});

/** The clock and level of an SLA alert's outbox row (its trigger is `<clock>-<level>`, as {@link slaAlertTrigger} makes it). */
export const slaAlertOfRow = (row: { readonly trigger_event_id: string }): { clock: 'confirmation' | 'response'; level: string } => {
  const dash = row.trigger_event_id.indexOf('-');
  const clock = row.trigger_event_id.slice(0, dash);
  if (dash < 0 || (clock !== 'confirmation' && clock !== 'response')) throw new Error(`not an SLA alert's trigger: ${row.trigger_event_id}`);
  return { clock, level: row.trigger_event_id.slice(dash + 1) };
};

/** An SLA alert's trigger (and the middle of its Message-ID): one per ticket, clock and level. */
export const slaAlertTrigger = (clock: string, level: string): string => `${clock}-${level}`;

/** The confirmation's subject and bodies (the ticket as opened, under its pinned policy). */
export const renderConfirmation = (templates: MailTemplates, ticket: Ticket, policy: SlaPolicy) => {
  const tz = policy.supportCalendar.timeZone;
  const sla = ticketSla(ticket, policy, ticket.lastEventAtMs);
  return templates.render(ticket.tier === 'premium' ? 'confirmation-premium' : 'confirmation-professional', {
    ticketNumber: ticket.ticketNumber,
    contactName: contactName(ticket),
    contactEmail: ticket.namedUser.email,
    summary: ticket.request.summary,
    tierLabel: tierLabel(ticket),
    receivedAt: formatInstant(ticket.receivedAtMs, tz),
    responseDeadline: sla.response.deadlineMs === null ? 'the next business day' : formatInstant(sla.response.deadlineMs, tz),
    supportHours: describeSupportHours(policy),
  });
};

/** The resolution e-mail's subject and bodies. */
export const renderResolution = (templates: MailTemplates, ticket: Ticket, policy: SlaPolicy, details: string, to: string, at: string) =>
  templates.render('resolution', {
    ticketNumber: ticket.ticketNumber,
    contactName: contactName(ticket),
    contactEmail: to,
    summary: ticket.request.summary,
    tierLabel: tierLabel(ticket),
    closedAt: formatInstant(Date.parse(at), policy.supportCalendar.timeZone),
    resolutionDetails: details,
  });

/** The restoration notice's subject and bodies. */
export const renderRestored = (templates: MailTemplates, ticket: RestoredTicket, outageId: string, declaredAtMs: number, endedAtMs: number, timeZone: string) =>
  templates.render('outage-restored', {
    ticketNumber: ticket.ticketNumber,
    contactName: ticket.contactName ?? ticket.contactEmail,
    contactEmail: ticket.contactEmail,
    summary: ticket.summary,
    outageId,
    declaredAt: formatInstant(declaredAtMs, timeZone),
    endedAt: formatInstant(endedAtMs, timeZone),
  });

/** The JSON body POSTed to `SLA_ALERT_WEBHOOK_URL`. */
export interface SlaAlertPayload {
  readonly type: 'sla.warning' | 'sla.breach';
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly tier: Ticket['tier'];
  readonly queue: string;
  readonly clock: AlertClock;
  /** The warning fraction reached, or null for a breach. */
  readonly fraction: number | null;
  /** When the alert fell due by the SLA clock (ISO). */
  readonly dueAt: string;
  readonly deadline: string | null;
  readonly calendar: 'support' | 'outage';
  readonly summary: string;
  readonly contactEmail: string;
}

/** The dedupe key of an SLA alert's e-mail (its webhook call's: `webhook:` before it): one per ticket, clock and level. */
export const slaAlertKey = (ticketId: string, clock: AlertClock, level: string, channel: 'email' | 'webhook'): string =>
  `${channel === 'webhook' ? 'webhook:' : ''}${level === BREACH ? 'sla-breach' : 'sla-warning'}:${ticketId}:${clock}:${level}`;

/** An SLA alert's outbox content: the e-mail (rendered on demand) and the webhook call. */
export interface SlaAlertMail {
  readonly purpose: 'sla-warning' | 'sla-breach';
  readonly messageId: string;
  readonly triggerId: string;
  readonly render: () => RenderedMail;
  readonly webhookSubject: string;
  readonly payload: SlaAlertPayload;
}

/** The alert raised on `ticket` (as of the alert) for `clock` and `level`, due at `dueAtMs`, under the policy it pinned. */
export const slaAlertMail = (templates: MailTemplates, ticket: Ticket, policy: SlaPolicy, clock: AlertClock, level: string, dueAtMs: number, messageIdDomain: string): SlaAlertMail => {
  const breach = level === BREACH;
  const purpose = breach ? ('sla-breach' as const) : ('sla-warning' as const);
  const report = ticketSla(ticket, policy, dueAtMs)[clock];
  const tz = policy.supportCalendar.timeZone;
  const fraction = breach ? null : Number(level);
  const payload: SlaAlertPayload = {
    type: breach ? 'sla.breach' : 'sla.warning',
    ticketId: ticket.ticketId,
    ticketNumber: ticket.ticketNumber,
    tier: ticket.tier,
    queue: ticket.queue,
    clock,
    fraction,
    dueAt: new Date(dueAtMs).toISOString(),
    deadline: report.deadline,
    calendar: report.calendar,
    summary: ticket.request.summary,
    contactEmail: ticket.namedUser.email,
  };
  const triggerId = slaAlertTrigger(clock, level);
  const render = (): RenderedMail =>
    templates.render(breach ? 'sla-breach' : 'sla-warning', {
      ticketNumber: ticket.ticketNumber,
      tierLabel: tierLabel(ticket),
      queue: ticket.queue,
      summary: ticket.request.summary,
      contactEmail: ticket.namedUser.email,
      clock,
      percent: fraction === null ? 100 : Math.round(fraction * 100),
      deadline: report.deadlineMs === null ? 'none' : formatInstant(report.deadlineMs, tz),
      remaining: report.businessTimeRemainingMs === null ? 'n/a' : formatDuration(report.businessTimeRemainingMs),
      calendar: report.calendar === 'support' ? `support hours (${tz})` : 'outage clock (24/7)',
      confirmationClock: clock === 'confirmation',
      responseClock: clock === 'response',
    });
  return { purpose, messageId: messageIdFor(purpose, ticket.ticketNumber, triggerId, messageIdDomain), triggerId, render, webhookSubject: `${payload.type} ${ticket.ticketNumber} ${clock}`, payload };
};
