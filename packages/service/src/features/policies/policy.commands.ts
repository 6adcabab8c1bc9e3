import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { PolicyHistory, SlaPolicy } from '@support-sla/domain';
import type { CommandContext, ExecutionResult } from '../../application/command-executor';
import { PolicyApplication } from '../../application/policy.application';
import type { AuthenticatedUser } from '../../auth/token.service';

export class PublishPolicyCommand extends Command<ExecutionResult<PolicyHistory>> {
  constructor(
    readonly policy: SlaPolicy,
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(PublishPolicyCommand)
export class PublishPolicyHandler implements ICommandHandler<PublishPolicyCommand> {
  constructor(private readonly policies: PolicyApplication) {}
  execute(c: PublishPolicyCommand): Promise<ExecutionResult<PolicyHistory>> {
    return this.policies.publish(c.policy, c.caller, c.context);
  }
}
