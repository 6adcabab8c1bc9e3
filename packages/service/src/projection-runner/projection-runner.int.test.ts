import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelopeOf } from '@support-sla/projections';
import { SqliteReadModelStore, type ReadModelStore } from '../checkpoints/read-model.store';
import { contractEvent } from '../event-store/event-store.contract';
import type { GlobalPosition, StoredEvent } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { until } from '../testing/http';
import { ProjectionFailedError, ProjectionRunner, ProjectionTimeoutError, type RunnableProjection } from './projection-runner';

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

/** The same tally, also serialized in chunks (of 5 characters): the runner then checkpoints in slices. */
const tallyInSlices = (version = 1): RunnableProjection<Tally, { n: number }> => ({
  ...tally(version),
  serializeChunks: function* (model) {
    const json = JSON.stringify(model);
    for (let at = 0; at < json.length; at += 5) yield json.slice(at, at + 5);
  },
});

/** Per test: a temporary directory with one SQLite file, the stores opened on it, and cleanups (run last first). */
function sqliteWorkspace(prefix: string): { readonly cleanups: (() => Promise<void>)[]; openStore(): SqliteEventStore } {
  let dir = '';
  const cleanups: (() => Promise<void>)[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    cleanups,
    openStore: () => {
      const store = SqliteEventStore.open(join(dir, 'service.sqlite'), { pollMs: 20, pageSize: 7 });
      cleanups.push(() => store.close());
      return store;
    },
  };
}

const decode = (stored: StoredEvent): { n: number } | undefined => (stored.type === 'Counted' ? (stored.data as { n: number }) : undefined);

describe.each([
  ['written at once', tally],
  ['written in slices', tallyInSlices],
])('ProjectionRunner on SQLite (checkpoints %s)', (_, tally) => {
  const { cleanups, openStore } = sqliteWorkspace('support-sla-runner-');
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
    expect(runner.lastModel.total).toBe(1);
    // The model is not served once it is wrong: readers get the failure (the service answers 503).
    expect(() => runner.model).toThrow(ProjectionFailedError);
    expect(errors).toEqual(['true:negative']);
  });
});

/** A model updated in place, as the read models are: each event adds `n` rows of about 100 characters. */
interface Ledger {
  readonly rows: string[];
  readonly events: string[];
}

const PAD = 'x'.repeat(80);
const ledger = (): RunnableProjection<Ledger, { n: number }> => ({
  name: 'ledger',
  version: 1,
  initialState: () => ({ rows: [], events: [] }),
  evolve: (model, event, envelope) => {
    for (let i = 0; i < event.n; i++) model.rows.push(`${envelope.eventId}/${i}/${PAD}`);
    model.events.push(envelope.eventId);
    return model;
  },
  serialize: (model) => JSON.stringify(model),
  serializeChunks: function* (model) {
    yield '{"rows":[';
    for (let i = 0; i < model.rows.length; i++) yield (i === 0 ? '' : ',') + JSON.stringify(model.rows[i]);
    yield `],"events":${JSON.stringify(model.events)}}`;
  },
  deserialize: (json) => JSON.parse(json) as Ledger,
});

/** The ledger again, with pieces of a snapshot: the runner goes on folding while they are written. */
const ledgerSnapshots = (): RunnableProjection<Ledger, { n: number }> => {
  const { serializeChunks, ...rest } = ledger();
  return {
    ...rest,
    // The rows are only ever appended to, so how many there are now is the snapshot.
    serializeSnapshot: (model) => serializeChunks!({ rows: model.rows.slice(), events: model.events.slice() }),
  };
};

/** Hooks into the chunked writes of a store, to watch a checkpoint in progress or crash in the middle of one. */
interface WriteHooks {
  beforeWrite?: (snapshot: number, write: number) => Promise<void> | void;
  committed?: (snapshot: number, writes: number) => void;
}

const watched = (inner: ReadModelStore, hooks: WriteHooks): ReadModelStore => {
  let snapshots = 0;
  return {
    load: (name) => inner.load(name),
    save: (model) => inner.save(model),
    remove: (name) => inner.remove(name),
    begin: (name) => {
      const snapshot = ++snapshots;
      const writer = inner.begin(name);
      let writes = 0;
      return {
        write: async (text) => {
          await hooks.beforeWrite?.(snapshot, ++writes);
          await writer.write(text);
        },
        commit: async (header) => {
          await writer.commit(header);
          hooks.committed?.(snapshot, writes);
        },
      };
    },
  };
};

