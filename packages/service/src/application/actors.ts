import type { Actor } from '@support-sla/domain';
import type { CommandContext } from './command-executor';

/** The service's mailer acts as support staff when it records a sent e-mail or alert. */
export const MAILER_ACTOR: Actor = { id: 'system:mailer', role: 'agent' };

/** The context of a command the service sends itself as `actor`: caused (and correlated) by `causationId`, keyed by `idempotencyKey`. */
export const systemContext = (actor: Actor, causationId: string, idempotencyKey: string): CommandContext =>
  ({ actorId: actor.id, actorRole: actor.role, correlationId: causationId, causationId, idempotencyKey });
