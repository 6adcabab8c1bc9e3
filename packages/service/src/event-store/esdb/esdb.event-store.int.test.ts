import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { EventStoreDBClient, StreamNotFoundError, jsonEvent } from '@eventstore/db-client';
import { EventStoreUnavailableError, WrongExpectedRevisionError, comparePositions } from '../event-store.port';
import { createEsdbEventStore, type EventStoreDbEventStore } from './esdb.event-store';
import { startEsdbTestServer, type EsdbTestServerHandle } from './esdb-test-server.loader';
import { Recorder, newEvent, settle, waitUntil } from './esdb.test-fixtures';

describe('EventStoreDbEventStore on the wire-level test server', () => {
  let server: EsdbTestServerHandle;
  let store: EventStoreDbEventStore;
  let raw: EventStoreDBClient;
  let seq = 0;
  const ticket = (): string => `ticket-${++seq}-${Date.now()}`;

  beforeEach(async () => {
    server = await startEsdbTestServer();
    store = createEsdbEventStore(server.connectionString, { readAllPageSize: 4 });
    raw = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterEach(async () => {
    await store.close();
    await raw.dispose();
    await server.stop();
  });

  it('appends with no-stream, then the read revision, and reads the events back verbatim', async () => {
    const stream = ticket();
    const first = newEvent('TicketOpened', { subject: 'printer', priority: 2 }, { idempotencyKey: 'k-1' });
    const opened = await store.appendToStream(stream, [first], 'no-stream');
    expect(opened.nextExpectedRevision).toBe(0n);
    const second = newEvent('TicketAssigned', { to: 'agent-7' });
    const assigned = await store.appendToStream(stream, [second], 0n);
    expect(assigned.nextExpectedRevision).toBe(1n);
    expect(comparePositions(assigned.position, opened.position)).toBe(1);

    const events = await store.readStream(stream);
    expect(events.map((e) => [e.id, e.type, e.revision, e.streamId])).toEqual([
      [first.id, 'TicketOpened', 0n, stream],
      [second.id, 'TicketAssigned', 1n, stream],
    ]);
    expect(events[0]?.data).toEqual({ subject: 'printer', priority: 2 });
    expect(events[0]?.metadata).toEqual(first.metadata);
    expect(events[0]?.position).toEqual(opened.position);
    expect(events[1]?.position).toEqual(assigned.position);
  });

  it('stores $correlationId and $causationId in the EventStoreDB metadata', async () => {
    const stream = ticket();
    const event = newEvent('TicketOpened', { a: 1 }, { causationId: 'cause-1' });
    await store.appendToStream(stream, [event], 'no-stream');
    const [resolved] = await raw.readStream(stream, { maxCount: 1 }).toArray();
    expect(resolved?.event?.metadata).toMatchObject({
      $correlationId: event.metadata.correlationId,
      $causationId: 'cause-1',
      schemaVersion: 1,
    });
  });

  it('turns a wrong expected revision into WrongExpectedRevisionError with the actual revision', async () => {
    const stream = ticket();
    await store.appendToStream(stream, [newEvent('A', {}), newEvent('B', {})], 'no-stream');
    const exists = store.appendToStream(stream, [newEvent('C', {})], 'no-stream');
    await expect(exists).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(exists).rejects.toMatchObject({ streamId: stream, expected: 'no-stream', actual: 1n });
    await expect(store.appendToStream(stream, [newEvent('C', {})], 0n)).rejects.toMatchObject({ expected: 0n, actual: 1n });
    await expect(store.appendToStream(ticket(), [newEvent('C', {})], 3n)).rejects.toMatchObject({ expected: 3n, actual: 'no-stream' });
  });

  it('makes a retried append with the same event ids a no-op', async () => {
    const stream = ticket();
    const batch = [newEvent('A', {}), newEvent('B', {})];
    const first = await store.appendToStream(stream, batch, 'no-stream');
    const retry = await store.appendToStream(stream, batch, 'no-stream');
    expect(retry).toEqual(first);
    const next = [newEvent('C', {})];
    const third = await store.appendToStream(stream, next, 1n);
    expect(await store.appendToStream(stream, next, 1n)).toEqual(third);
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('reads an unknown stream as empty, and honours direction, start revision and count', async () => {
    expect(await store.readStream(ticket())).toEqual([]);
    const stream = ticket();
    await store.appendToStream(stream, ['A', 'B', 'C', 'D'].map((t) => newEvent(t, {})), 'no-stream');
    const types = async (options: Parameters<EventStoreDbEventStore['readStream']>[1]): Promise<string[]> =>
      (await store.readStream(stream, options)).map((e) => e.type);
    expect(await types({ direction: 'backwards' })).toEqual(['D', 'C', 'B', 'A']);
    expect(await types({ direction: 'backwards', maxCount: 1 })).toEqual(['D']);
    expect(await types({ fromRevision: 2n })).toEqual(['C', 'D']);
    expect(await types({ fromRevision: 2n, direction: 'backwards' })).toEqual(['C', 'B', 'A']);
    expect(await types({ maxCount: 2 })).toEqual(['A', 'B']);
  });

  it('pages through $all after a position, filtered by stream prefix, without system records', async () => {
    const a = ticket();
    await store.appendToStream(a, [newEvent('T1', {}), newEvent('T2', {})], 'no-stream');
    await store.appendToStream('outage-1', [newEvent('O1', {})], 'no-stream');
    await raw.appendToStream('other-1', jsonEvent({ type: 'X', data: {} }));
    await raw.deleteStream('other-1'); // leaves a $metadata record in $$other-1
    await store.appendToStream(a, [newEvent('T3', {}), newEvent('T4', {}), newEvent('T5', {})], 1n);

    const all = await store.readAll();
    expect(all.map((e) => e.type)).toEqual(['T1', 'T2', 'O1', 'T3', 'T4', 'T5']);
    for (let i = 1; i < all.length; i += 1) expect(comparePositions(all[i - 1]!.position, all[i]!.position)).toBe(-1);

    const tickets = await store.readAll({ streamPrefixes: ['ticket-'] });
    expect(tickets.map((e) => e.type)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5']);
    const afterT2 = await store.readAll({ after: tickets[1]!.position, streamPrefixes: ['ticket-', 'outage-'], maxCount: 3 });
    expect(afterT2.map((e) => e.type)).toEqual(['O1', 'T3', 'T4']);
    expect(await store.readAll({ after: tickets[4]!.position })).toEqual([]);
    expect(await store.headPosition()).toEqual(tickets[4]!.position);
  });

  it('reports an empty log as having no head and reads nothing from it', async () => {
    expect(await store.headPosition()).toBeUndefined();
    expect(await store.readAll()).toEqual([]);
  });

  it('catches up, goes live, filters by prefix on the server and reports checkpoints', async () => {
    const stream = ticket();
    await store.appendToStream(stream, [newEvent('T1', {})], 'no-stream');
    // 40 unrelated records: a filtered subscription gets a checkpoint every 32 scanned records.
    for (let i = 0; i < 40; i += 1) await store.appendToStream(`policy-${i}`, [newEvent('P', {})], 'no-stream');
    const recorder = new Recorder().subscribe(store, { streamPrefixes: ['ticket-'] });
    await recorder.waitFor((r) => r.events.length === 1 && r.checkpoints.length >= 1, 'catch-up and a checkpoint');
    await store.appendToStream(stream, [newEvent('T2', {})], 0n);
    await store.appendToStream('policy-x', [newEvent('P', {})], 'no-stream');
    await recorder.waitFor((r) => r.events.length === 2, 'the live event');
    await settle();
    expect(recorder.events.map((e) => e.type)).toEqual(['T1', 'T2']);
    const [checkpoint] = recorder.checkpoints;
    expect(comparePositions(checkpoint!, recorder.events[0]!.position)).toBe(1);
    expect(comparePositions(checkpoint!, recorder.events[1]!.position)).toBe(-1);
    await recorder.stop();
  });

  it('resumes strictly after a stored event position or checkpoint: nothing skipped, nothing repeated', async () => {
    const stream = ticket();
    await store.appendToStream(stream, [newEvent('T1', {}), newEvent('T2', {})], 'no-stream');
    for (let i = 0; i < 35; i += 1) await store.appendToStream(`policy-${i}`, [newEvent('P', {})], 'no-stream');
    await store.appendToStream(stream, [newEvent('T3', {})], 1n);

    const first = new Recorder().subscribe(store, { streamPrefixes: ['ticket-'] });
    await first.waitFor((r) => r.events.length === 3 && r.checkpoints.length >= 1, 'first run');
    await first.stop();

    const fromEvent = new Recorder().subscribe(store, { streamPrefixes: ['ticket-'], after: first.events[0]!.position });
    await fromEvent.waitFor((r) => r.events.length === 2, 'resume after T1');
    const fromCheckpoint = new Recorder().subscribe(store, { streamPrefixes: ['ticket-'], after: first.checkpoints[0]! });
    await fromCheckpoint.waitFor((r) => r.events.length === 1, 'resume after the checkpoint');
    await store.appendToStream(stream, [newEvent('T4', {})], 2n);
    await fromEvent.waitFor((r) => r.events.length === 3, 'live T4');
    await fromCheckpoint.waitFor((r) => r.events.length === 2, 'live T4');
    await settle();
    expect(fromEvent.events.map((e) => e.type)).toEqual(['T2', 'T3', 'T4']);
    expect(fromCheckpoint.events.map((e) => e.type)).toEqual(['T3', 'T4']);
    await fromEvent.stop();
    await fromCheckpoint.stop();
  });

  it('resumes from a stored position past the last event without skipping the next event', async () => {
    const stream = ticket();
    const { position: head } = await store.appendToStream(stream, [newEvent('T1', {})], 'no-stream');
    const pastTheEnd = { commit: head.commit + 10_000n, prepare: head.prepare + 10_000n };
    const recorder = new Recorder().subscribe(store, { streamPrefixes: ['ticket-'], after: pastTheEnd });
    await settle();
    expect(recorder.events).toEqual([]);
    await store.appendToStream(stream, [newEvent('T2', {})], 0n);
    await recorder.waitFor((r) => r.events.length === 1, 'T2');
    await settle();
    expect(recorder.events.map((e) => e.type)).toEqual(['T2']);
    await recorder.stop();
  });

  it('turns a server checkpoint at the end of the log into one that neither skips nor repeats on resume', async () => {
    const quirky = await startEsdbTestServer({ checkpointAtLogEnd: true });
    const quirkyStore = createEsdbEventStore(quirky.connectionString);
    try {
      const stream = ticket();
      await quirkyStore.appendToStream(stream, [newEvent('T1', {})], 'no-stream');
      for (let i = 0; i < 3; i += 1) await quirkyStore.appendToStream(`policy-${i}`, [newEvent('P', {})], 'no-stream');
      const first = new Recorder().subscribe(quirkyStore, { streamPrefixes: ['ticket-'] });
      await first.waitFor((r) => r.events.length === 1 && r.checkpoints.length === 1, 'T1 and the end-of-log checkpoint');
      await first.stop();
      const stored = first.checkpoints[0]!;
      // The server said "end of log" (where the next event goes); the adapter reports the last record instead.
      expect(comparePositions(stored, (await quirkyStore.readAll({ streamPrefixes: ['policy-'] })).at(-1)!.position)).toBe(0);

      await quirkyStore.appendToStream(stream, [newEvent('T2', {})], 0n);
      const resumed = new Recorder().subscribe(quirkyStore, { streamPrefixes: ['ticket-'], after: stored });
      await resumed.waitFor((r) => r.events.length === 1, 'T2 after resume');
      await settle();
      expect(resumed.events.map((e) => e.type)).toEqual(['T2']);
      await resumed.stop();
    } finally {
      await quirkyStore.close();
      await quirky.stop();
    }
  });

  it('never reports a checkpoint ahead of an event it has not yet handed to a slow consumer', async () => {
    const stream = ticket();
    let revision: bigint | 'no-stream' = 'no-stream';
    for (let i = 0; i < 300; i += 1) {
      if (i % 2 === 0) {
        const { nextExpectedRevision } = await store.appendToStream(stream, [newEvent(`T${i}`, {})], revision);
        revision = nextExpectedRevision;
      } else await store.appendToStream(`policy-${i}`, [newEvent('P', {})], 'no-stream');
    }
    const tickets = (await store.readStream(stream)).map((e) => e.position.commit);
    const delivered: bigint[] = [];
    const violations: string[] = [];
    let checkpoints = 0;
    const subscription = store.subscribeToAll({
      streamPrefixes: ['ticket-'],
      onEvent: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        delivered.push(event.position.commit);
      },
      onCheckpoint: (position) => {
        checkpoints += 1;
        // Every ticket event at or before the checkpoint must already have been delivered.
        const expected = tickets.filter((p) => p <= position.commit).length;
        const got = delivered.filter((p) => p <= position.commit).length;
        if (got !== expected) violations.push(`checkpoint ${position.commit}: ${got}/${expected} delivered`);
      },
      onError: (error) => violations.push(`error: ${error.message}`),
    });
    await waitUntil(() => delivered.length === 150 || violations.length > 0, 'all 150 ticket events', 15_000);
    await subscription.stop();
    expect(checkpoints).toBeGreaterThanOrEqual(9);
    expect(violations).toEqual([]);
    expect(delivered).toEqual(tickets);
  });

  it('rejects a stream event without service metadata, and leaves foreign events out of $all', async () => {
    await raw.appendToStream('ticket-foreign', jsonEvent({ type: 'Imported', data: { a: 1 } }));
    await expect(store.readStream('ticket-foreign')).rejects.toThrow(/not a JSON event with service metadata/);
    const mine = ticket();
    await store.appendToStream(mine, [newEvent('T1', {})], 'no-stream');
    expect((await store.readAll({ streamPrefixes: ['ticket-'] })).map((e) => e.streamId)).toEqual([mine]);
  });

  it('gives the last service event as the head even when foreign and system records follow it', async () => {
    const { position } = await store.appendToStream(ticket(), [newEvent('T1', {})], 'no-stream');
    await raw.appendToStream('other-1', jsonEvent({ type: 'X', data: {} }));
    await raw.deleteStream('other-1');
    // Neither other-1's event (no service metadata) nor the $metadata record of its deletion counts.
    expect(await store.headPosition()).toEqual(position);
    const last = (await raw.readAll({ direction: 'backwards', fromPosition: 'end', maxCount: 1 }).toArray())[0];
    expect(last?.event?.streamId).toBe('$$other-1');
    expect(comparePositions(position, last!.event!.position!)).toBe(-1);
  });

  it('subscribes to every service stream when no prefixes are given, never to system or foreign records', async () => {
    const recorder = new Recorder().subscribe(store, {});
    const mine = ticket();
    await store.appendToStream(mine, [newEvent('T1', {})], 'no-stream');
    await raw.appendToStream('other-1', jsonEvent({ type: 'X', data: {} }));
    await raw.deleteStream('other-1');
    await store.appendToStream('outage-9', [newEvent('O1', {})], 'no-stream');
    await recorder.waitFor((r) => r.events.length === 2, 'T1 and O1');
    await settle();
    expect(recorder.events.map((e) => [e.streamId, e.type])).toEqual([
      [mine, 'T1'],
      ['outage-9', 'O1'],
    ]);
    await recorder.stop();
  });

  it('reports EventStoreUnavailableError while the server is down and works again after it comes back', async () => {
    const stream = ticket();
    await store.appendToStream(stream, [newEvent('T1', {})], 'no-stream');
    const recorder = new Recorder();
    store.subscribeToAll({ onEvent: () => undefined, onError: (error) => recorder.errors.push(error) });
    await settle();
    await server.stop();
    await expect(store.appendToStream(stream, [newEvent('T2', {})], 0n)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readStream(stream)).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await waitUntil(() => recorder.errors.length === 1, 'the subscription error');
    expect(recorder.errors[0]).toBeInstanceOf(EventStoreUnavailableError);
    await server.restart();
    const after = await retry(() => store.appendToStream(stream, [newEvent('T2', {})], 0n));
    expect(after.nextExpectedRevision).toBe(1n);
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['T1', 'T2']);
  });
});

async function retry<T>(action: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await action();
    } catch (error) {
      if (i >= attempts || !(error instanceof EventStoreUnavailableError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('EventStoreDbEventStore against a listener that accepts connections and never answers', () => {
  // A plain TCP listener: the client's connection is accepted, its HTTP/2 preface is read and
  // nothing is ever sent back, so no call of the real client gets an answer.
  let listener: Server;
  const sockets = new Set<Socket>();

  beforeEach(async () => {
    listener = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => listener.close(resolve));
  });

  it('fails appends and reads with EventStoreUnavailableError within the call deadline, and closes promptly', async () => {
    const { port } = listener.address() as AddressInfo;
    const deadlineMs = 1_000;
    const store = createEsdbEventStore(`esdb://127.0.0.1:${port}?tls=false`, { callDeadlineMs: deadlineMs });
    const timed = async (call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> => {
      const started = performance.now();
      const error = await call().then(() => undefined, (e: unknown) => e);
      return { error, ms: performance.now() - started };
    };
    try {
      const outcomes = await Promise.all([
        timed(() => store.appendToStream('ticket-stalled', [newEvent('T', {})], 'no-stream')),
        timed(() => store.readStream('ticket-stalled')),
        timed(() => store.readAll()),
        timed(() => store.headPosition()),
      ]);
      expect(sockets.size).toBeGreaterThan(0); // the connection was accepted: this is not a refused one
      for (const { error, ms } of outcomes) {
        expect(error).toBeInstanceOf(EventStoreUnavailableError);
        expect((error as Error).message).toMatch(/did not answer within 1000 ms/);
        expect(ms).toBeGreaterThanOrEqual(deadlineMs * 0.9);
        expect(ms).toBeLessThan(deadlineMs + 1_000);
      }
    } finally {
      const closing = performance.now();
      await store.close();
      expect(performance.now() - closing).toBeLessThan(2_000);
    }
  });

  it('refuses a deadline that is not a positive number of milliseconds', () => {
    expect(() => createEsdbEventStore('esdb://127.0.0.1:1?tls=false', { callDeadlineMs: 0 })).toThrow(RangeError);
  });
});

describe('EventStoreDbEventStore appends over the unary Append unless told otherwise', () => {
  // The pinned client keeps pending BatchAppend requests in one table for the whole process: a
  // batch stream that fails rejects appends pending on other connections (and a late answer then
  // throws inside the client). Over the unary Append each append is its own call.
  it('appends unary on servers that offer BatchAppend, and one server going away leaves an append pending on another untouched', async () => {
    const [a, b] = await Promise.all([startEsdbTestServer({ batchAppend: true }), startEsdbTestServer({ batchAppend: true })]);
    const storeA = createEsdbEventStore(a.connectionString);
    const storeB = createEsdbEventStore(b.connectionString);
    try {
      await storeA.appendToStream('ticket-a-0', [newEvent('T', {})], 'no-stream');
      await storeB.appendToStream('ticket-b-0', [newEvent('T', {})], 'no-stream');
      a.stall();
      b.stall();
      const pendingA = storeA.appendToStream('ticket-a-1', [newEvent('T', { n: 1 })], 'no-stream').then(
        () => undefined,
        (error: unknown) => error,
      );
      const pendingB = storeB.appendToStream('ticket-b-1', [newEvent('T', { n: 1 })], 'no-stream');
      await settle(100);
      await a.stop();
      expect(await pendingA).toBeInstanceOf(EventStoreUnavailableError);
      b.resume();
      expect((await pendingB).nextExpectedRevision).toBe(0n);
      expect((await storeB.readStream('ticket-b-1')).map((e) => e.data)).toEqual([{ n: 1 }]);
      expect(a.calls.batchAppend + b.calls.batchAppend).toBe(0);
      expect(b.calls.append).toBe(2);
    } finally {
      await storeA.close();
      await storeB.close();
      await b.stop();
    }
  });
});

describe('EventStoreDbEventStore in a cluster: a NotLeader answer and a leader change', () => {
  // Two test servers sharing one log model a cluster; `follow`/`lead` switch their roles. The
  // adapter appends with `requires-leader`, so a follower refuses the append with NotLeader
  // (instead of forwarding it) and the client reconnects to the leader the answer names.
  const at = (server: EsdbTestServerHandle): { host: string; port: number } => ({ host: '127.0.0.1', port: server.port });
  let started: EsdbTestServerHandle[] = [];
  let closers: (() => Promise<void>)[] = [];
  const cluster = async (): Promise<[EsdbTestServerHandle, EsdbTestServerHandle]> => {
    const a = await startEsdbTestServer();
    const b = await startEsdbTestServer({ data: a.data, followerOf: at(a) });
    started = [a, b];
    return [a, b];
  };
  const storeOn = (server: EsdbTestServerHandle): EventStoreDbEventStore => {
    const store = createEsdbEventStore(server.connectionString, { callDeadlineMs: 2_000 });
    closers.push(() => store.close());
    return store;
  };
  /** Event ids of a stream as the given node serves them, read with a client of its own. */
  const idsOn = async (server: EsdbTestServerHandle, stream: string): Promise<string[]> => {
    const raw = EventStoreDBClient.connectionString(server.connectionString);
    closers.push(() => raw.dispose());
    const read = await raw.readStream(stream, { requiresLeader: true }).toArray().catch((error: unknown) => {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    });
    return read.map((e) => e.event?.id ?? '?');
  };
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await Promise.all(started.splice(0).map((s) => s.stop()));
    closers = [];
  });

  it('connected to a follower, an append answered NotLeader lands once on the leader and succeeds', async () => {
    const [leader, follower] = await cluster();
    const store = storeOn(follower);
    const event = newEvent('TicketOpened', { n: 1 });
    const result = await store.appendToStream('ticket-nl-1', [event], 'no-stream');
    expect(result.nextExpectedRevision).toBe(0n);
    expect(follower.calls).toMatchObject({ append: 1, notLeader: 1, forwarded: 0 });
    expect(leader.calls.append).toBe(1);
    expect(await idsOn(leader, 'ticket-nl-1')).toEqual([event.id]);
    // The client stays on the leader: the next append goes there directly.
    await store.appendToStream('ticket-nl-1', [newEvent('TicketAssigned', {})], 0n);
    expect(follower.calls.append).toBe(1);
    expect(leader.calls.append).toBe(2);
    expect((await store.readStream('ticket-nl-1')).map((e) => e.type)).toEqual(['TicketOpened', 'TicketAssigned']);
  });

  it('follows leader changes mid-run: every acknowledged append is in the log exactly once, none lost', async () => {
    const [a, b] = await cluster();
    const store = storeOn(a);
    const acknowledged = new Map<string, string[]>();
    let revision: bigint | 'no-stream' = 'no-stream';
    const appendOne = async (stream: string, expected: bigint | 'no-stream'): Promise<bigint> => {
      const event = newEvent('T', { stream });
      const { nextExpectedRevision } = await store.appendToStream(stream, [event], expected);
      acknowledged.set(stream, [...(acknowledged.get(stream) ?? []), event.id]);
      return nextExpectedRevision;
    };
    for (let i = 0; i < 3; i += 1) revision = await appendOne('ticket-lc', revision);
    expect(a.calls.append).toBe(3);

    // A steps down naming B; B leads. Several appends are in flight when they meet the change.
    a.follow(at(b));
    b.lead();
    const parallel = await Promise.all([0, 1, 2, 3, 4].map((n) => appendOne(`ticket-lc-p${n}`, 'no-stream')));
    expect(parallel).toEqual([0n, 0n, 0n, 0n, 0n]);
    for (let i = 0; i < 3; i += 1) revision = await appendOne('ticket-lc', revision);
    expect(a.calls.notLeader).toBeGreaterThanOrEqual(1);
    expect(b.calls.append).toBeGreaterThanOrEqual(3 + 5);

    // And back: B steps down naming A.
    b.follow(at(a));
    a.lead();
    for (let i = 0; i < 2; i += 1) revision = await appendOne('ticket-lc', revision);
    expect(revision).toBe(7n);
    expect(b.calls.notLeader).toBeGreaterThanOrEqual(1);
    expect(a.calls.forwarded + b.calls.forwarded).toBe(0);

    // The nodes share one log: read it through the current leader.
    for (const [stream, ids] of acknowledged) expect(await idsOn(a, stream)).toEqual(ids);
    expect([...acknowledged.values()].flat()).toHaveLength(8 + 5);
  });

  it('fails with EventStoreUnavailableError, writing nothing, when the node it is sent to is not the leader either', async () => {
    const [a, b] = await cluster();
    a.follow(at(b)); // each names the other: an election in progress
    const store = storeOn(a);
    const error: unknown = await store.appendToStream('ticket-nl-2', [newEvent('T', {})], 'no-stream').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect(a.calls.notLeader + b.calls.notLeader).toBe(2);
    a.lead();
    expect(await idsOn(a, 'ticket-nl-2')).toEqual([]);
  });
  it('keeps a live subscription delivering when an append meets NotLeader and the client moves to the new leader', async () => {
    const [a, b] = await cluster();
    const store = storeOn(a);
    const recorder = new Recorder().subscribe(store, { streamPrefixes: ['ticket-sub'] });
    closers.push(() => recorder.stop());
    await store.appendToStream('ticket-sub-1', [newEvent('T', { n: 0 })], 'no-stream');
    await recorder.waitFor((r) => r.events.length === 1, 'the first event');
    a.follow(at(b));
    b.lead();
    await store.appendToStream('ticket-sub-1', [newEvent('T', { n: 1 })], 0n);
    await store.appendToStream('ticket-sub-1', [newEvent('T', { n: 2 })], 1n);
    expect(a.calls.notLeader).toBe(1);
    await recorder.waitFor((r) => r.events.length === 3, 'the events appended on the new leader');
    expect(recorder.events.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(recorder.errors).toEqual([]);
  });
});
