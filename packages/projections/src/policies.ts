import { defaultPolicy, type PolicyEvent, type SlaPolicy } from '@support-sla/domain';

/**
 * The SLA policy versions a read model knows: the seed versions it was built with (the
 * domain's `defaultPolicy` unless told otherwise) plus every `PolicyPublished` event it has
 * seen. A ticket's clocks always use the version it pinned at opening.
 */
export interface PolicyBook {
  /** Ascending by version; one entry per version (a publication replaces a seed of the same version). */
  readonly versions: readonly SlaPolicy[];
}

export const policyBookOf = (policies: readonly SlaPolicy[] = [defaultPolicy]): PolicyBook => ({
  versions: [...policies].sort((a, b) => a.version - b.version),
});

/** The book with a published policy added (or replacing a seed of the same version). */
export const publishInBook = (book: PolicyBook, event: PolicyEvent): PolicyBook => {
  const policy = event.data.policy;
  return { versions: [...book.versions.filter((p) => p.version !== policy.version), policy].sort((a, b) => a.version - b.version) };
};

/** Thrown when a ticket pinned a policy version the read model was never told about. */
export class UnknownPolicyVersionError extends Error {
  override readonly name = 'UnknownPolicyVersionError';
  constructor(readonly version: number) {
    super(`policy version ${version} is not known to this read model (publish it, or seed the projection with it)`);
  }
}

export const policyOf = (book: PolicyBook, version: number): SlaPolicy => {
  for (const p of book.versions) if (p.version === version) return p;
  throw new UnknownPolicyVersionError(version);
};
