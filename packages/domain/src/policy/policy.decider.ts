import type { Decider } from '../shared/decider';
import type { PolicyCommand } from './policy.commands';
import { decidePolicy } from './policy.decide';
import type { PolicyEvent } from './policy.events';
import { evolvePolicy } from './policy.evolve';
import { initialPolicyHistory, type PolicyHistory } from './policy.state';

/** The policy aggregate: one stream of published versions. */
export const policyDecider: Decider<PolicyCommand, PolicyHistory, PolicyEvent> = {
  decide: decidePolicy,
  evolve: evolvePolicy,
  initialState: initialPolicyHistory,
};
