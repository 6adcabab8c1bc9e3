import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { Notifications, type NotificationsDependencies, type NotificationsState } from './notifications';
import { NotificationsWorker, type NotificationsWorkerOptions } from './notifications-worker.host';

/** Provider token of the host-supplied {@link NotificationsSetup}. */
export const NOTIFICATIONS_DEPENDENCIES = Symbol('NOTIFICATIONS_DEPENDENCIES');

/**
 * Provider token of the running notifications: a {@link Notifications} on the main thread, or a
 * {@link NotificationsWorker} that runs them in a worker thread.
 */
export const NOTIFICATIONS = Symbol('NOTIFICATIONS');

/** What the module starts with the application and stops with it. */
export interface NotificationsRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly state: NotificationsRunnerState;
}

/** `sending`, `standby` (another process on the same file sends), `starting`, `stopped`, or `off` (`NOTIFICATIONS=off`). */
export type NotificationsRunnerState = NotificationsState | 'off';

/** In-process dependencies, the settings of a worker thread (`{ worker }`), or `{ off: true }` (`NOTIFICATIONS=off`: nothing runs). */
export type NotificationsSetup = NotificationsDependencies | { readonly worker: Omit<NotificationsWorkerOptions, 'logger'> } | { readonly off: true };

export interface NotificationsModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the setup from the injected providers (event store, SQLite handle, acknowledge). */
  readonly useFactory: (...args: never[]) => NotificationsSetup | Promise<NotificationsSetup>;
}

const inWorker = (setup: NotificationsSetup): setup is { readonly worker: Omit<NotificationsWorkerOptions, 'logger'> } => 'worker' in setup;

/** `NOTIFICATIONS=off`: says so once at start-up, and runs nothing. */
const switchedOff = (logger: Logger): NotificationsRunner => ({
  state: 'off',
  start: async () => logger.log('NOTIFICATIONS=off: this process sends no e-mail and no SLA alert'),
  stop: async () => undefined,
});

/** Starts the notifications once the application is up and stops them on shutdown. */
@Injectable()
export class NotificationsLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(NOTIFICATIONS) private readonly notifications: NotificationsRunner) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.notifications.stop();
  }
}

/**
 * E-mail and SLA alerts for the service. Import with
 * `NotificationsModule.forRootAsync({ inject: [EVENT_STORE, …], useFactory: (store, …) => ({ store, database, acknowledge }) })`,
 * or with a factory that returns `{ worker: … }` to run them in a worker thread.
 * Exports {@link NOTIFICATIONS} (in process, a {@link Notifications}: its `db.outbox()` lists what was sent).
 */
@Module({})
export class NotificationsModule {
  static forRootAsync(options: NotificationsModuleOptions): DynamicModule {
    return {
      module: NotificationsModule,
      imports: options.imports ?? [],
      providers: [
        { provide: NOTIFICATIONS_DEPENDENCIES, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: NOTIFICATIONS,
          useFactory: (setup: NotificationsSetup): NotificationsRunner =>
            'off' in setup
              ? switchedOff(new Logger('Notifications'))
              : inWorker(setup)
                ? new NotificationsWorker({ logger: new Logger('Notifications'), ...setup.worker })
                : new Notifications({ logger: new Logger('Notifications'), ...setup }),
          inject: [NOTIFICATIONS_DEPENDENCIES],
        },
        NotificationsLifecycle,
      ],
      exports: [NOTIFICATIONS],
    };
  }
}
