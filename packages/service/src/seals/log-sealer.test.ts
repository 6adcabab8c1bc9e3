import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { WrongExpectedRevisionError, type EventStore } from '../event-store/event-store.port';
import { NOTIFICATIONS_LEASE_STREAM } from '../event-store/streams';
import { verifyChain } from '../hash-chain';
import { LogSealer, type LogSealerOptions } from './log-sealer';
import { checkSignature, decodeSeal, positionText, SEAL_EVENT_TYPE, SEAL_STREAM, sealId, streamHeadsDigest, type Seal } from './seal';
import { appendChained, memorySink, testSealKey } from './seals.test-support';

const key = testSealKey();
const clock = () => new Date('2026-03-10T13:00:00.000Z');

const sealerOn = (store: EventStore, extra: Partial<LogSealerOptions> = {}) => new LogSealer({ store, key: () => key, clock, ...extra });

/** Every stream's last revision and hash in the store, up to a position (what a seal there must state). */
async function headsOf(store: EventStore, upTo?: string | null): Promise<Map<string, { revision: bigint; hash: string }>> {
  const heads = new Map<string, { revision: bigint; hash: string }>();
  for (const e of await store.readAll()) {
    if (upTo !== undefined && (upTo === null || e.position.commit > BigInt(upTo))) break;
    heads.set(e.streamId, { revision: e.revision, hash: e.metadata.hash });
  }
  return heads;
}

const sealsInLog = async (store: EventStore): Promise<Seal[]> => (await store.readStream(SEAL_STREAM)).map((e) => decodeSeal(e.data));

