import { Injectable } from '@nestjs/common';
import { ticketDecider, ticketExists, type TicketCommandOf, type TicketState } from '@support-sla/domain';
import { MAILER_ACTOR, systemContext } from '../application/actors';
import { CommandExecutor, type ExecutionResult } from '../application/command-executor';
import { ticketStream } from '../event-store/streams';

/**
 * The mailer's records on a ticket (the app module hands them to the notifications module): a
 * confirmation or a notice went out. Each is keyed, so a repeated call appends nothing.
 */
@Injectable()
export class TicketNoticeRecorder {
  constructor(private readonly executor: CommandExecutor) {}

  /** The confirmation e-mail went out (`at`: when the mail server accepted it). Keyed by ticket. */
  recordConfirmationSent(ticketId: string, at: string, messageId: string): Promise<ExecutionResult<TicketState>> {
    return this.record('AcknowledgeTicket', { ticketId, automatic: true, messageId }, at, messageId, `confirmation-sent:${ticketId}`);
  }

  /**
   * A resolution or restoration e-mail went out; once per Message-ID. A restoration notice
   * carries `restoredAt` (when the outage ended): the domain counts it as the linked ticket's
   * confirmation and response.
   */
  recordNotificationSent(
    ticketId: string,
    purpose: 'resolution' | 'outage-restored',
    at: string,
    messageId: string,
    restoredAt?: string,
  ): Promise<ExecutionResult<TicketState>> {
    const data = { ticketId, purpose, messageId, ...(restoredAt === undefined ? {} : { restoredAt }) };
    return this.record('RecordNotificationSent', data, at, messageId, `notification-sent:${messageId}`);
  }

  /**
   * Dated when the mail server accepted the e-mail (`at`). Only if the ticket has an event later
   * than that (recorded between the acceptance and this record) is it dated at that event
   * instead, the earliest instant the ticket's history, which moves forward in time, allows.
   * Never "now": a record retried later keeps the acceptance time.
   */
  private record<T extends 'AcknowledgeTicket' | 'RecordNotificationSent'>(
    type: T,
    data: TicketCommandOf<T>['data'],
    at: string,
    messageId: string,
    idempotencyKey: string,
  ): Promise<ExecutionResult<TicketState>> {
    const actor = MAILER_ACTOR;
    const build = (state: TicketState) =>
      ({ type, now: ticketExists(state) && Date.parse(at) < state.lastEventAtMs ? new Date(state.lastEventAtMs).toISOString() : at, actor, data }) as TicketCommandOf<T>;
    return this.executor.execute(ticketDecider, ticketStream(data.ticketId), build, systemContext(actor, messageId, idempotencyKey));
  }
}
