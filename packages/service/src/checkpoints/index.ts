export { InMemoryReadModelStore, SqliteReadModelStore, type ReadModelStore, type StoredReadModel } from './read-model.store';
