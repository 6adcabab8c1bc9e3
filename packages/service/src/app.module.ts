import { Logger, Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceConfig } from './config/service-config';
import type Database from 'better-sqlite3';
import { Clock, SystemClock } from './application/clock';
import { DeliveryWorker, deliveryWorkerAvailable } from './deployment/delivery-worker';
import { MailWriterThread, mailWriterAvailable } from './deployment/mail-writer-thread';
import { CommandExecutor } from './application/command-executor';
import { ReadModelsHost } from './application/read-models.host';
import type { EventStore } from './event-store/event-store.port';
import { SupportModule } from './support.module';
import { ConsoleModule } from './console/console.module';
import { TicketNoticeRecorder } from './tickets/ticket-notices';
import { NotificationsModule, type NotificationsSetup } from './notifications/notifications.module';
import { recordOutageAlertSent } from './notifications/outage-alert-recorder';
import { raiseSlaAlert, recordSlaAlertSent } from './notifications/sla-alert-recorder';
import { isSlaAlertSent } from './notifications/outbox-dispatcher';
import { prepareMailDatabase } from './notifications/notification-store';
import { readNotificationsConfig } from './notifications/notifications.config';
import { EVENT_STORE, SERVICE_CONFIG, SERVICE_DATABASE } from './platform/tokens';
import { PlatformModule } from './platform/platform.module';
import { SealsModule } from './seals/seals.module';
import type { ServiceStorage } from './platform/storage';

/**
 * ===== FEATURE MODULES =====
 * The domain-facing modules of the service (tickets, outages, policies, reports, notifications)
 * go here. They may inject everything PlatformModule exports (EVENT_STORE, TICKET_NUMBERS,
 * ProjectionsHost, MetricsService, ...) and CqrsModule's buses.
 */
export const FEATURE_MODULES: (Type | DynamicModule)[] = [
  SupportModule,
  SealsModule,
  ConsoleModule,
  NotificationsModule.forRootAsync({
    imports: [SupportModule],
    inject: [EVENT_STORE, SERVICE_DATABASE, TicketNoticeRecorder, Clock, SERVICE_CONFIG, CommandExecutor, ReadModelsHost],
    useFactory: (
      store: EventStore,
      database: Database.Database,
      tickets: TicketNoticeRecorder,
      clock: Clock,
      config: ServiceConfig,
      executor: CommandExecutor,
      readModels: ReadModelsHost,
    ): NotificationsSetup => {
      // The same environment the service was configured from (not necessarily process.env).
      const notifications = readNotificationsConfig(config.env);
      if (!notifications.enabled) return { off: true };
      // The mail tables have a file of their own beside the service's (see mailDatabaseFile).
      const onFile = config.eventStore !== 'memory' && config.dbFile !== ':memory:';
      const mailFile = onFile ? prepareMailDatabase(config.dbFile) : undefined;
      // Delivery (SMTP, webhooks) in a thread of its own beside the HTTP event loop when it can:
      // it opens the mail file itself, and keeps system time, so no test clock
      // (src/deployment/README.md). The mailer's decisions stay on the read models' fold.
      const deliveryThread = notifications.thread === 'worker' && mailFile !== undefined && clock instanceof SystemClock && deliveryWorkerAvailable();
      return {
        store,
        // The mailer follows the read models' fold: the log is read and decoded once.
        readModels,
        // Its own connection to its own file, except where the local database is private to the
        // process (EVENT_STORE=memory).
        database: mailFile ?? database,
        config: notifications,
        // One clock for the whole service: SLA alerts and the time a confirmation counts as sent.
        clock: () => clock.now().getTime(),
        deliveryClock: () => clock.now().getTime(),
        acknowledge: async (ticketId, at, messageId) => {
          await tickets.recordConfirmationSent(ticketId, at, messageId);
        },
        recordSent: async (sent) => {
          if (isSlaAlertSent(sent)) await recordSlaAlertSent(executor, sent);
          else await tickets.recordNotificationSent(sent.ticketId, sent.purpose, sent.at, sent.messageId, sent.restoredAt);
        },
        // An SLA alert that fell due, raised on its ticket (RaiseSlaAlert); its e-mail and webhook follow from the log.
        raiseSlaAlert: (alert) => raiseSlaAlert(executor, alert),
        // A delivered outage alert, on the outage board (RecordOutageAlertSent).
        recordAlertSent: async (sent) => {
          await recordOutageAlertSent(executor, sent);
        },
        delivery: deliveryThread
          ? (recorders) => new DeliveryWorker({ database: mailFile, env: definedOnly(config.env), logLevel: config.logLevel, logger: new Logger('Notifications'), ...recorders })
          : undefined,
        // The mailer's batch writes too (rendering, outbox rows, alert points, the commit), in every
        // process: the decisions stay on the fold, the writing leaves the HTTP event loop.
        writer: deliveryThread && mailWriterAvailable() ? () => new MailWriterThread({ database: mailFile, env: definedOnly(config.env), logger: new Logger('Notifications') }) : undefined,
      };
    },
  }),
];

/** The variables that are set, as a plain object (it is copied to the delivery worker). */
const definedOnly = (env: Readonly<Record<string, string | undefined>>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));

export interface AppModuleOptions {
  readonly config: ServiceConfig;
  readonly storage: ServiceStorage;
  readonly tokenKey: string;
  /** Replaces {@link FEATURE_MODULES} (tests that need only the platform pass `[]`). */
  readonly features?: readonly (Type | DynamicModule)[];
  /** Extra global providers, e.g. a manual clock in tests. */
  readonly providers?: readonly Provider[];
}

const QUIET_ROUTES = new Set(['/health', '/metrics']);

/** The root module: logging, CQRS, the platform, then the features. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.config.logLevel,
            base: { service: 'support-sla' },
            timestamp: stdTimeFunctions.isoTime,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.has((req.url ?? '').split('?')[0] ?? '') },
            customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          },
        }),
        CqrsModule.forRoot(),
        PlatformModule.forRoot({ config: options.config, storage: options.storage, tokenKey: options.tokenKey, providers: options.providers }),
        ...(options.features ?? FEATURE_MODULES),
      ],
    };
  }
}
