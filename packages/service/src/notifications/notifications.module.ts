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
import { Notifications, type NotificationsDependencies } from './notifications';

/** Provider token of the host-supplied {@link NotificationsDependencies}. */
export const NOTIFICATIONS_DEPENDENCIES = Symbol('NOTIFICATIONS_DEPENDENCIES');

export interface NotificationsModuleOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the dependencies from the injected providers (event store, SQLite handle, acknowledge). */
  readonly useFactory: (...args: never[]) => NotificationsDependencies | Promise<NotificationsDependencies>;
}

/** Starts the notifications once the application is up and stops them on shutdown. */
@Injectable()
export class NotificationsLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(Notifications) private readonly notifications: Notifications) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.notifications.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.notifications.stop();
  }
}

/**
 * E-mail and SLA alerts for the service. Import with
 * `NotificationsModule.forRootAsync({ inject: [EVENT_STORE, …], useFactory: (store, …) => ({ store, database, acknowledge }) })`.
 * Exports {@link Notifications} (its `db.outbox()` lists what was sent).
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
          provide: Notifications,
          useFactory: (deps: NotificationsDependencies) => new Notifications({ logger: new Logger('Notifications'), ...deps }),
          inject: [NOTIFICATIONS_DEPENDENCIES],
        },
        NotificationsLifecycle,
      ],
      exports: [Notifications],
    };
  }
}
