import type { Actor } from '@support-sla/domain';

/** The service's mailer acts as support staff when it records a sent e-mail or alert. */
export const MAILER_ACTOR: Actor = { id: 'system:mailer', role: 'agent' };
