import type { DomainEvent } from '@support-sla/domain';
import { readModelsProjection, type ReadModels } from '@support-sla/projections';
import type { GlobalPosition, StoredEvent } from '../event-store/event-store.port';
import type { ProjectionsHost } from '../projection-runner/projections.host';
import type { ProjectionRunner } from '../projection-runner/projection-runner';
import { toDomainEvent } from './event-mapping';
import { ReadModelsHost } from './read-models.host';
import { STREAM_PREFIXES } from '../event-store/streams';

/**
 * The standing read models (status, queue, compliance) as one projection run by the platform's
 * projection runner: fed from the store's global log, persisted with its checkpoint.
 */
export class RunnerReadModelsHost extends ReadModelsHost {
  private readonly runner: ProjectionRunner<ReadModels, DomainEvent>;

  constructor(projections: ProjectionsHost) {
    super();
    this.runner = projections.register<ReadModels, DomainEvent>({
      projection: readModelsProjection(),
      decode: (stored: StoredEvent) => toDomainEvent(stored),
      streamPrefixes: STREAM_PREFIXES,
      // Each checkpoint writes the whole model (it grows with the tickets). It is written in
      // slices of a few milliseconds, so requests are not stalled, but no event is folded until
      // it is done (about a second for a 25 MB model). So under load it is written after 10,000
      // events, or after one event per 256 bytes of the model if that is more (a 25 MB model:
      // every 100,000 events), and after 5 s without events. The cost per event stays flat as the
      // model grows, and a crash refolds at most that many events.
      flushEvery: 10_000,
      flushBytesPerEvent: 256,
      flushIdleMs: 5_000,
    });
  }

  current(): ReadModels {
    return this.runner.model;
  }

  position(): GlobalPosition | undefined {
    return this.runner.position;
  }

  waitFor(position: GlobalPosition, timeoutMs: number): Promise<void> {
    return this.runner.waitForPosition(position, timeoutMs);
  }
}
