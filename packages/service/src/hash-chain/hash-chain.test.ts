import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import type { StoredEvent } from '../event-store/event-store.port';
import { canonicalJson } from './canonical-json';
import { eventHash, sealEvents, verifyChain, type UnsealedEvent } from './hash-chain';

const unsealed = (type: string, data: unknown): UnsealedEvent => ({
  id: randomUUID(),
  type,
  data,
  metadata: {
    correlationId: 'c-1',
    causationId: 'c-0',
    actorId: 'agent-7',
    actorRole: 'agent',
    occurredAt: '2026-03-02T14:00:00.000Z',
    recordedAt: '2026-03-02T14:00:02.000Z',
    schemaVersion: 1,
  },
});

/** Seals and "stores" events the way the service does, giving stored-shaped events with positions. */
const storedStream = (streamId: string, events: readonly UnsealedEvent[]): StoredEvent[] =>
  sealEvents(streamId, 0n, '', events).map((e, i) => ({ ...e, streamId, revision: BigInt(i), position: { commit: BigInt(i + 1), prepare: BigInt(i + 1) } }));

describe('canonicalJson', () => {
  it('sorts keys at every depth so key order never changes the text', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 })).toBe(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }));
  });

  it('serializes a value and its JSON round trip identically', () => {
    const value = { when: new Date('2026-01-02T03:04:05Z'), gone: undefined, list: [undefined, 1.5, 'é'] };
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
  });

  it('writes exactly the text of the first implementation (map, sort and join per level), so stored chains keep verifying', () => {
    // The implementation every stored hash so far was computed with, kept here as the oracle.
    const original = (value: unknown): string | undefined => {
      if (value === null) return 'null';
      if (typeof value !== 'object') return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? JSON.stringify(value) : undefined;
      if (Array.isArray(value)) return `[${value.map((item) => original(item) ?? 'null').join(',')}]`;
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = original(record[key]);
        if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
      }
      return `{${members.join(',')}}`;
    };
    const manyKeys = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { minKeys: 17, maxKeys: 30 });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), manyKeys), (value) => {
        expect(canonicalJson(value)).toBe(original(value));
      }),
      { numRuns: 2_000, seed: 20261126 },
    );
    expect(canonicalJson({ b: 1, '10': 2, '9': 3, a: undefined, 'é': [null, 'x'] })).toBe('{"10":2,"9":3,"b":1,"é":[null,"x"]}');
    // What JSON has no form for: left out of objects, null in arrays; toJSON is followed.
    expect(canonicalJson({ z: undefined, f: () => 1, at: new Date(Date.UTC(2026, 0, 2)), list: [undefined, () => 1, { toJSON: () => ({ b: 2, a: 1 }) }] })).toBe(
      '{"at":"2026-01-02T00:00:00.000Z","list":[null,null,{"a":1,"b":2}]}',
    );
  });

  it('refuses values with no JSON form instead of hashing something ambiguous', () => {
    expect(() => canonicalJson(1n)).toThrow(TypeError);
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
  });
});

