import { Injectable } from '@nestjs/common';
import type { TicketState } from '@support-sla/domain';
import { recordOnTicketAsMailer } from '../application/actors';
import { CommandExecutor, type ExecutionResult } from '../application/command-executor';

/**
 * The mailer's records on a ticket (the app module hands them to the notifications module): a
 * confirmation or a notice went out. Each is keyed, so a repeated call appends nothing.
 */
@Injectable()
export class TicketNoticeRecorder {
  constructor(private readonly executor: CommandExecutor) {}

  /** The confirmation e-mail went out (`at`: when the mail server accepted it). Keyed by ticket. */
  recordConfirmationSent(ticketId: string, at: string, messageId: string): Promise<ExecutionResult<TicketState>> {
    return recordOnTicketAsMailer(this.executor, 'AcknowledgeTicket', { ticketId, automatic: true, messageId }, at, messageId, `confirmation-sent:${ticketId}`);
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
    return recordOnTicketAsMailer(this.executor, 'RecordNotificationSent', data, at, messageId, `notification-sent:${messageId}`);
  }
}
