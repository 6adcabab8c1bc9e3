import {
  ANY,
  BACKWARDS,
  NotLeaderError,
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { startEsdbTestServer, type EsdbTestServerHandle } from './esdb-test-server.loader';
import { waitUntil } from './esdb.test-fixtures';

// These tests drive the test double with the real, pinned client only, to show it answers the
// way the client expects from EventStoreDB; the adapter's own tests build on that.
describe('EventStoreDB wire-level test double, driven by @eventstore/db-client', () => {
  let server: EsdbTestServerHandle;
  let client: EventStoreDBClient;
  const event = (type: string, data: Record<string, unknown> = {}, id?: string) =>
    jsonEvent({ type, data, ...(id === undefined ? {} : { id }) });
  const types = (events: readonly ResolvedEvent[]): string[] => events.map((e) => e.event?.type ?? '?');

  beforeEach(async () => {
    server = await startEsdbTestServer();
    client = EventStoreDBClient.connectionString(server.connectionString);
  });
  afterEach(async () => {
    await client.dispose();
    await server.stop();
  });

  it('listens on a random loopback port and names it in an insecure esdb:// connection string', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`);
  });

  it('applies the expected-revision rules: any, no-stream, stream-exists and exact', async () => {
    await expect(client.appendToStream('s-1', event('A'), { expectedRevision: STREAM_EXISTS })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect((await client.appendToStream('s-1', event('A'), { expectedRevision: NO_STREAM })).nextExpectedRevision).toBe(0n);
    const wrong = await client.appendToStream('s-1', event('B'), { expectedRevision: NO_STREAM }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(WrongExpectedVersionError);
    expect(wrong).toMatchObject({ streamName: 's-1', expectedVersion: NO_STREAM, actualVersion: 0n });
    await expect(client.appendToStream('s-1', event('B'), { expectedRevision: 5n })).rejects.toMatchObject({
      expectedVersion: 5n,
      actualVersion: 0n,
    });
    expect((await client.appendToStream('s-1', event('B'), { expectedRevision: 0n })).nextExpectedRevision).toBe(1n);
    expect((await client.appendToStream('s-1', event('C'), { expectedRevision: STREAM_EXISTS })).nextExpectedRevision).toBe(2n);
    expect((await client.appendToStream('s-1', event('D'), { expectedRevision: ANY })).nextExpectedRevision).toBe(3n);
    expect((await client.appendToStream('s-2', [event('X'), event('Y')], { expectedRevision: ANY })).nextExpectedRevision).toBe(1n);
  });

  it('answers a re-sent batch with known event ids with the original result and stores it once', async () => {
    const batch = [event('A'), event('B')];
    const first = await client.appendToStream('s-1', batch, { expectedRevision: NO_STREAM });
    expect(await client.appendToStream('s-1', batch, { expectedRevision: NO_STREAM })).toEqual(first);
    expect(await client.appendToStream('s-1', batch, { expectedRevision: ANY })).toEqual(first);
    const next = event('C');
    const second = await client.appendToStream('s-1', next, { expectedRevision: 1n });
    expect(await client.appendToStream('s-1', next, { expectedRevision: 1n })).toEqual(second);
    expect(types(await client.readStream('s-1').toArray())).toEqual(['A', 'B', 'C']);
  });

  it('reads a stream forwards and backwards, from a revision or an end, and reports unknown streams', async () => {
    await client.appendToStream('s-1', ['A', 'B', 'C', 'D'].map((t) => event(t)));
    expect(types(await client.readStream('s-1', { fromRevision: START }).toArray())).toEqual(['A', 'B', 'C', 'D']);
    expect(types(await client.readStream('s-1', { fromRevision: 2n, maxCount: 1 }).toArray())).toEqual(['C']);
    expect(types(await client.readStream('s-1', { direction: BACKWARDS, fromRevision: END }).toArray())).toEqual(['D', 'C', 'B', 'A']);
    expect(types(await client.readStream('s-1', { direction: BACKWARDS, fromRevision: 1n }).toArray())).toEqual(['B', 'A']);
    const [first] = await client.readStream('s-1', { maxCount: 1 }).toArray();
    expect(first?.event).toMatchObject({ streamId: 's-1', revision: 0n, type: 'A', isJson: true, data: {} });
    expect(first?.event?.created).toBeInstanceOf(Date);
    await expect(client.readStream('nope').toArray()).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('reads $all in global order both ways, from a position inclusive forwards and exclusive backwards', async () => {
    await client.appendToStream('a-1', [event('A1'), event('A2')]);
    await client.appendToStream('b-1', event('B1'));
    const all = await client.readAll().toArray();
    expect(types(all)).toEqual(['A1', 'A2', 'B1']);
    const positions = all.map((e) => e.event!.position!);
    expect(positions[0]!.commit < positions[1]!.commit && positions[1]!.commit < positions[2]!.commit).toBe(true);
    expect(positions.every((p) => p.commit === p.prepare)).toBe(true);
    expect(types(await client.readAll({ fromPosition: positions[1]! }).toArray())).toEqual(['A2', 'B1']);
    expect(types(await client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }).toArray())).toEqual(['B1', 'A2']);
    expect(types(await client.readAll({ direction: BACKWARDS, fromPosition: positions[2]! }).toArray())).toEqual(['A2', 'A1']);
  });

  it('catches a stream subscription up, reports caught-up, then delivers live events after the start revision', async () => {
    await client.appendToStream('s-1', [event('A'), event('B')]);
    const got: string[] = [];
    let caughtUp = false;
    const subscription = client.subscribeToStream('s-1', { fromRevision: 0n });
    subscription.on('data', (e: ResolvedEvent) => got.push(e.event?.type ?? '?'));
    subscription.on('caughtUp', () => (caughtUp = true));
    await waitUntil(() => got.length === 1 && caughtUp, 'catch-up');
    await client.appendToStream('s-1', event('C'));
    await client.appendToStream('other', event('X'));
    await waitUntil(() => got.length === 2, 'the live event');
    expect(got).toEqual(['B', 'C']);
    await subscription.unsubscribe();
  });

  it('subscribes to $all with stream-name and event-type filters and checkpoints every interval × 32 records', async () => {
    for (let i = 0; i < 70; i += 1) await client.appendToStream(`noise-${i}`, event('Noise'));
    await client.appendToStream('ticket-1', event('Opened'));
    const checkpoints: Position[] = [];
    const byStream: string[] = [];
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: streamNameFilter({ prefixes: ['ticket-'], checkpointInterval: 1, checkpointReached: (_s, p) => void checkpoints.push(p) }),
    });
    subscription.on('data', (e: AllStreamResolvedEvent) => byStream.push(e.event?.streamId ?? '?'));
    await waitUntil(() => byStream.length === 1 && checkpoints.length === 2, 'ticket-1 and two checkpoints');
    const all = await client.readAll().toArray();
    // 71 records: checkpoints after the 32nd and the 64th, at those records' positions.
    expect(checkpoints.map((c) => c.commit)).toEqual([all[31]!.event!.position!.commit, all[63]!.event!.position!.commit]);

    const byType: string[] = [];
    const typed = client.subscribeToAll({ filter: eventTypeFilter({ regex: '^Open' }) });
    typed.on('data', (e: AllStreamResolvedEvent) => byType.push(e.event?.type ?? '?'));
    await client.appendToStream('ticket-2', event('Opened'));
    await waitUntil(() => byType.length === 2 && byStream.length === 2, 'the live events');
    expect(byType).toEqual(['Opened', 'Opened']);
    expect(byStream).toEqual(['ticket-1', 'ticket-2']);
    await subscription.unsubscribe();
    await typed.unsubscribe();
  });

  it('subscribes to $all strictly after a position, or from the end', async () => {
    await client.appendToStream('s-1', [event('A'), event('B')]);
    const [, b] = await client.readAll().toArray();
    const fromB: string[] = [];
    const fromEnd: string[] = [];
    const afterB = client.subscribeToAll({ fromPosition: b!.event!.position! });
    const atEnd = client.subscribeToAll({ fromPosition: END });
    afterB.on('data', (e: AllStreamResolvedEvent) => fromB.push(e.event?.type ?? '?'));
    atEnd.on('data', (e: AllStreamResolvedEvent) => fromEnd.push(e.event?.type ?? '?'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.appendToStream('s-1', event('C'));
    await waitUntil(() => fromB.length === 1 && fromEnd.length === 1, 'C on both');
    expect([fromB, fromEnd]).toEqual([['C'], ['C']]);
    await afterB.unsubscribe();
    await atEnd.unsubscribe();
  });

  it('streams a large catch-up with backpressure to a slow reader, then goes live', async () => {
    const payload = { text: 'x'.repeat(1_000) };
    for (let batch = 0; batch < 20; batch += 1) {
      await client.appendToStream(`bulk-${batch}`, Array.from({ length: 100 }, () => event('Bulk', payload)));
    }
    const subscription = client.subscribeToAll({ fromPosition: START });
    let count = 0;
    let last = -1n;
    let ordered = true;
    for await (const resolved of subscription) {
      const commit = resolved.event?.position?.commit ?? -1n;
      if (commit <= last) ordered = false;
      last = commit;
      count += 1;
      if (count % 250 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      if (count === 2_000) void client.appendToStream('live', event('Live'));
      if (resolved.event?.type === 'Live') break;
    }
    await subscription.unsubscribe();
    expect(count).toBe(2_001);
    expect(ordered).toBe(true);
  });

  it('soft-deletes: the stream reads as not found, $$stream gets $metadata, and appends continue the revisions', async () => {
    await client.appendToStream('s-1', [event('A'), event('B')]);
    await client.deleteStream('s-1', { expectedRevision: 1n });
    await expect(client.readStream('s-1').toArray()).rejects.toBeInstanceOf(StreamNotFoundError);
    const all = await client.readAll().toArray();
    expect(all.at(-1)?.event).toMatchObject({ streamId: '$$s-1', type: '$metadata', data: { $tb: 2 } });
    expect((await client.appendToStream('s-1', event('C'), { expectedRevision: NO_STREAM })).nextExpectedRevision).toBe(2n);
    expect((await client.readStream('s-1').toArray()).map((e) => [e.event?.type, e.event?.revision])).toEqual([['C', 2n]]);
  });

  it('tombstones: later reads and appends fail with stream-deleted', async () => {
    await client.appendToStream('s-1', event('A'));
    await expect(client.tombstoneStream('s-1', { expectedRevision: 5n })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const { position } = await client.tombstoneStream('s-1', { expectedRevision: 0n });
    expect(position).toBeDefined();
    await expect(client.readStream('s-1').toArray()).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.appendToStream('s-1', event('B'))).rejects.toBeInstanceOf(StreamDeletedError);
    expect((await client.readAll().toArray()).at(-1)?.event).toMatchObject({ streamId: 's-1', type: '$streamDeleted' });
  });

  it('keeps its data and port across stop and restart', async () => {
    await client.appendToStream('s-1', event('A'));
    await server.stop();
    await expect(client.appendToStream('s-1', event('B'))).rejects.toMatchObject({ type: 'unavailable' });
    await server.restart();
    let events: ResolvedEvent[] = [];
    for (let attempt = 0; attempt < 20 && events.length === 0; attempt += 1) {
      events = await client.readStream('s-1').toArray().catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return [];
      });
    }
    expect(types(events)).toEqual(['A']);
  });

  it('can emulate servers that checkpoint at the end-of-log position', async () => {
    const quirky = await startEsdbTestServer({ checkpointAtLogEnd: true });
    const quirkyClient = EventStoreDBClient.connectionString(quirky.connectionString);
    try {
      await quirkyClient.appendToStream('noise-1', [event('N'), event('N')]);
      const checkpoints: Position[] = [];
      const subscription = quirkyClient.subscribeToAll({
        filter: streamNameFilter({ prefixes: ['ticket-'], checkpointReached: (_s, p) => void checkpoints.push(p) }),
      });
      subscription.on('data', () => undefined);
      await waitUntil(() => checkpoints.length === 1, 'the end-of-log checkpoint');
      const last = (await quirkyClient.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }).toArray())[0];
      expect(checkpoints[0]!.commit).toBeGreaterThan(last!.event!.position!.commit);
      const { position } = await quirkyClient.appendToStream('ticket-1', event('T'));
      // The next event lands exactly on that checkpoint: resuming "strictly after" it would skip it.
      expect(position?.commit).toBe(checkpoints[0]!.commit);
      await subscription.unsubscribe();
    } finally {
      await quirkyClient.dispose();
      await quirky.stop();
    }
  });
  it('plays a follower: refuses calls that require the leader with NotLeader naming it, serves the others, and the client moves to the named leader', async () => {
    const leader = await startEsdbTestServer({ data: server.data });
    const follower = await startEsdbTestServer({ data: server.data, followerOf: { host: '127.0.0.1', port: leader.port } });
    const onFollower = EventStoreDBClient.connectionString(follower.connectionString);
    try {
      await onFollower.appendToStream('s-1', event('A'));
      expect(follower.calls).toMatchObject({ append: 1, forwarded: 1, notLeader: 0 });
      const refused: unknown = await onFollower.appendToStream('s-1', event('B'), { expectedRevision: 0n, requiresLeader: true }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NotLeaderError);
      expect((refused as NotLeaderError).leader).toEqual({ address: '127.0.0.1', port: leader.port });
      expect(follower.calls.notLeader).toBe(1);
      // The client reconnects to the leader the error named: the same call now lands there.
      await onFollower.appendToStream('s-1', event('B'), { expectedRevision: 0n, requiresLeader: true });
      expect(leader.calls.append).toBe(1);
      expect(follower.calls.append).toBe(2);
      expect(types(await onFollower.readStream('s-1', { requiresLeader: true }).toArray())).toEqual(['A', 'B']);

      // A read that requires the leader is refused by a follower; one that does not is served.
      const reader = EventStoreDBClient.connectionString(follower.connectionString);
      try {
        expect(types(await reader.readStream('s-1').toArray())).toEqual(['A', 'B']);
        await expect(reader.readStream('s-1', { requiresLeader: true }).toArray()).rejects.toBeInstanceOf(NotLeaderError);
        expect(follower.calls.notLeader).toBe(2);
        follower.lead();
        expect(types(await reader.readStream('s-1', { requiresLeader: true }).toArray())).toEqual(['A', 'B']);
      } finally {
        await reader.dispose();
      }
    } finally {
      await onFollower.dispose();
      await Promise.all([leader.stop(), follower.stop()]);
    }
  });
});