describe('sealEvents', () => {
  it('links each event to the previous hash, starting from the given one', () => {
    const sealed = sealEvents('ticket-1', 3n, 'a'.repeat(64), [unsealed('A', { n: 1 }), unsealed('B', { n: 2 })]);
    expect(sealed[0]!.metadata.previousHash).toBe('a'.repeat(64));
    expect(sealed[1]!.metadata.previousHash).toBe(sealed[0]!.metadata.hash);
    expect(sealed[0]!.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(sealed[0]!.metadata.hash).toBe(eventHash({ streamId: 'ticket-1', revision: 3n, type: 'A', data: { n: 1 }, metadata: sealed[0]!.metadata }));
  });

  it('makes the hash depend on stream, revision, type, data and metadata', () => {
    const event = unsealed('A', { n: 1 });
    const base = sealEvents('ticket-1', 0n, '', [event])[0]!.metadata.hash;
    expect(sealEvents('ticket-2', 0n, '', [event])[0]!.metadata.hash).not.toBe(base);
    expect(sealEvents('ticket-1', 1n, '', [event])[0]!.metadata.hash).not.toBe(base);
    expect(sealEvents('ticket-1', 0n, '', [{ ...event, type: 'B' }])[0]!.metadata.hash).not.toBe(base);
    expect(sealEvents('ticket-1', 0n, '', [{ ...event, data: { n: 2 } }])[0]!.metadata.hash).not.toBe(base);
    expect(sealEvents('ticket-1', 0n, '', [{ ...event, metadata: { ...event.metadata, actorId: 'x' } }])[0]!.metadata.hash).not.toBe(base);
    expect(sealEvents('ticket-1', 0n, 'b'.repeat(64), [event])[0]!.metadata.hash).not.toBe(base);
    // ... but not on the event id, which the store assigns meaning to, nor on key order.
    expect(sealEvents('ticket-1', 0n, '', [{ ...event, id: randomUUID() }])[0]!.metadata.hash).toBe(base);
  });
});

describe('verifyChain', () => {
  const history = (): StoredEvent[] => storedStream('ticket-1', [unsealed('Opened', { a: 1 }), unsealed('Acknowledged', {}), unsealed('Responded', { text: 'hi' }), unsealed('Resolved', {})]);

  it('accepts an untouched history', () => {
    expect(verifyChain(history())).toEqual({ ok: true, streams: 1, events: 4 });
  });

  it('names the revision whose data was altered', () => {
    const events = history();
    events[2] = { ...events[2]!, data: { text: 'edited' } };
    expect(verifyChain(events)).toMatchObject({ ok: false, streamId: 'ticket-1', revision: 2n, reason: 'altered' });
  });

  it('names the revision whose metadata was altered', () => {
    const events = history();
    events[1] = { ...events[1]!, metadata: { ...events[1]!.metadata, recordedAt: '2020-01-01T00:00:00.000Z' } };
    expect(verifyChain(events)).toMatchObject({ ok: false, revision: 1n, reason: 'altered' });
  });

  it('reports a missing event at the first revision after the gap', () => {
    const events = history();
    events.splice(1, 1);
    expect(verifyChain(events)).toMatchObject({ ok: false, revision: 2n, reason: 'missing' });
    expect(verifyChain(history().slice(1))).toMatchObject({ ok: false, revision: 1n, reason: 'missing' });
  });

  it('reports reordered events', () => {
    const events = history();
    [events[1], events[2]] = [events[2]!, events[1]!];
    expect(verifyChain(events)).toMatchObject({ ok: false, revision: 2n, reason: 'reordered' });
    const duplicated = history();
    duplicated.splice(2, 0, duplicated[1]!);
    expect(verifyChain(duplicated)).toMatchObject({ ok: false, revision: 1n, reason: 'reordered' });
  });

  it('catches an event replaced and re-sealed without the real previous hash', () => {
    const events = history();
    const forged = sealEvents('ticket-1', 2n, 'c'.repeat(64), [unsealed('Responded', { text: 'forged' })])[0]!;
    events[2] = { ...events[2]!, data: forged.data, metadata: forged.metadata };
    expect(verifyChain(events)).toMatchObject({ ok: false, revision: 2n, reason: 'unlinked' });
  });

  it('verifies interleaved streams read back from a real store in global order', async () => {
    const store = new InMemoryEventStore();
    let lastHash = '';
    for (let round = 0; round < 3; round++) {
      for (const streamId of ['ticket-a', 'outage-b']) {
        const head = (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];
        const sealed = sealEvents(streamId, head ? head.revision + 1n : 0n, head?.metadata.hash ?? '', [unsealed('E', { round, streamId })]);
        await store.appendToStream(streamId, sealed, head ? head.revision : 'no-stream');
        lastHash = sealed[0]!.metadata.hash;
      }
    }
    const all = await store.readAll();
    expect(lastHash).toBe(all[all.length - 1]!.metadata.hash);
    expect(verifyChain(all)).toEqual({ ok: true, streams: 2, events: 6 });
    const tampered = all.map((e) => (e.streamId === 'outage-b' && e.revision === 1n ? { ...e, type: 'Other' } : e));
    expect(verifyChain(tampered)).toMatchObject({ ok: false, streamId: 'outage-b', revision: 1n, reason: 'altered' });
    await store.close();
  });
});
