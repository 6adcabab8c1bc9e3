import type { DomainEvent } from '@support-sla/domain';
import { evolveReadModels, readModelsProjection, type ReadModels, type TicketTransition } from '@support-sla/projections';
import { InMemoryReadModelStore } from '../checkpoints/read-model.store';
import type { EventStore, GlobalPosition, StoredEvent } from '../event-store/event-store.port';
import { STREAM_PREFIXES } from '../event-store/streams';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../projection-runner/projection-runner';
import type { ProjectionsHost } from '../projection-runner/projections.host';
import { toDomainEvent } from './event-mapping';
import { ReadModelsHost, type ReadModelsFollower } from './read-models.host';

type ReadModelsRunnerOptions = Omit<ProjectionRunnerOptions<ReadModels, DomainEvent, TicketTransition | undefined>, 'store' | 'readModels'>;

/** The standing read models' projection as the runner hosts it, with the transition each fold learns for followers. */
const readModelsRunnerOptions = (): ReadModelsRunnerOptions => ({
  projection: readModelsProjection(),
  decode: (stored: StoredEvent) => toDomainEvent(stored),
  evolveLearning: (model, event, envelope) => ({ model, learnt: evolveReadModels(model, event, envelope) }),
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

/**
 * The standing read models (status, queue, compliance) as one projection run by the platform's
 * projection runner: fed from the store's global log, persisted with its checkpoint. It is the
 * one reader of the log: the mailer follows it ({@link follow}).
 */
export class RunnerReadModelsHost extends ReadModelsHost {
  private readonly runner: ProjectionRunner<ReadModels, DomainEvent, TicketTransition | undefined>;

  /**
   * On the platform's projections host (the service's: the host starts and stops it), or, given
   * `{ store }`, a private one over that store with its model in memory only, which the caller
   * starts and stops ({@link start}, {@link stop}): the standalone `Notifications` of tests and
   * scripts.
   */
  constructor(projections: ProjectionsHost | { readonly store: EventStore }) {
    super();
    this.runner =
      'register' in projections
        ? projections.register(readModelsRunnerOptions())
        : new ProjectionRunner({ ...readModelsRunnerOptions(), store: projections.store, readModels: new InMemoryReadModelStore() });
  }

  /** Starts a private host (see the constructor); the service's starts with the application. */
  start(): Promise<void> {
    return this.runner.start();
  }

  /** Stops a private host, flushing its followers. */
  stop(): Promise<void> {
    return this.runner.stop();
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

  follow(follower: ReadModelsFollower): void {
    this.runner.follow(follower);
  }

  unfollow(follower: ReadModelsFollower): Promise<void> {
    return this.runner.unfollow(follower);
  }

  head(): Promise<GlobalPosition | undefined> {
    return this.runner.head();
  }
}
