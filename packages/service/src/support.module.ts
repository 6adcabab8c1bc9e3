import { Module } from '@nestjs/common';
import { sealEvents } from './hash-chain';
import { Clock, SystemClock } from './application/clock';
import { CommandExecutor } from './application/command-executor';
import { ReadModelsHost } from './application/read-models.host';
import { RunnerReadModelsHost } from './application/read-models.runner-host';
import type { EventStore } from './event-store/event-store.port';
import type { ServiceConfig } from './config/service-config';
import { EVENT_STORE, SERVICE_CONFIG } from './platform/tokens';
import { ProjectionsHost } from './projection-runner/projections.host';
import { OutageBoardHandler } from './outages/outage.commands';
import { ListOutagesHandler } from './outages/outage.queries';
import { OutagesController } from './outages/outages.controller';
import { PoliciesController } from './policies/policies.controller';
import { PolicyHistoryCache } from './policies/policy-history';
import { PolicySeeder, PublishPolicyHandler } from './policies/policy.commands';
import { GetEntitlementsHandler, ListPoliciesHandler } from './policies/policy.queries';
import { ComplianceReportCache } from './reports/report-cache';
import { GetComplianceReportHandler, GetQueueHandler, GetSlaBoardHandler } from './reports/report.queries';
import { ReportsController } from './reports/reports.controller';
import { TicketNoticeRecorder } from './tickets/ticket-notices';
import { OpenTicketHandler, TicketActionHandler } from './tickets/ticket.commands';
import { GetTicketAsOfHandler, GetTicketHandler, GetTicketHistoryHandler } from './tickets/ticket.queries';
import { TicketsController } from './tickets/tickets.controller';

/** Global provider token that replaces the system clock (tests drive SLA time with a ManualClock). */
export const CLOCK_OVERRIDE = Symbol('CLOCK_OVERRIDE');

/**
 * The domain-facing part of the service: the four slices' routes, their command handlers (each
 * runs its command through the one {@link CommandExecutor}) and query handlers, and the
 * standing read models. Exports what the mailer records with and what the seals need.
 */
@Module({
  controllers: [TicketsController, OutagesController, PoliciesController, ReportsController],
  providers: [
    {
      provide: Clock,
      useFactory: (override?: Clock) => override ?? new SystemClock(),
      inject: [{ token: CLOCK_OVERRIDE, optional: true }],
    },
    {
      provide: CommandExecutor,
      // Conflicts and append latency are counted by the platform's instrumented store.
      useFactory: (store: EventStore, clock: Clock, config: ServiceConfig) =>
        new CommandExecutor(store, { clock: () => clock.now(), seal: sealEvents, maxAttempts: config.commandMaxAttempts }),
      inject: [EVENT_STORE, Clock, SERVICE_CONFIG],
    },
    { provide: ReadModelsHost, useFactory: (host: ProjectionsHost) => new RunnerReadModelsHost(host), inject: [ProjectionsHost] },
    PolicyHistoryCache,
    PolicySeeder,
    TicketNoticeRecorder,
    OpenTicketHandler,
    TicketActionHandler,
    GetTicketHandler,
    GetTicketHistoryHandler,
    GetTicketAsOfHandler,
    OutageBoardHandler,
    ListOutagesHandler,
    PublishPolicyHandler,
    ListPoliciesHandler,
    GetEntitlementsHandler,
    GetQueueHandler,
    GetSlaBoardHandler,
    GetComplianceReportHandler,
    ComplianceReportCache,
  ],
  exports: [Clock, CommandExecutor, TicketNoticeRecorder, ReadModelsHost],
})
export class SupportModule {}
