import { Injectable } from '@nestjs/common';
import { raisedSlaAlert, ticketDecider, ticketExists, type TicketCommandOf, type TicketState } from '@support-sla/domain';
import { MAILER_ACTOR, systemContext } from '../application/actors';
import { CommandExecutor, type ExecutionResult } from '../application/command-executor';
import { ticketStream } from '../event-store/streams';
import type { SentNotice } from '../notifications/outbox-dispatcher';
import type { SlaAlertToRaise } from '../notifications/sla-alert-watcher';

/** A delivered SLA alert, as the mailer records it. */
export interface SlaAlertDelivery {
  readonly ticketId: string;
  readonly clock: 'confirmation' | 'response';
  readonly level: string;
  readonly channel: 'email' | 'webhook';
  /** The alert address, or the webhook's origin only. */
  readonly to: string;
  /** When the mail server (the webhook) accepted it. */
  readonly at: string;
  readonly messageId?: string;
}

/**
 * The mailer's records on a ticket (the app module hands them to the notifications module): a
 * confirmation or a notice went out, an SLA alert fell due, an alert went out. Each is keyed, so
 * a repeated call appends nothing.
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

  /** Records what the mailer's {@link SentNotice} says went out: a notice, or one channel of an SLA alert. */
  async recordSent(sent: SentNotice): Promise<void> {
    switch (sent.purpose) {
      case 'resolution':
      case 'outage-restored':
        await this.recordNotificationSent(sent.ticketId, sent.purpose, sent.at, sent.messageId, sent.restoredAt);
        return;
      case 'sla-warning':
      case 'sla-breach':
        await this.recordSlaAlertSent(sent);
        return;
    }
  }

  /**
   * Raises an SLA alert that fell due (the domain's `RaiseSlaAlert`), dated when it fell due, or
   * at the ticket's latest event when that is later. Keyed per ticket, clock and level. Resolves
   * true when the ticket has the alert raised (now or before), false when it no longer holds.
   */
  async raiseSlaAlert(alert: SlaAlertToRaise): Promise<boolean> {
    const { ticketId, clock, level, dueAt, policy } = alert;
    const key = `sla-alert:${ticketId}:${clock}:${level}`;
    const result = await this.record('RaiseSlaAlert', { ticketId, clock, level, dueAt, policy }, dueAt, key, key);
    return ticketExists(result.state) && raisedSlaAlert(result.state, clock, level) !== undefined;
  }

  /** A raised SLA alert went out on one channel (`at`: when it was accepted). Keyed per ticket, clock, level and channel. */
  recordSlaAlertSent(sent: SlaAlertDelivery): Promise<ExecutionResult<TicketState>> {
    const { ticketId, clock, level, channel, to, messageId } = sent;
    const key = `sla-alert-sent:${ticketId}:${clock}:${level}:${channel}`;
    const data = { ticketId, clock, level, channel, to, ...(messageId === undefined ? {} : { messageId }) };
    return this.record('RecordSlaAlertSent', data, sent.at, messageId ?? key, key);
  }

  /**
   * Dated when the mail server accepted the e-mail (`at`). Only if the ticket has an event later
   * than that (recorded between the acceptance and this record) is it dated at that event
   * instead, the earliest instant the ticket's history, which moves forward in time, allows.
   * Never "now": a record retried later keeps the acceptance time.
   */
  private record<T extends 'AcknowledgeTicket' | 'RecordNotificationSent' | 'RaiseSlaAlert' | 'RecordSlaAlertSent'>(
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
