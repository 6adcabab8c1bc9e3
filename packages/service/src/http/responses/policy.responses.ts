import * as t from 'io-ts';
import { Channel, POLICY_EVENT_CODECS, PositiveInt, SlaPolicy, Tier, Training } from '@support-sla/domain';
import { component, described } from '../io-ts-openapi';
import { written } from './common';

const PolicyEventType = t.keyof(
  Object.fromEntries(Object.keys(POLICY_EVENT_CODECS).map((k) => [k, null])) as { [K in keyof typeof POLICY_EVENT_CODECS]: null },
  'PolicyEventType',
);

/** `POST /policies`. */
export const PolicyPublished = component(
  t.type({ events: t.array(PolicyEventType), version: described(PositiveInt, 'The version published'), ...written }, 'PolicyPublished'),
  'What publishing a policy wrote',
);

/** An SLA policy version, as published (the same codec validates `POST /policies`). */
export const SlaPolicyDocument = component(SlaPolicy, 'A versioned SLA policy: calendars, targets per tier, warning fractions, entitlements and options');

/** `GET /policies`. */
export const PolicyList = component(t.type({ versions: described(t.array(SlaPolicyDocument), 'Every published version, oldest first') }, 'PolicyList'));

/** `GET /policies/entitlements`. */
export const EntitlementsView = component(
  t.type(
    {
      policyVersion: described(PositiveInt, 'The policy in force'),
      tiers: described(
        t.array(t.type({ tier: Tier, channels: t.array(Channel), training: t.array(Training) }, 'TierEntitlement')),
        'Both tiers for staff and auditors; a requester sees their own license’s tier',
      ),
    },
    'EntitlementsView',
  ),
  'What each license includes under the policy in force: support channels and training',
);
