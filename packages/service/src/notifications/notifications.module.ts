import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import type { LeaseKeeperStatus } from '../deployment/store-lease';
import { Notifications, type NotificationsDependencies, type NotificationsState } from './notifications';

/** Provider token of the host-supplied {@link NotificationsSetup}. */
export const NOTIFICATIONS_DEPENDENCIES = Symbol('NOTIFICATIONS_DEPENDENCIES');

/**
 * Provider token of the running notifications: a {@link Notifications}, or nothing that sends
 * (`NOTIFICATIONS=off`).
 */
export const NOTIFICATIONS = Symbol('NOTIFICATIONS');

/** What the module starts with the application and stops with it. */
export interface NotificationsRunner {
  /** With `background`, resolves once started (templates checked, following the log), not once caught up. */
  start(options?: { readonly background?: boolean }): Promise<void>;
  /** Stops delivering (before the read models stop); {@link stop} then closes what it opened. */
  stopSending?(): Promise<void>;
  stop(): Promise<void>;
  readonly state: NotificationsRunnerState;
  /** Whether this process holds the lease on sending, and who does as far as it knows (absent with `NOTIFICATIONS=off`). */
  readonly lease?: LeaseKeeperStatus;
}

/** `sending`, `standby` (another process holds the lease and sends), `starting`, `stopped`, or `off` (`NOTIFICATIONS=off`). */
export type NotificationsRunnerState = NotificationsState | 'off';

/** The dependencies, or `{ off: true }` (`NOTIFICATIONS=off`: nothing runs). */
export type NotificationsSetup = NotificationsDependencies | { readonly off: true };

export interface NotificationsModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the setup from the injected providers (event store, SQLite handle, acknowledge). */
  readonly useFactory: (...args: never[]) => NotificationsSetup | Promise<NotificationsSetup>;
}

/** `NOTIFICATIONS=off`: says so once at start-up, and runs nothing (nor takes part in the lease). */
const switchedOff = (logger: Logger): NotificationsRunner => ({
  state: 'off',
  start: async () => logger.log('NOTIFICATIONS=off: this process sends no e-mail and no SLA alert, and never takes the lease'),
  stop: async () => undefined,
});

/**
 * Starts the notifications once the application is up, without waiting for them to catch up
 * with the log (the HTTP listener opens at once; `/health` says `starting` meanwhile). On
 * shutdown, delivery stops first (while the store is still open for recording what went out),
 * and the mail file closes last, after the read models stopped (the mailer writes what they
 * folded until then, so its checkpoint is not left behind theirs).
 */
@Injectable()
export class NotificationsLifecycle implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  constructor(@Inject(NOTIFICATIONS) private readonly notifications: NotificationsRunner) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start({ background: true });
  }

  async onModuleDestroy(): Promise<void> {
    await (this.notifications.stopSending?.() ?? this.notifications.stop());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.notifications.stop();
  }
}

/**
 * E-mail and SLA alerts for the service. Import with
 * `NotificationsModule.forRootAsync({ inject: [EVENT_STORE, …], useFactory: (store, …) => ({ store, database, acknowledge }) })`,
 * passing the service's read models (`readModels`) so that the mailer follows their fold.
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
            'off' in setup ? switchedOff(new Logger('Notifications')) : new Notifications({ logger: new Logger('Notifications'), ...setup }),
          inject: [NOTIFICATIONS_DEPENDENCIES],
        },
        NotificationsLifecycle,
      ],
      exports: [NOTIFICATIONS],
    };
  }
}
