import * as t from 'io-ts';
import { commandCodec } from '../shared/message';
import { SlaPolicy } from './policy.schema';

/** Publish the next policy version (must be exactly the current version + 1). Admins only. */
export const PublishPolicy = commandCodec('PublishPolicy', t.type({ policy: SlaPolicy }, 'PublishPolicyData'));

export const POLICY_COMMAND_CODECS = { PublishPolicy } as const;
export const PolicyCommand = PublishPolicy;
export type PolicyCommand = t.TypeOf<typeof PolicyCommand>;
