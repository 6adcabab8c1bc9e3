import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { formatGlobalPosition } from '@support-sla/projections';
import type { ReadModelStore } from '../checkpoints/read-model.store';
import type { EventStore } from '../event-store/event-store.port';
import { ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus } from './projection-runner';

/** Per-projection status for `/health`. */
export interface ProjectionHealth {
  readonly name: string;
  readonly status: ProjectionStatus;
  /** `commit/prepare` of the last folded event, or null before the first. */
  readonly position: string | null;
  readonly lag: string;
  readonly error?: string;
  /** When the projection stopped at a stored event that does not decode: where it is, and which fields fail. */
  readonly undecodable?: {
    readonly stream: string;
    readonly revision: string;
    readonly eventId: string;
    readonly type: string;
    readonly fields: readonly string[];
  };
}

/** The parts of the service's `UndecodableStoredEventError` that /health reports. */
interface UndecodableEvent {
  readonly streamId: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly fields: readonly { readonly field: string }[];
}

const undecodableOf = (error: Error | undefined): ProjectionHealth['undecodable'] => {
  if (error?.name !== 'UndecodableStoredEventError') return undefined;
  const e = error as Error & Partial<UndecodableEvent>;
  if (typeof e.streamId !== 'string' || typeof e.revision !== 'bigint') return undefined;
  return { stream: e.streamId, revision: e.revision.toString(), eventId: String(e.eventId), type: String(e.eventType), fields: (e.fields ?? []).map((f) => f.field) };
};

/**
 * Runs the service's projections. Feature modules call {@link register} while the application
 * is being set up (a constructor or `onModuleInit`); the host starts every runner once the
 * application has booted and stops them — persisting their models — before it shuts down,
 * ahead of the event store closing.
 */
export class ProjectionsHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('projections');
  // The host holds runners of many model types; it only uses their type-independent members.
  private readonly runners: ProjectionRunner<unknown, unknown>[] = [];
  private booted = false;

  /** The platform module builds it (it is a Nest provider there) and feeds {@link lags} to the metrics. */
  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
  ) {}

  /** How many events each projection is behind the head of the log. */
  lags(): Promise<{ projection: string; lag: bigint }[]> {
    return Promise.all(this.runners.map(async (r) => ({ projection: r.name, lag: await r.lag() })));
  }

  /** Adds a projection; it starts with the application (or at once when the application already runs). */
  register<Model, Event, Learnt = undefined>(options: Omit<ProjectionRunnerOptions<Model, Event, Learnt>, 'store' | 'readModels'>): ProjectionRunner<Model, Event, Learnt> {
    if (this.runners.some((r) => r.name === options.projection.name)) throw new Error(`projection ${options.projection.name} is registered twice`);
    const runner = new ProjectionRunner<Model, Event, Learnt>({
      onError: (error, { projection, fatal }) =>
        fatal ? this.logger.error({ err: error, projection }, `projection ${projection} stopped: ${error.message}`) : this.logger.warn({ err: error, projection }, `projection ${projection}: ${error.message}`),
      ...options,
      store: this.store,
      readModels: this.readModels,
    });
    this.runners.push(runner as unknown as ProjectionRunner<unknown, unknown>);
    if (this.booted) void runner.start();
    return runner;
  }

  all(): readonly ProjectionRunner<unknown, unknown>[] {
    return this.runners;
  }

  async health(): Promise<ProjectionHealth[]> {
    return Promise.all(
      this.runners.map(async (r) => ({
        name: r.name,
        status: r.status,
        position: r.position === undefined ? null : formatGlobalPosition(r.position),
        lag: (await r.lag().catch(() => -1n)).toString(),
        ...(r.error ? { error: r.error.message } : {}),
        ...(undecodableOf(r.error) === undefined ? {} : { undecodable: undecodableOf(r.error) }),
      })),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.booted = true;
    for (const runner of this.runners) {
      await runner.start();
      this.logger.log(`projection ${runner.name} resumes after position ${runner.position === undefined ? 'start' : formatGlobalPosition(runner.position)}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const runner of this.runners) await runner.stop();
  }
}
