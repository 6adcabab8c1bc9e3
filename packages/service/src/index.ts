export * from './event-store/event-store.port';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './event-store/in-memory/in-memory.event-store';
export { SqliteEventStore, type SqliteEventStoreOptions } from './event-store/sqlite/sqlite.event-store';
export * from './hash-chain';
export * from './checkpoints';
export * from './projection-runner';
export { ProjectionsHost, type ProjectionHealth } from './projection-runner/projections.host';
export * from './idempotency';
export * from './config';
export * from './auth';
export * from './platform/tokens';
export { classifyError, type ClassifiedError, type ErrorBody } from './platform/http-errors';
export { MetricsService } from './platform/metrics.service';
export { InstrumentedEventStore } from './platform/instrumented.event-store';
export { openStorage, type ServiceStorage } from './platform/storage';
export { formatTicketNumber, parseTicketNumber, type ClaimTrace, type TicketNumberAllocator } from './application/ticket-number';
export {
  LegacyTicketNumbers,
  StoreTicketNumberAllocator,
  TicketNumbersExhaustedError,
  TICKET_NUMBER_CLAIMED,
  TICKET_NUMBER_FLOOR_RAISED,
  type StoreTicketNumberOptions,
} from './platform/ticket-numbers';
export { createService, TOKEN_HINT, type CreateServiceOptions, type RunningService } from './bootstrap';
export { AppModule, FEATURE_MODULES, type AppModuleOptions } from './app.module';
export { buildProgram, COMMAND_GROUPS, runCli } from './cli/program';
export { createEsdbEventStore, EventStoreDbEventStore } from './event-store/esdb';