const sha = (text: string): string => `${text.length} chars, sha256 ${createHash('sha256').update(text).digest('hex')}`;

describe('ProjectionRunner checkpoints of a large model, in slices', () => {
  const { cleanups, openStore } = sqliteWorkspace('support-sla-slices-');
  const runnerOn = (
    store: SqliteEventStore,
    readModels: ReadModelStore,
    flushEvery: number,
    errors: string[] = [],
    projection: RunnableProjection<Ledger, { n: number }> = ledger(),
  ): ProjectionRunner<Ledger, { n: number }> => {
    const runner = new ProjectionRunner({
      store,
      readModels,
      projection,
      decode,
      flushEvery,
      flushIdleMs: 60_000,
      onError: (error) => void errors.push(error.message),
    });
    cleanups.push(() => runner.stop({ flush: false }));
    return runner;
  };
  /** Appends one event per value (each in its own append), returning their positions. */
  const append = async (store: SqliteEventStore, values: number[]): Promise<GlobalPosition[]> => {
    const positions: GlobalPosition[] = [];
    for (const n of values) positions.push((await store.appendToStream(`ledger-${positions.length}-${n}-${Math.random()}`, [contractEvent('Counted', { n })], 'no-stream')).position);
    return positions;
  };
  /** The ledger folded from the log, up to and including `upTo`. */
  const foldedUpTo = async (store: SqliteEventStore, upTo?: GlobalPosition): Promise<string> => {
    const projection = ledger();
    let model = projection.initialState();
    for (const e of await store.readAll()) {
      if (upTo !== undefined && e.position.commit > upTo.commit) break;
      const event = decode(e);
      if (event) model = projection.evolve(model, event, envelopeOf(e));
    }
    return projection.serialize(model);
  };
  const chunkRows = (store: SqliteEventStore): Record<number, number> =>
    Object.fromEntries(
      store.db
        .prepare<[], { snapshot: number; n: number }>("SELECT snapshot, count(*) AS n FROM read_model_chunks WHERE name = 'ledger' GROUP BY snapshot")
        .all()
        .map((r) => [r.snapshot, r.n]),
    );

  it('writes the checkpoint in many chunks while the event loop keeps turning, and stores the model as of its position', async () => {
    const store = openStore();
    // 20 events × 3,000 rows: a model of about 6 MB.
    const positions = await append(store, Array<number>(20).fill(3_000));
    let ticking = false;
    let ticks = 0;
    let longestGapMs = 0;
    let last = performance.now();
    const tick = (): void => {
      if (!ticking) return;
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
      ticks += 1;
      setImmediate(tick);
    };
    let writes = 0;
    const readModels = watched(new SqliteReadModelStore(store.db), {
      beforeWrite: (_, write) => {
        if (write === 1) {
          ticking = true;
          last = performance.now();
          setImmediate(tick);
        }
      },
      committed: (_, n) => {
        ticking = false;
        writes = n;
      },
    });
    const runner = runnerOn(store, readModels, 20);
    await runner.start();
    await until('the checkpoint', () => runner.persistedPosition !== undefined, 20_000);

    expect(runner.persistedPosition).toEqual(positions[19]);
    const stored = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(stored.position).toEqual(positions[19]);
    expect(stored.state.length).toBeGreaterThan(6_000_000);
    expect(sha(stored.state)).toBe(sha(ledger().serialize(runner.model)));
    expect(sha(stored.state)).toBe(sha(await foldedUpTo(store)));
    // About 6 MB in chunks of at most 256 Ki characters, written in as many turns of the loop.
    expect(writes).toBeGreaterThanOrEqual(23);
    expect(Object.values(chunkRows(store))).toEqual([writes]);
    expect(ticks).toBeGreaterThanOrEqual(writes);
    process.stdout.write(`sliced checkpoint of ${(stored.state.length / 1e6).toFixed(1)} MB: ${writes} chunks, ${ticks} loop turns, longest turn ${longestGapMs.toFixed(1)} ms\n`);
  });

  it('events that arrive during a checkpoint wait for it, then are folded once each', async () => {
    const store = openStore();
    const first = await append(store, Array<number>(20).fill(3_000));
    let during: GlobalPosition[] = [];
    let foldedDuring = -1;
    const readModels = watched(new SqliteReadModelStore(store.db), {
      beforeWrite: async (snapshot, write) => {
        if (snapshot !== 1 || write !== 3) return;
        during = await append(store, [1, 2, 3, 4, 5]);
        // Long enough for the subscription (polling every 20 ms) to have offered them to the runner.
        await new Promise((r) => setTimeout(r, 100));
        foldedDuring = runner.model.events.length;
      },
    });
    const runner = runnerOn(store, readModels, 20);
    await runner.start();
    await until('the first checkpoint', () => runner.persistedPosition !== undefined, 20_000);
    expect(during).toHaveLength(5);
    expect(foldedDuring).toBe(20);
    // The stored model is the one as of its own position, without the events that arrived meanwhile.
    const stored = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(stored.position).toEqual(first[19]);
    expect(sha(stored.state)).toBe(sha(await foldedUpTo(store, first[19])));

    await runner.waitForPosition(during[4]!, 5_000);
    expect(runner.model.events).toHaveLength(25);
    expect(new Set(runner.model.events).size).toBe(25);
    expect(runner.model.rows).toHaveLength(20 * 3_000 + 15);
    expect(sha(ledger().serialize(runner.model))).toBe(sha(await foldedUpTo(store)));
    await runner.stop();
    const final = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(final.position).toEqual(during[4]);
    expect(sha(final.state)).toBe(sha(await foldedUpTo(store)));
  });

  it('with snapshots, events that arrive during a checkpoint are folded at once; it stores the model as of its own position', async () => {
    const store = openStore();
    const first = await append(store, Array<number>(20).fill(3_000));
    let during: GlobalPosition[] = [];
    let foldedDuring = -1;
    let writes = 0;
    const readModels = watched(new SqliteReadModelStore(store.db), {
      beforeWrite: async (snapshot, write) => {
        if (snapshot !== 1 || write !== 3) return;
        during = await append(store, [1, 2, 3, 4, 5]);
        await runner.waitForPosition(during[4]!, 5_000);
        foldedDuring = runner.model.events.length;
      },
      committed: (snapshot, n) => {
        if (snapshot === 1) writes = n;
      },
    });
    const runner = runnerOn(store, readModels, 20, [], ledgerSnapshots());
    await runner.start();
    await until('the first checkpoint', () => runner.persistedPosition !== undefined, 20_000);
    expect(during).toHaveLength(5);
    // Folded while the checkpoint was being written, not after it.
    expect(foldedDuring).toBe(25);
    expect(writes).toBeGreaterThan(3);
    const stored = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(stored.position).toEqual(first[19]);
    expect(runner.persistedPosition).toEqual(first[19]);
    expect(sha(stored.state)).toBe(sha(await foldedUpTo(store, first[19])));
    // The five events folded meanwhile are not saved yet: the next checkpoint (or the stop) does it.
    expect(runner.position).toEqual(during[4]);
    await runner.stop();
    const final = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(final.position).toEqual(during[4]);
    expect(sha(final.state)).toBe(sha(await foldedUpTo(store)));
  });

  it('with snapshots, stop() in the middle of a checkpoint does not wait for it: it stores the model at once', async () => {
    const store = openStore();
    const positions = await append(store, Array<number>(20).fill(3_000));
    let stopping: Promise<void> | undefined;
    let committed = false;
    const runner: ProjectionRunner<Ledger, { n: number }> = runnerOn(
      store,
      watched(new SqliteReadModelStore(store.db), {
        beforeWrite: (_, write) => {
          if (write === 3) stopping = runner.stop();
        },
        committed: () => void (committed = true),
      }),
      20,
      [],
      ledgerSnapshots(),
    );
    await runner.start();
    await until('the stop', () => stopping !== undefined, 20_000);
    await stopping;
    expect(runner.status).toBe('stopped');
    expect(committed).toBe(false);
    expect(runner.persistedPosition).toEqual(positions[19]);
    const stored = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(stored.position).toEqual(positions[19]);
    expect(sha(stored.state)).toBe(sha(await foldedUpTo(store)));
  });

  it('stop() in the middle of a checkpoint lets it finish; stop({ flush: false }) abandons it', async () => {
    const store = openStore();
    const positions = await append(store, Array<number>(20).fill(3_000));
    let stopping: Promise<void> | undefined;
    let writes = 0;
    const runner: ProjectionRunner<Ledger, { n: number }> = runnerOn(
      store,
      watched(new SqliteReadModelStore(store.db), {
        beforeWrite: (_, write) => {
          if (write === 3) stopping = runner.stop();
        },
        committed: (_, n) => void (writes = n),
      }),
      20,
    );
    await runner.start();
    await until('the stop', () => stopping !== undefined, 20_000);
    await stopping;
    expect(runner.status).toBe('stopped');
    expect(writes).toBeGreaterThan(3);
    expect(runner.persistedPosition).toEqual(positions[19]);
    const stored = new SqliteReadModelStore(store.db).load('ledger')!;
    expect(stored.position).toEqual(positions[19]);
    expect(sha(stored.state)).toBe(sha(await foldedUpTo(store)));
    expect(Object.values(chunkRows(store))).toEqual([writes]);

    const more = await append(store, Array<number>(20).fill(3_000));
    let abandoning: Promise<void> | undefined;
    let committed = false;
    const second: ProjectionRunner<Ledger, { n: number }> = runnerOn(
      store,
      watched(new SqliteReadModelStore(store.db), {
        beforeWrite: (_, write) => {
          if (write === 3) abandoning = second.stop({ flush: false });
        },
        committed: () => void (committed = true),
      }),
      20,
    );
    await second.start();
    await until('the stop', () => abandoning !== undefined, 20_000);
    await abandoning;
    expect(second.position).toEqual(more[19]);
    expect(committed).toBe(false);
    expect(second.persistedPosition).toEqual(positions[19]);
    expect(new SqliteReadModelStore(store.db).load('ledger')?.position).toEqual(positions[19]);
    // The abandoned snapshot's chunks stay behind until the next commit deletes them.
    expect(Object.values(chunkRows(store))).toEqual([writes, 3]);
  });

  it('a crash in the middle of a checkpoint leaves the previous one, and resuming from it equals a full rebuild', async () => {
    const first = openStore();
    const before = await append(first, Array<number>(20).fill(3_000));
    const errors: string[] = [];
    const readModels = watched(new SqliteReadModelStore(first.db), {
      beforeWrite: (snapshot, write) => {
        if (snapshot === 2 && write === 5) first.db.close(); // crash: the process dies mid-checkpoint
      },
    });
    const runner = runnerOn(first, readModels, 20, errors);
    await runner.start();
    await until('the first checkpoint', () => runner.persistedPosition !== undefined, 20_000);
    expect(runner.persistedPosition).toEqual(before[19]);
    await append(first, Array<number>(20).fill(3_000));
    await until('the crash', () => errors.length > 0, 20_000);
    await runner.stop({ flush: false });
    expect(runner.persistedPosition).toEqual(before[19]);

    const second = openStore();
    // The second snapshot's first chunks were written, but it never became the model.
    const leftovers = chunkRows(second);
    expect(Object.keys(leftovers)).toHaveLength(2);
    expect(Object.values(leftovers)[1]).toBe(4);
    const stored = new SqliteReadModelStore(second.db).load('ledger')!;
    expect(stored.position).toEqual(before[19]);
    expect(sha(stored.state)).toBe(sha(await foldedUpTo(second, before[19])));

    const after = await append(second, [7, 8, 9]);
    const resumed = runnerOn(second, new SqliteReadModelStore(second.db), 20);
    await resumed.start();
    expect(resumed.persistedPosition).toEqual(before[19]);
    await resumed.waitForPosition(after[2]!, 10_000);
    expect(resumed.model.events).toHaveLength(43);
    expect(new Set(resumed.model.events).size).toBe(43);
    expect(sha(ledger().serialize(resumed.model))).toBe(sha(await foldedUpTo(second)));
    // Its first checkpoint (after 20 events) discarded both the previous snapshot and the leftovers.
    await until('a checkpoint after resuming', () => resumed.persistedPosition !== undefined && resumed.persistedPosition.commit > before[19]!.commit, 20_000);
    expect(Object.keys(chunkRows(second))).toEqual([String(Math.max(...Object.keys(leftovers).map(Number)) + 1)]);
  });
});

