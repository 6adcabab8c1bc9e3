import type { Ticket, TicketSlaContext } from '@support-sla/domain';
import type { OutageFacts } from '../compliance/report.js';

/**
 * What a ticket's SLA needs beyond its own stream: when its linked outage ended, from the
 * outages the read models fold. One place, so every view of a ticket's clocks agrees.
 */
export const slaContextOf = (model: { readonly outages: ReadonlyMap<string, OutageFacts> }, ticket: Ticket): TicketSlaContext =>
  ticket.outageId === null ? {} : { outageRestoredAtMs: model.outages.get(ticket.outageId)?.endedAtMs ?? null };
