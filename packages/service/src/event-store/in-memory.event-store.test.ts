import { describeEventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory/in-memory.event-store';

describeEventStoreContract('in-memory', async () => {
  const store = new InMemoryEventStore({ pageSize: 3 });
  return { store, cleanup: () => store.close() };
});