describe('ProjectionRunner followers', () => {
  const { cleanups, openStore } = sqliteWorkspace('support-sla-followers-');

  /** A follower that records what it is handed and "stores" it at each flush, as the mailer does. */
  const recorder = (start?: GlobalPosition) => {
    const handed: { id: string; n: number; learnt: number; total: number }[] = [];
    const stored: string[] = [];
    let position = start;
    let pending: { id: string; position: GlobalPosition }[] = [];
    return {
      handed,
      stored,
      follower: {
        name: 'recorder',
        position: () => position,
        folded: (event: StoredEvent, payload: { n: number }, learnt: number, model: Tally) => {
          handed.push({ id: event.id, n: payload.n, learnt, total: model.total });
          pending.push({ id: event.id, position: event.position });
        },
        flush: () => {
          for (const p of pending) {
            stored.push(p.id);
            position = p.position;
          }
          pending = [];
        },
      },
    };
  };

  const runnerWith = (store: SqliteEventStore, readModels: ReadModelStore, follower: ReturnType<typeof recorder>['follower']) => {
    const runner = new ProjectionRunner<Tally, { n: number }, number>({
      store,
      readModels,
      projection: tally(),
      decode,
      // What the fold learnt: the total before this event.
      evolveLearning: (model, event, envelope) => ({ model: tally().evolve(model, event, envelope), learnt: model.total }),
      flushEvery: 3,
      flushIdleMs: 10_000,
    });
    runner.follow(follower);
    cleanups.push(() => runner.stop({ flush: false }));
    return runner;
  };

  const append = async (store: SqliteEventStore, values: number[]): Promise<void> => {
    for (const n of values) await store.appendToStream(`ledger-${n}-${Math.random()}`, [contractEvent('Counted', { n })], 'no-stream');
  };

  it('hands each folded event once, with what the fold learnt and the model as of it, and flushes before each checkpoint', async () => {
    const store = openStore();
    const readModels = new SqliteReadModelStore(store.db);
    await append(store, [1, 2, 3, 4, 5, 6, 7]);
    const { handed, stored, follower } = recorder();
    const runner = runnerWith(store, readModels, follower);
    await runner.start();
    await until('folded', () => runner.model.total === 28, 10_000);
    expect(handed.map((h) => [h.n, h.learnt, h.total])).toEqual([
      [1, 0, 1],
      [2, 1, 3],
      [3, 3, 6],
      [4, 6, 10],
      [5, 10, 15],
      [6, 15, 21],
      [7, 21, 28],
    ]);
    // A stored model is never ahead of what the follower stored.
    await until('a checkpoint', () => runner.persistedPosition !== undefined, 10_000);
    const persisted = readModels.load('tally')!.position!;
    expect(stored.length).toBeGreaterThanOrEqual(JSON.parse(readModels.load('tally')!.state).folded.length);
    expect(persisted.commit).toBeLessThanOrEqual(follower.position()!.commit);
    await runner.stop();
    expect(stored).toEqual(handed.map((h) => h.id));
  });

  it('folds the log again from the start when a follower is behind the stored model, and skips nothing for it', async () => {
    const store = openStore();
    const readModels = new SqliteReadModelStore(store.db);
    await append(store, [1, 2, 3, 4]);
    const first = runnerWith(store, readModels, recorder().follower);
    await first.start();
    await until('folded', () => first.model.total === 10, 10_000);
    await first.stop();
    // A new follower (a new mail file): it has seen nothing of what the stored model holds.
    const late = recorder();
    const second = runnerWith(store, readModels, late.follower);
    await second.start();
    await until('folded again', () => second.model.total === 10, 10_000);
    expect(late.handed.map((h) => [h.n, h.total])).toEqual([
      [1, 1],
      [2, 3],
      [3, 6],
      [4, 10],
    ]);
    await second.stop();
    // A follower level with the stored model: the model resumes, nothing is handed twice.
    const level = recorder(late.follower.position());
    const third = runnerWith(store, readModels, level.follower);
    await third.start();
    await append(store, [5]);
    await until('the new event', () => third.model.total === 15, 10_000);
    expect(level.handed.map((h) => [h.n, h.learnt])).toEqual([[5, 10]]);
  });
});
