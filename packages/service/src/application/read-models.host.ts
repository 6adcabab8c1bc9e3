import type { ReadModels } from '@support-sla/projections';
import type { GlobalPosition } from '../event-store/event-store.port';

/**
 * The service's standing read models, kept up to date from the store's global log by the
 * projection runner. Queries read them through this port.
 */
export abstract class ReadModelsHost {
  /** The current model. Callers must not mutate it. */
  abstract current(): ReadModels;
  /** Position of the last event folded into the model, or undefined before the first. */
  abstract position(): GlobalPosition | undefined;
  /** Resolves once the model has folded `position` (or rejects after `timeoutMs`). */
  abstract waitFor(position: GlobalPosition, timeoutMs: number): Promise<void>;
}
