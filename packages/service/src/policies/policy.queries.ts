import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { entitlementsFor, License, tierForLicense, TIERS, type Entitlement, type SlaPolicy, type Tier } from '@support-sla/domain';
import { PolicyHistoryCache } from './policy-history';
import type { AuthenticatedUser } from '../auth/token.service';

export class ListPoliciesQuery extends Query<{ versions: SlaPolicy[] }> {}

export interface EntitlementsView {
  readonly policyVersion: number;
  readonly tiers: readonly { readonly tier: Tier; readonly channels: Entitlement['channels']; readonly training: Entitlement['training'] }[];
}

/** What a license includes under the policy in force: support channels and training. */
export class GetEntitlementsQuery extends Query<EntitlementsView> {
  constructor(readonly caller: AuthenticatedUser) {
    super();
  }
}

@QueryHandler(ListPoliciesQuery)
export class ListPoliciesHandler implements IQueryHandler<ListPoliciesQuery> {
  constructor(private readonly policies: PolicyHistoryCache) {}
  async execute(): Promise<{ versions: SlaPolicy[] }> {
    return { versions: (await this.policies.history()).versions.map((v) => v.policy) };
  }
}

@QueryHandler(GetEntitlementsQuery)
export class GetEntitlementsHandler implements IQueryHandler<GetEntitlementsQuery> {
  constructor(private readonly policies: PolicyHistoryCache) {}
  async execute(q: GetEntitlementsQuery): Promise<EntitlementsView> {
    const policy = await this.policies.current();
    const role = q.caller.role;
    // A requester sees their own license's tier; staff and auditors see both.
    const tiers = License.is(role) ? [tierForLicense(role)] : [...TIERS];
    return { policyVersion: policy.version, tiers: tiers.map((tier) => ({ tier, ...entitlementsFor(policy, tier) })) };
  }
}
