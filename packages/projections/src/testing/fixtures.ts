import { defaultPolicy, type SlaPolicy } from '@support-sla/domain';

/**
 * The default New York policy (08:00–18:00 Monday–Friday, US federal holidays, 2 h / 4 h
 * confirmation, response by the end of the next business day), except that confirmations are
 * sent by agents rather than automatically, so tests can place them.
 */
export const deskPolicy: SlaPolicy = { ...defaultPolicy, confirmation: 'agent' };

/** Version 2 for what-if tests: Professional confirmation within 2 business hours instead of 4. */
export const strictPolicy: SlaPolicy = {
  ...deskPolicy,
  version: 2,
  targets: { ...deskPolicy.targets, professional: { ...deskPolicy.targets.professional, confirmation: { kind: 'business-minutes', minutes: 120 } } },
};

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
