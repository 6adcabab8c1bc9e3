import { currentPolicy, defaultPolicy, policyDecider, type PolicyHistory, type SlaPolicy } from '@support-sla/domain';
import { WrongExpectedRevisionError } from '../event-store/event-store.port';
import { ConcurrencyConflictError, type CommandContext, type CommandExecutor, type ExecutionResult } from './command-executor';
import type { Caller } from './ticket.application';
import { POLICY_STREAM } from './streams';

/** The system actor that seeds the default policy into an empty log. */
export const SYSTEM_ACTOR = { id: 'system', role: 'admin' } as const;

/** Publishing SLA policy versions. */
export class PolicyApplication {
  // Policies change rarely and every open needs the current one: the folded history is kept and
  // reused while nothing follows its last revision in the stream (one indexed read that returns
  // no rows, instead of reading and folding policy documents).
  private cached: { revision: bigint; history: PolicyHistory } | undefined;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: () => Date,
  ) {}

  async history(): Promise<PolicyHistory> {
    const cached = this.cached;
    if (cached !== undefined) {
      // Streams are append-only: no event after the cached revision means the history is current.
      const newer = await this.executor.store.readStream(POLICY_STREAM, { fromRevision: cached.revision + 1n, maxCount: 1 });
      if (newer.length === 0) return cached.history;
    }
    const { state, last } = await this.executor.load(policyDecider, POLICY_STREAM);
    if (last !== undefined) this.cached = { revision: last.revision, history: state };
    return state;
  }

  async current(): Promise<SlaPolicy> {
    return currentPolicy(await this.history()) ?? defaultPolicy;
  }

  publish(policy: SlaPolicy, caller: Caller, context: CommandContext): Promise<ExecutionResult<PolicyHistory>> {
    return this.executor.execute(
      policyDecider,
      POLICY_STREAM,
      { type: 'PublishPolicy', now: this.clock().toISOString(), actor: { id: caller.id, role: caller.role }, data: { policy } },
      context,
    );
  }

  /**
   * Writes the default policy as version 1 when the log has none, so that every ticket's pinned
   * policy is in the log itself and an auditor needs nothing else to re-derive deadlines.
   */
  async seedDefault(): Promise<void> {
    if (currentPolicy(await this.history()) !== undefined) return;
    try {
      await this.executor.execute(
        policyDecider,
        POLICY_STREAM,
        { type: 'PublishPolicy', now: this.clock().toISOString(), actor: SYSTEM_ACTOR, data: { policy: defaultPolicy } },
        { actorId: SYSTEM_ACTOR.id, actorRole: SYSTEM_ACTOR.role, correlationId: 'seed-default-policy', causationId: 'seed-default-policy', idempotencyKey: 'seed-default-policy' },
      );
    } catch (error) {
      // Another replica seeded it first: that is the outcome we wanted.
      if (!(error instanceof ConcurrencyConflictError) && !(error instanceof WrongExpectedRevisionError)) throw error;
    }
  }
}
