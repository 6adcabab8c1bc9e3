import * as t from 'io-ts';
import { Actor } from '../shared/actor';
import { eventCodec } from '../shared/message';
import { IsoInstant } from '../shared/primitives';
import { SlaPolicy } from './policy.schema';

/** A new policy version is in force from `at`; tickets opened before keep their version. */
export const PolicyPublished = eventCodec('PolicyPublished', t.type({ at: IsoInstant, by: Actor, policy: SlaPolicy }, 'PolicyPublishedData'));

export const POLICY_EVENT_CODECS = { PolicyPublished } as const;
export const PolicyEvent = PolicyPublished;
export type PolicyEvent = t.TypeOf<typeof PolicyEvent>;
