export * from './event-store/event-store.port';
