import type { SlaPolicy, Ticket } from '@support-sla/domain';
import { ticketSla } from '@support-sla/domain';
import type { RestoredTicket } from './decide-notifications';
import type { MailPurpose } from './notification-store';
import { contactName, describeSupportHours, formatInstant, messageIdFor, tierLabel } from './ticket-context';
import type { MailTemplates } from './templates';

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
