import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { outageDecider, type OutageBoard, type OutageCommand, type OutageCommandOf } from '@support-sla/domain';
import { CommandExecutor, type CommandContext, type ExecutionResult } from '../application/command-executor';
import type { AuthenticatedUser } from '../auth/token.service';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';

/** Outage commands people send (the mailer records delivered alerts itself). */
export type OutageAction = Exclude<OutageCommand['type'], 'RecordOutageAlertSent'>;

/**
 * Every outage route (monitor reports, declaring, ending, acknowledging, debriefing and closing
 * outages): `data` is the command's data, from the route's path and body.
 */
export class OutageBoardCommand<T extends OutageAction = OutageAction> extends Command<ExecutionResult<OutageBoard>> {
  constructor(
    readonly action: T,
    readonly data: OutageCommandOf<T>['data'],
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Which outage commands may be decided again on a board that changed under them (see
 * `ExecuteOptions.redecide`): all of them. The board is one stream shared by every monitor and
 * every outage, so a conflict on it almost never concerns what the sender looked at; and no
 * command here carries a view of the board to be invalidated: each names a fact (an observation,
 * "service is down/back", "I acknowledge", the debrief text, "close it") and the domain re-checks
 * its rules on the board as it is at each attempt (a declaration refused while another outage is
 * open, an end or acknowledgement already recorded appends nothing, a close still needs its
 * debrief). A debrief replaces an earlier one whether the two met in a race or a day apart; the
 * board's revision never guarded it, so a 409 would only be noise. The mailer's
 * `RecordOutageAlertSent` (notifications/outage-alert-recorder.ts) is re-decidable too.
 */
export const REDECIDABLE_OUTAGE_COMMANDS: ReadonlySet<OutageCommand['type']> = new Set<OutageCommand['type']>([
  'ReportMonitorStatus',
  'DeclareOutage',
  'EndOutage',
  'AcknowledgeOutageAlert',
  'RecordOutageDebrief',
  'CloseOutage',
  'RecordOutageAlertSent',
]);

/** All outage commands are decided against the one outage board. */
@CommandHandler(OutageBoardCommand)
export class OutageBoardHandler implements ICommandHandler<OutageBoardCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute<T extends OutageAction>({ action, data, caller, context }: OutageBoardCommand<T>): Promise<ExecutionResult<OutageBoard>> {
    const actor = { id: caller.id, role: caller.role };
    // Built afresh on every attempt, so a report that lost a race is dated after the winner, and
    // decided on the board as it then is: replicas racing on the board take turns instead of 409.
    const build = (_board: OutageBoard, now: string) => ({ type: action, now, actor, data }) as OutageCommand;
    return this.executor.execute(outageDecider, OUTAGE_BOARD_STREAM, build, context, { redecide: REDECIDABLE_OUTAGE_COMMANDS.has(action) });
  }
}
