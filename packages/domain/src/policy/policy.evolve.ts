import { toMillis } from '../shared/primitives';
import type { PolicyEvent } from './policy.events';
import type { PolicyHistory } from './policy.state';

/** Folds a publication into the history. */
export const evolvePolicy = (history: PolicyHistory, event: PolicyEvent): PolicyHistory => ({
  versions: [...history.versions, { policy: event.data.policy, publishedAtMs: toMillis(event.data.at) }],
});
