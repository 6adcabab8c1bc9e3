import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type Database from 'better-sqlite3';
import { AuthGuard } from '../auth/auth.guard';
import { TokenService } from '../auth/token.service';
import { SqliteReadModelStore, type ReadModelStore } from '../checkpoints/read-model.store';
import type { EventStore } from '../event-store/event-store.port';
import type { ServiceConfig } from '../config/service-config';
import { IDEMPOTENCY_STORE, Idempotency } from '../idempotency/idempotency';
import { SqliteIdempotencyStore } from '../idempotency/idempotency.store';
import { ProjectionsHost } from '../projection-runner/projections.host';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { CommandGuard } from './command.guard';
import { InstrumentedEventStore } from './instrumented.event-store';
import { MetricsService } from './metrics.service';
import { OperationsController } from './operations.controller';
import type { ServiceStorage } from './storage';
import { LegacyTicketNumbers, StoreTicketNumberAllocator } from './ticket-numbers';
import { EVENT_STORE, READ_MODEL_STORE, SERVICE_CONFIG, SERVICE_DATABASE, SERVICE_STORAGE, TICKET_NUMBERS } from './tokens';

/** Closes the store and database after everything else has shut down (projections flush first). */
class StorageLifecycle implements OnApplicationShutdown {
  constructor(@Inject(SERVICE_STORAGE) private readonly storage: ServiceStorage) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
    new Logger('storage').log({ event: 'storage-closed' }, 'event store and database closed');
  }
}

export interface PlatformOptions {
  readonly config: ServiceConfig;
  readonly storage: ServiceStorage;
  readonly tokenKey: string;
  /** Extra global providers (tests use this to replace the clock, for example). */
  readonly providers?: readonly Provider[];
}

/**
 * Everything that does not know the domain: configuration, storage, auth, errors, metrics,
 * health, idempotency, ticket numbers and the projections host. Global, so feature modules
 * inject these without importing it.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_CONFIG, useValue: options.config },
      { provide: SERVICE_STORAGE, useValue: options.storage },
      { provide: SERVICE_DATABASE, useValue: options.storage.db },
      MetricsService,
      {
        provide: EVENT_STORE,
        useFactory: (metrics: MetricsService) => new InstrumentedEventStore(options.storage.store, metrics),
        inject: [MetricsService],
      },
      { provide: READ_MODEL_STORE, useFactory: (db: Database.Database) => new SqliteReadModelStore(db), inject: [SERVICE_DATABASE] },
      {
        provide: IDEMPOTENCY_STORE,
        useFactory: (db: Database.Database) => new SqliteIdempotencyStore(db, { ttlMs: options.config.idempotencyKeyTtlMs }),
        inject: [SERVICE_DATABASE],
      },
      {
        provide: TICKET_NUMBERS,
        // Claims in the event store (shared by every replica); the local table of earlier
        // versions is only read: the floor above which claims start, and old numbers' tickets.
        // Claim conflicts are counted by the instrumented store (category `claim`).
        useFactory: (store: EventStore, db: Database.Database) => {
          const numbers = new StoreTicketNumberAllocator({ store, legacy: new LegacyTicketNumbers(db) });
          // Publishes the floor at start-up, not at this replica's first open (the first open
          // tries again should the store be away now).
          numbers.prepare().catch(() => undefined);
          return numbers;
        },
        inject: [EVENT_STORE, SERVICE_DATABASE],
      },
      { provide: TokenService, useValue: new TokenService(options.tokenKey, { maxLifetimeSeconds: options.config.tokenMaxLifetimeSeconds }) },
      {
        provide: ProjectionsHost,
        // The host knows nothing of the platform: the metrics read its lags from here.
        useFactory: (store: EventStore, readModels: ReadModelStore, metrics: MetricsService) => {
          const host = new ProjectionsHost(store, readModels);
          metrics.setLagSource(() => host.lags());
          return host;
        },
        inject: [EVENT_STORE, READ_MODEL_STORE, MetricsService],
      },
      StorageLifecycle,
      Idempotency,
      // In this order: the command guard needs the caller that AuthGuard verified.
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_GUARD, useClass: CommandGuard },
      { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ...(options.providers ?? []),
    ];
    return {
      module: PlatformModule,
      controllers: [OperationsController],
      providers,
      exports: [
        SERVICE_CONFIG,
        SERVICE_STORAGE,
        SERVICE_DATABASE,
        EVENT_STORE,
        READ_MODEL_STORE,
        IDEMPOTENCY_STORE,
        TICKET_NUMBERS,
        TokenService,
        MetricsService,
        ProjectionsHost,
        ...(options.providers ?? []),
      ],
    };
  }
}
