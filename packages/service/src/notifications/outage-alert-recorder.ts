import { findOutage, outageDecider, type OutageBoard, type OutageCommandOf } from '@support-sla/domain';
import type { CommandExecutor, ExecutionResult } from '../application/command-executor';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';
import { MAILER_ACTOR, systemContext } from '../application/actors';
import type { AlertSentRecord } from './outage-alerts';

/**
 * Records that an alert was delivered: the domain's `RecordOutageAlertSent` on the outage board,
 * as the mailer (a system actor with a staff role). Idempotent: the domain appends nothing for a
 * channel already recorded, and the request is keyed per outage and channel. Dated when the
 * alert was accepted, but never before the outage was declared (a monitor's observation time may
 * lie slightly ahead of the service's clock).
 */
export const recordOutageAlertSent = (executor: CommandExecutor, sent: AlertSentRecord): Promise<ExecutionResult<OutageBoard>> => {
  const actor = MAILER_ACTOR;
  const data = { outageId: sent.outageId, channel: sent.channel, to: sent.to, ...(sent.messageId === undefined ? {} : { messageId: sent.messageId }) };
  const build = (board: OutageBoard): OutageCommandOf<'RecordOutageAlertSent'> => {
    const declaredAtMs = findOutage(board, sent.outageId)?.declaredAtMs ?? Number.NEGATIVE_INFINITY;
    const atMs = Math.max(Date.parse(sent.at), declaredAtMs);
    return { type: 'RecordOutageAlertSent', now: new Date(atMs).toISOString(), actor, data };
  };
  const key = `outage-alert-sent:${sent.outageId}:${sent.channel}`;
  return executor.execute(outageDecider, OUTAGE_BOARD_STREAM, build, systemContext(actor, sent.messageId ?? key, key), { redecide: true });
};

