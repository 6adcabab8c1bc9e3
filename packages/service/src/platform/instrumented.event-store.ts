import {
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeToAllOptions,
  type Subscription,
} from '../event-store/event-store.port';
import { MetricsService } from './metrics.service';

/** Decorates any store with append latency and conflict metrics; everything else passes through. */
export class InstrumentedEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    private readonly metrics: MetricsService,
  ) {}

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    const category = MetricsService.category(streamId);
    const stop = this.metrics.appendSeconds.startTimer({ category });
    try {
      return await this.inner.appendToStream(streamId, events, expected);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) this.metrics.conflicts.inc({ category });
      throw error;
    } finally {
      stop();
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly StoredEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<readonly StoredEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    return this.inner.subscribeToAll(options);
  }

  headPosition(): Promise<GlobalPosition | undefined> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
