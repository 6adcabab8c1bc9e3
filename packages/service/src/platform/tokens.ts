/** DI token: the {@link ServiceConfig}. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
/** DI token: the configured {@link EventStore} (instrumented with metrics). */
export const EVENT_STORE = Symbol('EVENT_STORE');
/** DI token: the local SQLite connection (read models, checkpoints, idempotency keys, the legacy ticket-number table). */
export const SERVICE_DATABASE = Symbol('SERVICE_DATABASE');
/** DI token: the {@link ReadModelStore}. */
export const READ_MODEL_STORE = Symbol('READ_MODEL_STORE');
/** DI token: the {@link TicketNumberAllocator} (claims in the event store). */
export const TICKET_NUMBERS = Symbol('TICKET_NUMBERS');
/** DI token: the {@link ServiceStorage} (store, database and how to close them). */
export const SERVICE_STORAGE = Symbol('SERVICE_STORAGE');
