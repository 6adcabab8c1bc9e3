import { ticketDecider, ticketExists, type Actor, type TicketCommand, type TicketCommandOf, type TicketState } from '@support-sla/domain';
import type { CommandContext, CommandExecutor, ExecutionResult } from './command-executor';
import { ticketStream } from '../event-store/streams';

/** The service's mailer acts as support staff when it records a sent e-mail or alert. */
export const MAILER_ACTOR: Actor = { id: 'system:mailer', role: 'agent' };

/** The context of a command the service sends itself as `actor`: caused (and correlated) by `causationId`, keyed by `idempotencyKey`. */
export const systemContext = (actor: Actor, causationId: string, idempotencyKey: string): CommandContext =>
  ({ actorId: actor.id, actorRole: actor.role, correlationId: causationId, causationId, idempotencyKey });

/**
 * A command the mailer runs on a ticket (a sent e-mail, a raised SLA alert, its delivery), keyed
 * so that a repeated call appends nothing. Dated `at` (when the mail server accepted the e-mail,
 * when the alert fell due); only if the ticket has an event later than that is it dated at that
 * event instead, the earliest instant the ticket's history, which moves forward in time, allows.
 * Never "now": a record retried later keeps its time. Re-decided on a conflict (another replica
 * wrote the ticket meanwhile) rather than given up: the domain checks it again on the fresh
 * ticket, and a record lost to a 409 would be sent again.
 */
export const recordOnTicketAsMailer = <T extends TicketCommand['type']>(
  executor: CommandExecutor,
  type: T,
  data: TicketCommandOf<T>['data'] & { readonly ticketId: string },
  at: string,
  causationId: string,
  idempotencyKey: string,
): Promise<ExecutionResult<TicketState>> => {
  const actor = MAILER_ACTOR;
  const build = (state: TicketState) =>
    ({ type, now: ticketExists(state) && Date.parse(at) < state.lastEventAtMs ? new Date(state.lastEventAtMs).toISOString() : at, actor, data }) as TicketCommandOf<T>;
  return executor.execute(ticketDecider, ticketStream(data.ticketId), build, systemContext(actor, causationId, idempotencyKey), { redecide: true });
};
