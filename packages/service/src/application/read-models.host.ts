import type { DomainEvent } from '@support-sla/domain';
import type { ReadModels, TicketTransition } from '@support-sla/projections';
import type { GlobalPosition, StoredEvent } from '../event-store/event-store.port';

/**
 * Follows the log through the read models' one fold instead of reading it again (the mailer):
 * handed each folded event with the ticket transition the fold made (`undefined` for an event
 * that changed no ticket) and the read models as of that event; told to flush at the end of
 * each batch and before the read models are checkpointed. See the projection runner's
 * `ProjectionFollower`, which this is.
 */
export interface ReadModelsFollower {
  readonly name: string;
  /** Where the follower's durable state stands: a stored model ahead of it is folded again from the start. */
  readonly position: () => GlobalPosition | undefined;
  readonly folded: (stored: StoredEvent, event: DomainEvent, transition: TicketTransition | undefined, model: ReadModels) => void;
  readonly passed?: (position: GlobalPosition) => void;
  readonly flush: () => void | Promise<void>;
  /** See `ProjectionFollower.durable`: everything handed over is durable (a follower writing in a thread). */
  readonly durable?: () => void | Promise<void>;
}

/**
 * The service's standing read models, kept up to date from the store's global log by the
 * projection runner. Queries read them through this port; followers (the mailer) ride on the
 * same fold.
 */
export abstract class ReadModelsHost {
  /** The current model. Callers must not mutate it. */
  abstract current(): ReadModels;
  /** Position of the last event folded into the model, or undefined before the first. */
  abstract position(): GlobalPosition | undefined;
  /** Resolves once the model has folded `position` (or rejects after `timeoutMs`). */
  abstract waitFor(position: GlobalPosition, timeoutMs: number): Promise<void>;
  /** Adds a follower; to be called before the read models start (see {@link ReadModelsFollower.position}). */
  abstract follow(follower: ReadModelsFollower): void;
  /** Flushes the follower and stops handing it events. */
  abstract unfollow(follower: ReadModelsFollower): Promise<void>;
  /** The head of the log, for catch-up progress (undefined: an empty log). */
  abstract head(): Promise<GlobalPosition | undefined>;
}
