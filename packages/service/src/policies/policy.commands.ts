import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { currentPolicy, defaultPolicy, policyDecider, type Actor, type PolicyHistory, type SlaPolicy } from '@support-sla/domain';
import { systemContext } from '../application/actors';
import { Clock } from '../application/clock';
import { CommandExecutor, ConcurrencyConflictError, type CommandContext, type ExecutionResult } from '../application/command-executor';
import { WrongExpectedRevisionError } from '../event-store/event-store.port';
import { POLICY_STREAM } from '../event-store/streams';
import { PolicyHistoryCache } from './policy-history';

/** `POST /policies`: publish the next policy version. */
export class PublishPolicyCommand extends Command<ExecutionResult<PolicyHistory>> {
  constructor(
    readonly policy: SlaPolicy,
    readonly actor: Actor,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(PublishPolicyCommand)
export class PublishPolicyHandler implements ICommandHandler<PublishPolicyCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: Clock,
    private readonly policies: PolicyHistoryCache,
  ) {}

  async execute({ policy, actor, context }: PublishPolicyCommand): Promise<ExecutionResult<PolicyHistory>> {
    try {
      return await this.executor.execute(
        policyDecider,
        POLICY_STREAM,
        { type: 'PublishPolicy', now: this.clock.now().toISOString(), actor: { id: actor.id, role: actor.role }, data: { policy } },
        context,
      );
    } finally {
      // Tickets opened through this process pin the new version at once.
      this.policies.forget();
    }
  }
}

/** The system actor that seeds the default policy into an empty log. */
export const SYSTEM_ACTOR = { id: 'system', role: 'admin' } as const;
const SEED_KEY = 'seed-default-policy';

/**
 * Writes the default policy as version 1 when the log has none (on the first start), so that
 * every ticket's pinned policy is in the log itself and an auditor needs nothing else to
 * re-derive deadlines.
 */
@Injectable()
export class PolicySeeder implements OnApplicationBootstrap {
  constructor(
    private readonly policies: PolicyHistoryCache,
    private readonly publish: PublishPolicyHandler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (currentPolicy(await this.policies.history()) !== undefined) return;
    try {
      await this.publish.execute(new PublishPolicyCommand(defaultPolicy, SYSTEM_ACTOR, systemContext(SYSTEM_ACTOR, SEED_KEY, SEED_KEY)));
    } catch (error) {
      // Another replica seeded it first: that is the outcome we wanted.
      if (!(error instanceof ConcurrencyConflictError) && !(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
}
