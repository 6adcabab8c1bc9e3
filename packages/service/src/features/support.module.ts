import { Module, type OnApplicationBootstrap } from '@nestjs/common';
import { sealEvents } from '../hash-chain';
import { Clock, SystemClock } from '../application/clock';
import { CommandExecutor } from '../application/command-executor';
import { OutageApplication } from '../application/outage.application';
import { PolicyApplication } from '../application/policy.application';
import { ReadModelsHost } from '../application/read-models.host';
import { RunnerReadModelsHost } from '../application/read-models.runner-host';
import { TicketApplication } from '../application/ticket.application';
import type { EventStore } from '../event-store/event-store.port';
import type { TicketNumberAllocator } from '../application/ticket-number';
import type { ServiceConfig } from '../config/service-config';
import { EVENT_STORE, SERVICE_CONFIG, TICKET_NUMBERS } from '../platform/tokens';
import { ProjectionsHost } from '../projection-runner/projections.host';
import { CloseOutageHandler, RecordDebriefHandler, ReportMonitorStatusHandler, StaffOutageHandler } from './outages/outage.commands';
import { ListOutagesHandler } from './outages/outage.queries';
import { OutagesController } from './outages/outages.controller';
import { PoliciesController } from './policies/policies.controller';
import { PublishPolicyHandler } from './policies/policy.commands';
import { GetEntitlementsHandler, ListPoliciesHandler } from './policies/policy.queries';
import { GetComplianceReportHandler, GetQueueHandler, GetSlaBoardHandler } from './reports/report.queries';
import { ReportsController } from './reports/reports.controller';
import { OpenTicketHandler, TicketActionHandler } from './tickets/ticket.commands';
import { GetTicketAsOfHandler, GetTicketHandler, GetTicketHistoryHandler } from './tickets/ticket.queries';
import { TicketsController } from './tickets/tickets.controller';

/** Global provider token that replaces the system clock (tests drive SLA time with a ManualClock). */
export const CLOCK_OVERRIDE = Symbol('CLOCK_OVERRIDE');

/** Writes the default policy on first start, so every ticket's pinned policy is in the log. */
class PolicySeeder implements OnApplicationBootstrap {
  constructor(private readonly policies: PolicyApplication) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.policies.seedDefault();
  }
}

/**
 * The domain-facing part of the service: ticket, outage and policy commands through the
 * CommandBus, queries through the QueryBus, and the standing read models.
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
    {
      provide: TicketApplication,
      useFactory: (executor: CommandExecutor, numbers: TicketNumberAllocator, clock: Clock, policies: PolicyApplication) =>
        new TicketApplication(executor, numbers, () => clock.now(), () => policies.current()),
      inject: [CommandExecutor, TICKET_NUMBERS, Clock, PolicyApplication],
    },
    { provide: OutageApplication, useFactory: (e: CommandExecutor) => new OutageApplication(e), inject: [CommandExecutor] },
    { provide: PolicyApplication, useFactory: (e: CommandExecutor, clock: Clock) => new PolicyApplication(e, () => clock.now()), inject: [CommandExecutor, Clock] },
    { provide: ReadModelsHost, useFactory: (host: ProjectionsHost) => new RunnerReadModelsHost(host), inject: [ProjectionsHost] },
    { provide: PolicySeeder, useFactory: (p: PolicyApplication) => new PolicySeeder(p), inject: [PolicyApplication] },
    OpenTicketHandler,
    TicketActionHandler,
    ReportMonitorStatusHandler,
    RecordDebriefHandler,
    CloseOutageHandler,
    StaffOutageHandler,
    PublishPolicyHandler,
    ListPoliciesHandler,
    GetEntitlementsHandler,
    GetTicketHandler,
    GetTicketHistoryHandler,
    GetTicketAsOfHandler,
    GetQueueHandler,
    GetSlaBoardHandler,
    GetComplianceReportHandler,
    ListOutagesHandler,
  ],
  exports: [Clock, CommandExecutor, TicketApplication, OutageApplication, PolicyApplication, ReadModelsHost],
})
export class SupportModule {}
