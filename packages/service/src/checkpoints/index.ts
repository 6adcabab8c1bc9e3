export {
  CHUNK_CHARS,
  InMemoryReadModelStore,
  SqliteReadModelStore,
  type ReadModelHeader,
  type ReadModelStore,
  type ReadModelWriter,
  type StoredReadModel,
} from './read-model.store';
