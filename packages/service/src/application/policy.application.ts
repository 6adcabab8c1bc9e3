import { currentPolicy, defaultPolicy, policyDecider, type PolicyHistory, type SlaPolicy } from '@support-sla/domain';
import { WrongExpectedRevisionError } from '../event-store/event-store.port';
import { ConcurrencyConflictError, type CommandContext, type CommandExecutor, type ExecutionResult } from './command-executor';
import type { AuthenticatedUser } from '../auth/token.service';
import { POLICY_STREAM } from '../event-store/streams';

/** How long the policy in force is taken from the cache without asking the store (ms). */
export const POLICY_RECHECK_MS = 250;

/** The system actor that seeds the default policy into an empty log. */
export const SYSTEM_ACTOR = { id: 'system', role: 'admin' } as const;

/** Publishing SLA policy versions. */
export class PolicyApplication {
  // Policies change rarely and every open needs the current one: the folded history is kept and
  // reused while nothing follows its last revision in the stream (one indexed read that returns
  // no rows, instead of reading and folding policy documents).
  private cached: { revision: bigint; history: PolicyHistory } | undefined;
  /** When the cached history was last checked against the store (performance.now()). */
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly clock: () => Date,
  ) {}

  async history(): Promise<PolicyHistory> {
    // Taken before reading: what is read is at least as fresh as this moment.
    const checked = performance.now();
    const cached = this.cached;
    if (cached !== undefined) {
      // Streams are append-only: no event after the cached revision means the history is current.
      const newer = await this.executor.store.readStream(POLICY_STREAM, { fromRevision: cached.revision + 1n, maxCount: 1 });
      if (newer.length === 0) {
        this.checkedAt = checked;
        return cached.history;
      }
    }
    const { state, last } = await this.executor.load(policyDecider, POLICY_STREAM);
    if (last !== undefined) {
      this.cached = { revision: last.revision, history: state };
      this.checkedAt = checked;
    }
    return state;
  }

  /**
   * The policy a ticket opened now pins. Every open needs it, so the history checked less than
   * {@link POLICY_RECHECK_MS} ago is used as it is: a version published through this process is
   * seen at once (publishing drops the cache), one published by another process or replica
   * within that time.
   */
  async current(): Promise<SlaPolicy> {
    const cached = this.cached;
    const history = cached !== undefined && performance.now() - this.checkedAt < POLICY_RECHECK_MS ? cached.history : await this.history();
    return currentPolicy(history) ?? defaultPolicy;
  }

  async publish(policy: SlaPolicy, caller: AuthenticatedUser, context: CommandContext): Promise<ExecutionResult<PolicyHistory>> {
    try {
      return await this.executor.execute(
        policyDecider,
        POLICY_STREAM,
        { type: 'PublishPolicy', now: this.clock().toISOString(), actor: { id: caller.id, role: caller.role }, data: { policy } },
        context,
      );
    } finally {
      this.cached = undefined;
    }
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
