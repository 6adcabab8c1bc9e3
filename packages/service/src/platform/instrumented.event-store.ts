import { WrongExpectedRevisionError, type AppendOptions, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from '../event-store/event-store.port';
import { MetricsService } from './metrics.service';

/** Decorates any store with append latency and conflict metrics; everything else passes through. */
export class InstrumentedEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    private readonly metrics: MetricsService,
  ) {}

  async appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision, options?: AppendOptions): Promise<AppendResult> {
    const category = MetricsService.category(streamId);
    const stop = this.metrics.appendSeconds.startTimer({ category });
    try {
      return await this.inner.appendToStream(streamId, events, expected, options);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) this.metrics.conflicts.inc({ category });
      throw error;
    } finally {
      stop();
    }
  }

  readonly readStream: EventStore['readStream'] = (streamId, options) => this.inner.readStream(streamId, options);
  readonly readAll: EventStore['readAll'] = (options) => this.inner.readAll(options);
  readonly subscribeToAll: EventStore['subscribeToAll'] = (options) => this.inner.subscribeToAll(options);
  readonly headPosition: EventStore['headPosition'] = () => this.inner.headPosition();
  readonly close: EventStore['close'] = () => this.inner.close();
}
