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

/** All outage commands are decided against the one outage board. */
@CommandHandler(OutageBoardCommand)
export class OutageBoardHandler implements ICommandHandler<OutageBoardCommand> {
  constructor(private readonly executor: CommandExecutor) {}

  execute<T extends OutageAction>({ action, data, caller, context }: OutageBoardCommand<T>): Promise<ExecutionResult<OutageBoard>> {
    const actor = { id: caller.id, role: caller.role };
    // Built afresh on every attempt, so a report that lost a race is dated after the winner.
    const build = (_board: OutageBoard, now: string) => ({ type: action, now, actor, data }) as OutageCommand;
    return this.executor.execute(outageDecider, OUTAGE_BOARD_STREAM, build, context);
  }
}
