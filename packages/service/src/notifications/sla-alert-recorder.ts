import { raisedSlaAlert, ticketDecider, ticketExists, type TicketCommandOf, type TicketState } from '@support-sla/domain';
import { MAILER_ACTOR, systemContext } from '../application/actors';
import type { CommandExecutor, ExecutionResult } from '../application/command-executor';
import { ticketStream } from '../event-store/streams';
import type { SentNotice } from './outbox-dispatcher';
import type { SlaAlertToRaise } from './sla-alert-watcher';

/** One delivered channel of an SLA alert, as the dispatcher reports it. */
export type SlaAlertSent = Extract<SentNotice, { purpose: 'sla-warning' | 'sla-breach' }>;

/**
 * Runs an SLA command on the ticket as the mailer (a system actor with a staff role), dated `at`,
 * or at the ticket's latest event when that is later (the earliest instant its history, which
 * moves forward in time, allows), keyed so that a repeated call appends nothing.
 */
const onTicket = <T extends 'RaiseSlaAlert' | 'RecordSlaAlertSent'>(
  executor: CommandExecutor,
  type: T,
  data: TicketCommandOf<T>['data'],
  at: string,
  key: string,
): Promise<ExecutionResult<TicketState>> => {
  const actor = MAILER_ACTOR;
  const build = (state: TicketState) =>
    ({ type, now: ticketExists(state) && Date.parse(at) < state.lastEventAtMs ? new Date(state.lastEventAtMs).toISOString() : at, actor, data }) as TicketCommandOf<T>;
  return executor.execute(ticketDecider, ticketStream(data.ticketId), build, systemContext(actor, key, key));
};

/**
 * Raises an SLA alert that fell due on its ticket: the domain's `RaiseSlaAlert`, dated when it
 * fell due, keyed per ticket, clock and level. The domain decides on the ticket's history as it
 * is now (a warning about a clock stopped since is nothing to do; each clock and level is raised
 * once). Resolves true when the ticket has the alert raised (now or before).
 */
export const raiseSlaAlert = async (executor: CommandExecutor, alert: SlaAlertToRaise): Promise<boolean> => {
  const { ticketId, clock, level, dueAt, policy } = alert;
  const result = await onTicket(executor, 'RaiseSlaAlert', { ticketId, clock, level, dueAt, policy }, dueAt, `sla-alert:${ticketId}:${clock}:${level}`);
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
  return onTicket(executor, 'RecordSlaAlertSent', data, sent.at, `sla-alert-sent:${ticketId}:${clock}:${level}:${channel}`);
};
