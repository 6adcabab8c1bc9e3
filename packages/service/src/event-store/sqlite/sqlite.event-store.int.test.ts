import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractEvent } from '../event-store.contract';
import { EventStoreUnavailableError, type StoredEvent } from '../event-store.port';
import { SqliteEventStore } from './sqlite.event-store';

describe('SqliteEventStore specifics', () => {
  let dir: string;
  let file: string;
  const open: SqliteEventStore[] = [];
  const openStore = (options = {}): SqliteEventStore => {
    const store = SqliteEventStore.open(file, options);
    open.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-sqlite-'));
    file = join(dir, 'nested', 'events.sqlite');
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with full fsync so an acknowledged append is durable', () => {
    const store = openStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 = FULL
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('keeps every acknowledged append across a reopen of the file', async () => {
    const first = openStore();
    await first.appendToStream('ticket-1', [contractEvent('A', { a: 1 })], 'no-stream');
    await first.appendToStream('ticket-1', [contractEvent('B', { b: 2 })], 0n);
    await first.close();
    const second = openStore();
    expect((await second.readStream('ticket-1')).map((e) => e.type)).toEqual(['A', 'B']);
    expect(await second.headPosition()).toEqual({ commit: 2n, prepare: 2n });
  });

  it('shows a live subscription the appends made through another connection (another process)', async () => {
    const reader = openStore({ pollMs: 30 });
    const writer = openStore();
    const seen: StoredEvent[] = [];
    const subscription = reader.subscribeToAll({ onEvent: (e) => void seen.push(e) });
    await writer.appendToStream('ticket-x', [contractEvent('FromElsewhere', {})], 'no-stream');
    const deadline = Date.now() + 5_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.stop();
    expect(seen.map((e) => e.type)).toEqual(['FromElsewhere']);
  });

  describe('what was just appended or read is kept in memory, and never hides an append made elsewhere', () => {
    type Spied = { statements: Record<'streamFrom' | 'allAfter', { all: (...args: unknown[]) => unknown }> };
    /** Counts the reads of the file a statement makes. */
    const countReads = (store: SqliteEventStore, name: 'streamFrom' | 'allAfter'): { count: number } => {
      const statement = (store as unknown as Spied).statements[name];
      const all = statement.all.bind(statement);
      const counter = { count: 0 };
      statement.all = (...args: unknown[]) => (counter.count++, all(...args));
      return counter;
    };

    it('reads a stream it appended from memory, and the file again once another connection has appended to it', async () => {
      const here = openStore();
      const elsewhere = openStore();
      const reads = countReads(here, 'streamFrom');
      await here.appendToStream('ticket-m', [contractEvent('Opened', { n: 1 })], 'no-stream');
      await here.appendToStream('ticket-m', [contractEvent('Typed', { n: 2 })], 0n);
      const kept = await here.readStream('ticket-m');
      expect(kept.map((e) => [e.type, e.revision, e.data])).toEqual([
        ['Opened', 0n, { n: 1 }],
        ['Typed', 1n, { n: 2 }],
      ]);
      expect(reads.count).toBe(0);
      // Shared with later readers, so frozen all the way down; each answer is an array of its own.
      expect(Object.isFrozen(kept[0]!.data)).toBe(true);
      expect(await here.readStream('ticket-m')).not.toBe(kept);
      await elsewhere.appendToStream('ticket-m', [contractEvent('Queued', { n: 3 })], 1n);
      expect((await here.readStream('ticket-m')).map((e) => e.type)).toEqual(['Opened', 'Typed', 'Queued']);
      expect(reads.count).toBe(1);
      // What it just read from the file is kept too.
      expect((await here.readStream('ticket-m')).map((e) => e.type)).toEqual(['Opened', 'Typed', 'Queued']);
      expect(reads.count).toBe(1);
      // Partial and backward reads go to the file, as before.
      expect((await here.readStream('ticket-m', { direction: 'backwards', maxCount: 1 })).map((e) => e.type)).toEqual(['Queued']);
    });

    it('delivers to a subscription every event in position order when appends from two connections interleave, without waiting for a poll', async () => {
      const here = openStore({ pollMs: 60_000 });
      const elsewhere = openStore();
      const reads = countReads(here, 'allAfter');
      await here.appendToStream('ticket-1', [contractEvent('H1', {})], 'no-stream');
      await elsewhere.appendToStream('ticket-2', [contractEvent('E2', {})], 'no-stream');
      await elsewhere.appendToStream('ticket-3', [contractEvent('E3', {})], 'no-stream');
      await here.appendToStream('ticket-4', [contractEvent('H4', {}), contractEvent('H5', {})], 'no-stream');
      const seen: StoredEvent[] = [];
      const subscription = here.subscribeToAll({ onEvent: (e) => void seen.push(e) });
      const deadline = Date.now() + 5_000;
      while (seen.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await subscription.stop();
      expect(seen.map((e) => [e.type, e.position.commit])).toEqual([
        ['H1', 1n],
        ['E2', 2n],
        ['E3', 3n],
        ['H4', 4n],
        ['H5', 5n],
      ]);
      // H1 came from memory; the gap sent the next scan to the file, which returned the rest.
      expect(reads.count).toBe(1);
    });
  });

  it('serializes writers on two connections: one wins, the other conflicts', async () => {
    const a = openStore();
    const b = openStore();
    await a.appendToStream('ticket-y', [contractEvent('Opened', {})], 'no-stream');
    const results = await Promise.allSettled([a.appendToStream('ticket-y', [contractEvent('A', {})], 0n), b.appendToStream('ticket-y', [contractEvent('B', {})], 0n)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await a.readStream('ticket-y')).map((e) => e.revision)).toEqual([0n, 1n]);
  });

  it('reports subscriptions filtered past non-matching events through onCheckpoint', async () => {
    const store = openStore({ pageSize: 2 });
    await store.appendToStream('ticket-1', [contractEvent('T', {})], 'no-stream');
    await store.appendToStream('other-1', [contractEvent('X', {}), contractEvent('Y', {}), contractEvent('Z', {})], 'no-stream');
    const checkpoints: bigint[] = [];
    const seen: string[] = [];
    const subscription = store.subscribeToAll({
      streamPrefixes: ['ticket-'],
      onEvent: (e) => void seen.push(e.type),
      onCheckpoint: (p) => void checkpoints.push(p.commit),
    });
    const deadline = Date.now() + 5_000;
    while (!checkpoints.includes(4n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await subscription.stop();
    expect(seen).toEqual(['T']);
    expect(checkpoints).toContain(4n);
  });

  it('delivers a page of events that handlers take at once over several turns of the event loop, not in one', async () => {
    const store = openStore({ pageSize: 500 });
    await store.appendToStream('ticket-1', Array.from({ length: 500 }, (_, i) => contractEvent('T', { i })), 'no-stream');
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    let seen = 0;
    let all!: () => void;
    const done = new Promise<void>((resolve) => (all = resolve));
    const subscription = store.subscribeToAll({
      onEvent: () => {
        if (seen === 0) setImmediate(tick);
        // About 0.1 ms of work per event: 50 ms for the page.
        const until = performance.now() + 0.1;
        while (performance.now() < until);
        if (++seen === 500) all();
      },
    });
    await done;
    ticking = false;
    await subscription.stop();
    // The loop turned about every 4 ms while the page was delivered (one turn would be 50 ms).
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it('refuses an event id that is already stored in another stream', async () => {
    const store = openStore();
    const event = contractEvent('A', {});
    await store.appendToStream('ticket-1', [event], 'no-stream');
    await expect(store.appendToStream('ticket-2', [event], 'no-stream')).rejects.toThrow(/already stored/);
    expect(await store.readStream('ticket-2')).toEqual([]);
  });

  it('turns use of a closed store into EventStoreUnavailableError', async () => {
    const store = openStore();
    await store.close();
    await expect(store.readStream('ticket-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it('fails to open an unusable path with EventStoreUnavailableError', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    expect(() => SqliteEventStore.open(join(blocker, 'events.sqlite'))).toThrow(EventStoreUnavailableError);
  });
});
