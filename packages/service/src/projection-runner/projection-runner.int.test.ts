import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelStore } from '../checkpoints/read-model.store';
import { contractEvent } from '../event-store/event-store.contract';
import type { StoredEvent } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { ProjectionRunner, ProjectionTimeoutError, type RunnableProjection } from './projection-runner';

/** Toy model: every folded event id in order (so a repeat or a skip shows) and a running total. */
interface Tally {
  readonly total: number;
  readonly folded: readonly string[];
  readonly lastRecordedAt: string | null;
}

const tally = (version = 1): RunnableProjection<Tally, { n: number }> => ({
  name: 'tally',
  version,
  initialState: () => ({ total: 0, folded: [], lastRecordedAt: null }),
  evolve: (model, event, envelope) => ({ total: model.total + event.n, folded: [...model.folded, envelope.eventId], lastRecordedAt: envelope.recordedAt }),
  serialize: (model) => JSON.stringify(model),
  deserialize: (json) => JSON.parse(json) as Tally,
});

const decode = (stored: StoredEvent): { n: number } | undefined => (stored.type === 'Counted' ? (stored.data as { n: number }) : undefined);

describe('ProjectionRunner on SQLite', () => {
  let dir: string;
  let file: string;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-runner-'));
    file = join(dir, 'service.sqlite');
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const openStore = (): SqliteEventStore => {
    const store = SqliteEventStore.open(file, { pollMs: 20, pageSize: 7 });
    cleanups.push(() => store.close());
    return store;
  };
  const runnerOn = (
    store: SqliteEventStore,
    options: { flushEvery?: number; flushBytesPerEvent?: number; flushIdleMs?: number; version?: number; streamPrefixes?: string[] } = {},
  ): ProjectionRunner<Tally, { n: number }> => {
    const runner = new ProjectionRunner({
      store,
      readModels: new SqliteReadModelStore(store.db),
      projection: tally(options.version),
      decode,
      flushEvery: options.flushEvery ?? 1000,
      flushBytesPerEvent: options.flushBytesPerEvent,
      flushIdleMs: options.flushIdleMs ?? 10_000,
      streamPrefixes: options.streamPrefixes,
    });
    cleanups.push(() => runner.stop({ flush: false }));
    return runner;
  };
  const appendCounts = async (store: SqliteEventStore, streamId: string, values: number[]): Promise<StoredEvent> => {
    const head = (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];
    const result = await store.appendToStream(
      streamId,
      values.map((n) => contractEvent('Counted', { n })),
      head ? head.revision : 'no-stream',
    );
    return (await store.readAll({ after: { commit: result.position.commit - 1n, prepare: result.position.prepare - 1n }, maxCount: 1 }))[0]!;
  };
  const fullRebuild = async (store: SqliteEventStore): Promise<Tally> => {
    const projection = tally();
    let model = projection.initialState();
    for (const e of await store.readAll()) {
      const event = decode(e);
      if (event) model = projection.evolve(model, event, { eventId: e.id, streamId: e.streamId, revision: e.revision, globalPosition: e.position, ...e.metadata });
    }
    return model;
  };

  it('folds the log, waits for a written position, and persists model and checkpoint together', async () => {
    const store = openStore();
    await appendCounts(store, 'ticket-1', [1, 2, 3]);
    const runner = runnerOn(store, { flushIdleMs: 20 });
    await runner.start();
    const last = await appendCounts(store, 'ticket-2', [10]);
    await runner.waitForPosition(last.position, 5_000);
    expect(runner.model.total).toBe(16);
    expect(await runner.lag()).toBe(0n);
    const deadline = Date.now() + 5_000;
    while (runner.persistedPosition?.commit !== last.position.commit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const row = new SqliteReadModelStore(store.db).load('tally');
    expect(row?.position).toEqual(last.position);
    expect((JSON.parse(row!.state) as Tally).total).toBe(16);
  });

  it('after a crash that lost unflushed work, resumes from the checkpoint to the same model as a full rebuild', async () => {
    const first = openStore();
    const runner = runnerOn(first, { flushEvery: 3 });
    await runner.start();
    let last: StoredEvent | undefined;
    for (let i = 0; i < 10; i++) last = await appendCounts(first, `ticket-${i % 3}`, [i, 100 + i]);
    await runner.waitForPosition(last!.position, 5_000);
    // Persisted every 3 events, so the row trails the model: exactly what a crash would leave.
    expect(runner.persistedPosition!.commit).toBeLessThan(runner.position!.commit);
    expect(runner.persistedPosition!.commit % 3n).toBe(0n);
    await runner.stop({ flush: false });
    first.db.close(); // crash: the connection goes away without a flush

    const second = openStore();
    for (let i = 10; i < 13; i++) last = await appendCounts(second, `ticket-${i % 3}`, [i]);
    const resumed = runnerOn(second, { flushEvery: 4 });
    await resumed.start();
    await resumed.waitForPosition(last!.position, 5_000);
    const expected = await fullRebuild(second);
    expect(resumed.model).toEqual(expected);
    expect(new Set(resumed.model.folded).size).toBe(23);

    await resumed.rebuild();
    await resumed.waitForPosition(last!.position, 5_000);
    expect(resumed.model).toEqual(expected);
  });

  it('with flushBytesPerEvent, a larger model waits for proportionally more events before its next checkpoint', async () => {
    const store = openStore();
    const runner = runnerOn(store, { flushEvery: 2, flushBytesPerEvent: 40 });
    await runner.start();
    const checkpoints: bigint[] = [];
    let last: StoredEvent | undefined;
    for (let i = 0; i < 60; i++) {
      last = await appendCounts(store, 'ticket-1', [i]);
      await runner.waitForPosition(last.position, 5_000);
      const persisted = runner.persistedPosition?.commit;
      if (persisted !== undefined && persisted !== checkpoints[checkpoints.length - 1]) checkpoints.push(persisted);
    }
    // The tally's JSON lists every folded event id, so it grows by ~40 bytes per event: each
    // checkpoint waits for about a 40th of the model's size in events (about as many events as
    // are already in it), and never fewer than 2.
    const gaps = checkpoints.slice(1).map((c, i) => Number(c - checkpoints[i]!));
    expect(checkpoints[0]).toBe(2n);
    expect(gaps.length).toBeGreaterThan(2);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
    const row = new SqliteReadModelStore(store.db).load('tally')!;
    expect(Number(last!.position.commit - row.position!.commit)).toBeLessThan(Math.ceil(row.state.length / 40));
  });

  it('the idle checkpoint waits until events stop arriving', async () => {
    const store = openStore();
    const runner = runnerOn(store, { flushIdleMs: 150 });
    await runner.start();
    let last: StoredEvent | undefined;
    const started = Date.now();
    // An event every 20 ms for 0.6 s: never 150 ms without one, so no checkpoint yet.
    while (Date.now() - started < 600) {
      last = await appendCounts(store, 'ticket-1', [1]);
      await new Promise((r) => setTimeout(r, 20));
    }
    await runner.waitForPosition(last!.position, 5_000);
    expect(runner.persistedPosition).toBeUndefined();
    const deadline = Date.now() + 5_000;
    while (runner.persistedPosition === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(runner.persistedPosition).toEqual(last!.position);
  });

  it('rebuilds from zero when the projection version changed', async () => {
    const store = openStore();
    await appendCounts(store, 'ticket-1', [5, 6]);
    const readModels = new SqliteReadModelStore(store.db);
    readModels.save({ name: 'tally', version: 0, state: JSON.stringify({ total: 999, folded: [], lastRecordedAt: null }), position: { commit: 2n, prepare: 2n } });
    const runner = runnerOn(store, { version: 1 });
    await runner.start();
    await runner.waitForPosition({ commit: 2n, prepare: 2n }, 5_000);
    expect(runner.model.total).toBe(11);
  });

  it('moves its checkpoint past events of other streams so waits for them end', async () => {
    const store = openStore();
    const runner = runnerOn(store, { streamPrefixes: ['ticket-'], flushIdleMs: 10 });
    await runner.start();
    await appendCounts(store, 'ticket-1', [1]);
    const unrelated = await appendCounts(store, 'mailer-1', [50]);
    await runner.waitForPosition(unrelated.position, 5_000);
    expect(runner.model.total).toBe(1);
    expect(runner.position).toEqual(unrelated.position);
  });

  it('reports lag while stopped and times out a wait it cannot satisfy', async () => {
    const store = openStore();
    await appendCounts(store, 'ticket-1', [1, 1, 1]);
    const runner = runnerOn(store);
    expect(await runner.lag()).toBe(3n);
    await runner.start();
    await expect(runner.waitForPosition({ commit: 99n, prepare: 99n }, 50)).rejects.toBeInstanceOf(ProjectionTimeoutError);
  });

  it('stops with status failed on an event it cannot fold, and keeps the model before it', async () => {
    const store = openStore();
    await appendCounts(store, 'ticket-1', [1]);
    const errors: string[] = [];
    const runner = new ProjectionRunner({
      store,
      readModels: new SqliteReadModelStore(store.db),
      projection: { ...tally(), evolve: (m, e, env) => (e.n < 0 ? (() => { throw new Error('negative'); })() : tally().evolve(m, e, env)) },
      decode,
      onError: (error, { fatal }) => void errors.push(`${fatal}:${error.message}`),
    });
    cleanups.push(() => runner.stop({ flush: false }));
    await runner.start();
    const bad = await appendCounts(store, 'ticket-1', [-1]);
    await expect(runner.waitForPosition(bad.position, 5_000)).rejects.toThrow(/negative/);
    expect(runner.status).toBe('failed');
    expect(runner.model.total).toBe(1);
    expect(errors).toEqual(['true:negative']);
  });
});
