import type { EventStore, ReadStreamOptions } from '../event-store/event-store.port';

/**
 * The store, with every stream read noted (the stream id, in order): for tests that tell a value
 * served from a cache, or decided without a read, from one read from the store.
 */
export const countingReads = (inner: EventStore): { readonly store: EventStore; readonly reads: string[] } => {
  const reads: string[] = [];
  const store = Object.assign(Object.create(inner) as EventStore, {
    readStream: (streamId: string, options?: ReadStreamOptions) => {
      reads.push(streamId);
      return inner.readStream(streamId, options);
    },
  });
  return { store, reads };
};
