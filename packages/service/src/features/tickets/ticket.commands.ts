import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { TicketState } from '@support-sla/domain';
import type { CommandContext, ExecutionResult } from '../../application/command-executor';
import { TicketApplication, type TicketAction } from '../../application/ticket.application';
import type { AuthenticatedUser } from '../../auth/token.service';
import type { OpenTicketBody } from './ticket.bodies';

/** `POST /tickets`, on the command bus. */
export class OpenTicketCommand extends Command<ExecutionResult<TicketState>> {
  constructor(
    readonly body: OpenTicketBody,
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Every other ticket command (`POST /tickets/{id}/…`), on the command bus. */
export class TicketActionCommand extends Command<ExecutionResult<TicketState>> {
  constructor(
    readonly action: TicketAction,
    readonly ref: string,
    readonly data: Record<string, unknown>,
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(OpenTicketCommand)
export class OpenTicketHandler implements ICommandHandler<OpenTicketCommand> {
  constructor(private readonly tickets: TicketApplication) {}

  execute(command: OpenTicketCommand): Promise<ExecutionResult<TicketState>> {
    return this.tickets.open(command.body, command.caller, command.context);
  }
}

@CommandHandler(TicketActionCommand)
export class TicketActionHandler implements ICommandHandler<TicketActionCommand> {
  constructor(private readonly tickets: TicketApplication) {}

  execute(command: TicketActionCommand): Promise<ExecutionResult<TicketState>> {
    // The body was validated against the action's codec by the controller.
    return this.tickets.act(command.action, command.ref, command.data as never, command.caller, command.context);
  }
}
