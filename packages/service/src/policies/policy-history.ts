import { Injectable } from '@nestjs/common';
import { currentPolicy, defaultPolicy, policyDecider, type PolicyHistory, type SlaPolicy } from '@support-sla/domain';
import { CommandExecutor } from '../application/command-executor';
import { POLICY_STREAM } from '../event-store/streams';

/** How long the policy in force is taken from the cache without asking the store (ms). */
export const POLICY_RECHECK_MS = 250;

/**
 * The published policy versions, folded from the policy stream. The one thing the policies
 * slice gives the others: opening a ticket pins {@link current}, ticket reads need every version.
 */
@Injectable()
export class PolicyHistoryCache {
  // Policies change rarely and every open needs the current one: the folded history is kept and
  // reused while nothing follows its last revision in the stream (one indexed read that returns
  // no rows, instead of reading and folding policy documents).
  private cached: { revision: bigint; history: PolicyHistory } | undefined;
  /** When the cached history was last checked against the store (performance.now()). */
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly executor: CommandExecutor) {}

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

  /** A version was published through this process: the next reading goes to the store. */
  forget(): void {
    this.cached = undefined;
  }
}
