import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelStore, InMemoryReadModelStore } from '../checkpoints/read-model.store';
import { contractEvent } from '../event-store/event-store.contract';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from '../event-store/esdb/esdb-test-server.loader';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { ProjectionRunner, type RunnableProjection } from './projection-runner';

/**
 * Events of streams a runner passes over (the lease on sending renews every 3 s in its own
 * stream): they move its position, but they do not make it write the whole model each time, and
 * they do not count as lag where a filtered subscription reports them late (EventStoreDB).
 */
const total: RunnableProjection<number, { n: number }> = {
  name: 'total',
  version: 1,
  initialState: () => 0,
  evolve: (model, event) => model + event.n,
  serialize: (model) => JSON.stringify(model),
  deserialize: (json) => JSON.parse(json) as number,
};
const decode = (stored: StoredEvent): { n: number } | undefined => (stored.type === 'Counted' ? (stored.data as { n: number }) : undefined);

const append = async (store: EventStore, streamId: string, n: number) => {
  const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  return store.appendToStream(streamId, [contractEvent('Counted', { n })], last === undefined ? 'no-stream' : last.revision);
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('on SQLite: positions passed over move the runner without a model write each; a stop stores the last', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'support-sla-passed-'));
  const store = SqliteEventStore.open(join(dir, 'service.sqlite'), { pollMs: 20 });
  const readModels = new SqliteReadModelStore(store.db);
  const saves: unknown[] = [];
  const counting = new Proxy(readModels, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'save' || property === 'begin') return (...args: unknown[]) => (saves.push(property), (value as (...a: unknown[]) => unknown).apply(target, args));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  const runner = new ProjectionRunner({ store, readModels: counting, projection: total, decode, flushIdleMs: 10, streamPrefixes: ['ticket-'] });
  try {
    await runner.start();
    const folded = await append(store, 'ticket-1', 5);
    await runner.waitForPosition(folded.position, 5_000);
    await sleep(100);
    expect(runner.persistedPosition).toEqual(folded.position);
    const savesBefore = saves.length;
    let last = folded;
    for (let i = 0; i < 5; i++) {
      last = await append(store, 'lease-x', 0);
      await runner.waitForPosition(last.position, 5_000);
    }
    await sleep(100);
    expect(runner.position).toEqual(last.position);
    expect(saves.length).toBe(savesBefore);
    expect(runner.persistedPosition).toEqual(folded.position);
    expect(await runner.lag()).toBe(0n);
    await runner.stop();
    expect(runner.persistedPosition).toEqual(last.position);
    expect(readModels.load('total')).toMatchObject({ state: '5', position: last.position });
  } finally {
    await runner.stop({ flush: false });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('on the EventStoreDB test server', () => {
  let server: EsdbTestServerHandle;
  afterEach(async () => {
    await server.stop();
  });

  it('the head is a passed-over event the subscription has not reported yet: no lag while running; lag once an event of its own is left', async () => {
    server = await startEsdbTestServer();
    const store = createEsdbEventStore(server.connectionString);
    const runner = new ProjectionRunner({ store, readModels: new InMemoryReadModelStore(), projection: total, decode, streamPrefixes: ['ticket-'] });
    try {
      await runner.start();
      const folded = await append(store, 'ticket-1', 5);
      await runner.waitForPosition(folded.position, 5_000);
      // Fewer than the 32 records after which the server reports a checkpoint.
      for (let i = 0; i < 3; i++) await append(store, 'lease-x', 0);
      await sleep(200);
      expect(runner.position).toEqual(folded.position);
      expect((await store.headPosition())!.commit).toBeGreaterThan(folded.position.commit);
      expect(await runner.lag()).toBe(0n);
      // Read your writes with the head as minPosition: nothing of its own up to it, so no wait.
      const waited = performance.now();
      await runner.waitForPosition((await store.headPosition())!, 5_000);
      expect(performance.now() - waited).toBeLessThan(2_000);
      await runner.stop();
      await append(store, 'ticket-1', 1);
      expect(await runner.lag()).toBeGreaterThan(0n);
    } finally {
      await runner.stop({ flush: false });
      await store.close();
    }
  });
});
