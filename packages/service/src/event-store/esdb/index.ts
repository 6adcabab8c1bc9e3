export { EventStoreDbEventStore, createEsdbEventStore, type EsdbEventStoreOptions } from './esdb.event-store';