describe('LogSealer', () => {
  it('seals the whole log: head, counts, the digest of every stream head, each head; signed, appended to the seals stream, copied to the sinks', async () => {
    const store = new InMemoryEventStore();
    await appendChained(store, 'ticket-a', 3);
    await appendChained(store, 'outage-board', 1);
    await appendChained(store, 'ticket-b', 2);
    const heads = await headsOf(store);
    const sink = memorySink();
    const [made, ...more] = await sealerOn(store, { sinks: [sink] }).seal({ force: true });
    expect(more).toEqual([]);
    const seal = made!.seal;
    expect(seal).toMatchObject({ sequence: 0, previous: null, headPosition: '6', streams: 3, events: 6, keyId: key.keyId, publicKey: key.publicKey });
    expect(seal.head).toEqual({ streamId: 'ticket-b', revision: '1', hash: heads.get('ticket-b')!.hash });
    expect(seal.digest).toBe(streamHeadsDigest(heads));
    expect(Object.keys(seal.changed)).toEqual(['outage-board', 'ticket-a', 'ticket-b']);
    expect(seal.changed['ticket-a']).toEqual({ revision: '2', hash: heads.get('ticket-a')!.hash, position: '3' });
    expect(checkSignature(seal)).toBeUndefined();
    expect(made!.sinks).toEqual({ memory: 'written' });
    expect(sink.seals).toEqual([seal]);

    const stored = await store.readStream(SEAL_STREAM);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: SEAL_EVENT_TYPE, revision: 0n, data: seal, metadata: { actorId: 'system:sealer', occurredAt: seal.sealedAt } });
    expect(positionText(made!.position)).toBe('7');
    // The seal's own event is hash-chained like every other stream.
    expect(verifyChain(await store.readAll())).toMatchObject({ ok: true, streams: 4 });
  });

  it('chains the next seal to the previous one and lists only the streams changed since (its own stream included)', async () => {
    const store = new InMemoryEventStore();
    const sealer = sealerOn(store);
    await appendChained(store, 'ticket-a', 2);
    await appendChained(store, 'ticket-b', 1);
    const [first] = await sealer.seal();
    await appendChained(store, 'ticket-b', 1);
    await appendChained(store, 'ticket-c', 1);
    const [second] = await sealer.seal();
    expect(second!.seal).toMatchObject({ sequence: 1, previous: sealId(first!.seal), headPosition: '6', streams: 4, events: 6 });
    expect(Object.keys(second!.seal.changed)).toEqual([SEAL_STREAM, 'ticket-b', 'ticket-c']);
    expect(second!.seal.changed[SEAL_STREAM]).toMatchObject({ revision: '0', position: '4' });
    expect(second!.seal.digest).toBe(streamHeadsDigest(await headsOf(store, '6')));
    expect((await headsOf(store, '6')).get(SEAL_STREAM)?.revision).toBe(0n);
    expect(await sealsInLog(store)).toEqual([first!.seal, second!.seal]);
  });

  it('seals an idle log only on demand: after a seal, the periodic sealer finds nothing but that seal to seal', async () => {
    const store = new InMemoryEventStore();
    const sealer = sealerOn(store);
    expect(await sealer.seal()).toEqual([]); // an empty log
    await appendChained(store, 'ticket-a', 1);
    expect(await sealer.seal()).toHaveLength(1);
    expect(await sealer.seal()).toEqual([]);
    const forced = await sealer.seal({ force: true, actor: { id: 'u-admin', role: 'admin' } });
    expect(forced).toHaveLength(1);
    expect(Object.keys(forced[0]!.seal.changed)).toEqual([SEAL_STREAM]);
    expect((await store.readStream(SEAL_STREAM))[1]!.metadata).toMatchObject({ actorId: 'u-admin', actorRole: 'admin' });
  });

  it("takes a log whose only change is the lease's renewals for idle, and seals the renewals with the next change of the desk", async () => {
    const store = new InMemoryEventStore();
    const sealer = sealerOn(store);
    await appendChained(store, 'ticket-a', 1);
    expect(await sealer.seal()).toHaveLength(1);
    await appendChained(store, NOTIFICATIONS_LEASE_STREAM, 3);
    expect(await sealer.seal()).toEqual([]);
    await appendChained(store, 'ticket-b', 1);
    const [next] = await sealer.seal();
    expect(Object.keys(next!.seal.changed).sort()).toEqual([NOTIFICATIONS_LEASE_STREAM, SEAL_STREAM, 'ticket-b'].sort());
  });

  it('splits a seal with more changed streams than one may hold into several in a row, together naming every head', async () => {
    const store = new InMemoryEventStore();
    for (const s of ['a', 'b', 'c', 'd', 'e']) await appendChained(store, `ticket-${s}`, 2);
    const made = await sealerOn(store, { maxStreamsPerSeal: 2, pageSize: 3 }).seal();
    expect(made.map((m) => [m.seal.sequence, m.seal.headPosition, Object.keys(m.seal.changed)])).toEqual([
      [0, '4', ['ticket-a', 'ticket-b']],
      [1, '8', ['ticket-c', 'ticket-d']],
      [2, '10', ['ticket-e']],
    ]);
    expect(made[1]!.seal.previous).toBe(sealId(made[0]!.seal));
    expect(made[2]!.seal.previous).toBe(sealId(made[1]!.seal));
    expect(made[2]!.seal.digest).toBe(streamHeadsDigest(await headsOf(store, '10')));
  });

  it('two replicas on one store seal one chain, each seal listing what changed since the seal before it, whoever made that', async () => {
    const store = new InMemoryEventStore();
    const a = sealerOn(store);
    const b = sealerOn(store);
    await appendChained(store, 'ticket-a', 1);
    await a.seal();
    await appendChained(store, 'ticket-b', 1);
    const [fromB] = await b.seal(); // B reads the whole log, but lists only what changed after A's seal
    expect(Object.keys(fromB!.seal.changed)).toEqual([SEAL_STREAM, 'ticket-b']);
    await appendChained(store, 'ticket-c', 1);
    const [fromA] = await a.seal(); // A's heads stop at its own seal: it reads on from there
    expect(Object.keys(fromA!.seal.changed)).toEqual([SEAL_STREAM, 'ticket-c']);
    const seals = await sealsInLog(store);
    expect(seals.map((s) => s.sequence)).toEqual([0, 1, 2]);
    expect(seals[2]!.previous).toBe(sealId(seals[1]!));
    expect(seals[2]!.digest).toBe(streamHeadsDigest(await headsOf(store, seals[2]!.headPosition)));
    expect(seals[2]!.streams).toBe(4);
  });

  it('seals after the winner when another replica appends a seal at the same moment', async () => {
    const store = new InMemoryEventStore();
    await appendChained(store, 'ticket-a', 1);
    const other = sealerOn(store);
    let raced = false;
    // The other replica's seal lands between this one's read of the seals stream and its append.
    const racing: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: async (...args: Parameters<EventStore['appendToStream']>) => {
        if (!raced && args[0] === SEAL_STREAM) {
          raced = true;
          await other.seal({ force: true });
        }
        return store.appendToStream(...args);
      },
    });
    const made = await sealerOn(racing).seal({ force: true });
    expect(made).toHaveLength(1);
    const seals = await sealsInLog(store);
    expect(seals.map((s) => s.sequence)).toEqual([0, 1]);
    expect(made[0]!.seal.previous).toBe(sealId(seals[0]!));
    expect(Object.keys(made[0]!.seal.changed)).toEqual([SEAL_STREAM]);
  });

  it('gives up after a bounded number of conflicts', async () => {
    const store = new InMemoryEventStore();
    await appendChained(store, 'ticket-a', 1);
    const conflicting: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: async () => {
        throw new WrongExpectedRevisionError(SEAL_STREAM, 'no-stream', 0n);
      },
    });
    await expect(sealerOn(conflicting, { maxAttempts: 3 }).seal({ force: true })).rejects.toThrow(WrongExpectedRevisionError);
  });

  it('keeps the seal in the log and the other copies when one copy fails, and says so', async () => {
    const store = new InMemoryEventStore();
    await appendChained(store, 'ticket-a', 1);
    const kept = memorySink('file');
    const failures: string[] = [];
    const broken = { name: 'webhook', write: async () => Promise.reject(new Error('answered 500')) };
    const [made] = await sealerOn(store, { sinks: [broken, kept], onSinkError: (sink, seal, error) => failures.push(`${sink} #${seal.sequence}: ${error.message}`) }).seal();
    expect(made!.sinks).toEqual({ webhook: 'answered 500', file: 'written' });
    expect(failures).toEqual(['webhook #0: answered 500']);
    expect(kept.seals).toHaveLength(1);
    expect(await sealsInLog(store)).toHaveLength(1);
  });

  it('refuses to seal an event that carries no hash, naming it', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('ticket-x', [{ id: '00000000-0000-4000-8000-000000000001', type: 'Noted', data: {}, metadata: { hash: '', previousHash: '' } as never }], 'no-stream');
    await expect(sealerOn(store).seal()).rejects.toThrow(/ticket-x revision 0 carries no hash/);
  });

  it('runs one seal at a time', async () => {
    const store = new InMemoryEventStore();
    await appendChained(store, 'ticket-a', 1);
    const sealer = sealerOn(store);
    const [one, two] = await Promise.all([sealer.seal({ force: true }), sealer.seal({ force: true })]);
    expect([one![0]!.seal.sequence, two![0]!.seal.sequence]).toEqual([0, 1]);
  });
});
