import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from './event-store.contract';
import { SqliteEventStore } from './sqlite/sqlite.event-store';

describeEventStoreContract('sqlite (temp file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-contract-'));
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'), { pageSize: 3, pollMs: 50 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
