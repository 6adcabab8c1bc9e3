import { sealEvents } from '../../hash-chain';
import type { StoredEvent } from '../../event-store/event-store.port';
import { eventHash as defaultHashOf } from '../../hash-chain';
import type { AuditRecord } from './source/audit-source';
import { LogVerifier } from './verify';

/** A sealed stream of `count` events, laid out at the given global positions. */
function stream(streamId: string, positions: readonly number[]): AuditRecord[] {
  const unsealed = positions.map((_, i) => ({
    id: `${streamId}-${i}`,
    type: 'Noted',
    data: { n: i },
    metadata: { correlationId: 'c', causationId: 'c', actorId: 'a', actorRole: 'agent', occurredAt: '2026-01-05T09:00:00Z', recordedAt: '2026-01-05T09:00:00Z', schemaVersion: 1 },
  }));
  return sealEvents(streamId, 0n, '', unsealed).map((e, i): AuditRecord => {
    const position = { commit: BigInt(positions[i]!), prepare: BigInt(positions[i]!) };
    const event: StoredEvent = { ...e, streamId, revision: BigInt(i), position };
    return { streamId, revision: BigInt(i), position, event };
  });
}

const byPosition = (records: AuditRecord[]): AuditRecord[] => [...records].sort((a, b) => Number(a.position.commit - b.position.commit));

const verify = (records: readonly AuditRecord[], dense = true) => {
  const verifier = new LogVerifier(defaultHashOf, dense);
  for (const r of records) verifier.add(r);
  return verifier.result();
};

const log = (): AuditRecord[] => byPosition([...stream('a', [1, 3, 5, 7]), ...stream('b', [2, 4, 6])]);

describe('LogVerifier', () => {
  it('accepts an intact log and gives a digest that changes with any stream head', () => {
    const result = verify(log());
    expect(result).toMatchObject({ intact: true, streams: 2, events: 7, first: null, findings: [] });
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(log().slice(0, -1)).digest).not.toBe(result.digest);
  });

  it('names an altered event by stream and revision', () => {
    const records = log().map((r) =>
      r.streamId === 'a' && r.revision === 2n ? { ...r, event: { ...r.event!, data: { n: 20 } } } : r,
    );
    expect(verify(records).first).toMatchObject({ kind: 'altered', streamId: 'a', revision: '2', position: '5' });
  });

  it('calls an event re-hashed after editing altered too: the next one no longer links to it', () => {
    const records = log().map((r) => {
      if (r.streamId !== 'a' || r.revision !== 1n) return r;
      const edited = { ...r.event!, data: { n: 10 } };
      return { ...r, event: { ...edited, metadata: { ...edited.metadata, hash: defaultHashOf(edited) } } };
    });
    const first = verify(records).first;
    expect(first).toMatchObject({ kind: 'altered', streamId: 'a', revision: '2' });
    expect(first?.detail).toMatch(/previousHash does not match the hash of revision 1/);
  });

  it('names the missing revision, and does not report the hole in the positions twice', () => {
    const result = verify(log().filter((r) => !(r.streamId === 'b' && r.revision === 1n)));
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'missing', streamId: 'b', revision: '1' })]);
  });

  it('reports a deleted last event of a stream as a hole in the positions (dense stores only)', () => {
    const without = log().filter((r) => !(r.streamId === 'b' && r.revision === 2n));
    expect(verify(without).findings).toEqual([expect.objectContaining({ kind: 'missing', streamId: null, position: '6' })]);
    expect(verify(without, false).intact).toBe(true);
  });

  it('reports events deleted from the end of the log', () => {
    const verifier = new LogVerifier(defaultHashOf, true);
    for (const r of log()) verifier.add(r);
    verifier.addMissingTail({ from: 8n, to: 9n });
    expect(verifier.result().first?.detail).toBe('2 events at global positions 8–9 were deleted from the end of the log');
  });

  it('tells a reordered revision from a missing one', () => {
    const records = log();
    const i = records.findIndex((r) => r.streamId === 'a' && r.revision === 1n);
    const j = records.findIndex((r) => r.streamId === 'a' && r.revision === 2n);
    [records[i], records[j]] = [records[j]!, records[i]!];
    expect(verify(records, false).first).toMatchObject({ kind: 'reordered', streamId: 'a', revision: '1' });
  });

  it('names an event that cannot be read, and one without a hash chain', () => {
    const records = log();
    const k = records.findIndex((r) => r.streamId === 'b' && r.revision === 0n);
    records[k] = { ...records[k]!, event: undefined, problem: 'its stored data is not valid JSON' };
    const m = records.findIndex((r) => r.streamId === 'a' && r.revision === 0n);
    const { hash: _hash, ...unhashed } = records[m]!.event!.metadata;
    records[m] = { ...records[m]!, event: { ...records[m]!.event!, metadata: unhashed as StoredEvent['metadata'] } };
    const result = verify(records);
    expect(result.first).toMatchObject({ kind: 'altered', streamId: 'a', revision: '0', detail: expect.stringMatching(/no hash chain/) });
    expect(result.findings[1]).toMatchObject({ kind: 'altered', streamId: 'b', revision: '0', detail: 'its stored data is not valid JSON' });
  });
});
