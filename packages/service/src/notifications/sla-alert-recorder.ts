import { raisedSlaAlert, ticketExists, type TicketState } from '@support-sla/domain';
import { recordOnTicketAsMailer } from '../application/actors';
import type { CommandExecutor, ExecutionResult } from '../application/command-executor';
import type { SentNotice } from './outbox-dispatcher';
import type { SlaAlertToRaise } from './sla-alert-watcher';

/** One delivered channel of an SLA alert, as the dispatcher reports it. */
export type SlaAlertSent = Extract<SentNotice, { purpose: 'sla-warning' | 'sla-breach' }>;

/**
 * Raises an SLA alert that fell due on its ticket: the domain's `RaiseSlaAlert`, dated when it
 * fell due, keyed per ticket, clock and level. The domain decides on the ticket's history as it
 * is now (a warning about a clock stopped since is nothing to do; each clock and level is raised
 * once). Resolves true when the ticket has the alert raised (now or before).
 */
export const raiseSlaAlert = async (executor: CommandExecutor, alert: SlaAlertToRaise): Promise<boolean> => {
  const { ticketId, clock, level, dueAt, policy } = alert;
  const key = `sla-alert:${ticketId}:${clock}:${level}`;
  const result = await recordOnTicketAsMailer(executor, 'RaiseSlaAlert', { ticketId, clock, level, dueAt, policy }, dueAt, key, key);
  return ticketExists(result.state) && raisedSlaAlert(result.state, clock, level) !== undefined;
};

/**
 * Records that a raised SLA alert went out on one channel: the domain's `RecordSlaAlertSent`,
 * dated when the mail server (the webhook) accepted it, keyed per ticket, clock, level and
 * channel (the domain appends nothing for a channel already recorded).
 */
export const recordSlaAlertSent = (executor: CommandExecutor, sent: SlaAlertSent): Promise<ExecutionResult<TicketState>> => {
  const { ticketId, clock, level, channel, to, messageId } = sent;
  const data = { ticketId, clock, level, channel, to, ...(messageId === undefined ? {} : { messageId }) };
  const key = `sla-alert-sent:${ticketId}:${clock}:${level}:${channel}`;
  return recordOnTicketAsMailer(executor, 'RecordSlaAlertSent', data, sent.at, key, key);
};
