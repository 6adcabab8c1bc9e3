import type { Tier } from '../shared/agreement';
import type { Entitlement, SlaPolicy } from './policy.schema';

/** Every published version, oldest first, with when it came into force. */
export interface PolicyHistory {
  readonly versions: readonly { readonly policy: SlaPolicy; readonly publishedAtMs: number }[];
}

export const initialPolicyHistory: PolicyHistory = { versions: [] };

/** The version in force now (the latest published), if any. */
export const currentPolicy = (history: PolicyHistory): SlaPolicy | undefined => history.versions[history.versions.length - 1]?.policy;

/** A given version; tickets use this to find the policy they pinned. */
export const policyVersion = (history: PolicyHistory, version: number): SlaPolicy | undefined =>
  history.versions.find((v) => v.policy.version === version)?.policy;

/** The version in force at an instant (the latest published at or before it). */
export const policyInForceAt = (history: PolicyHistory, atMs: number): SlaPolicy | undefined => {
  let found: SlaPolicy | undefined;
  for (const v of history.versions) if (v.publishedAtMs <= atMs) found = v.policy;
  return found;
};

/** What a requester's license includes: channels and training. */
export const entitlementsFor = (policy: SlaPolicy, tier: Tier): Entitlement => policy.entitlements[tier];
