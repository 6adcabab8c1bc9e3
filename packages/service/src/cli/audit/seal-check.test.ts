import { InMemoryEventStore } from '../../event-store/in-memory/in-memory.event-store';
import type { StoredEvent } from '../../event-store/event-store.port';
import { eventHash } from '../../hash-chain';
import { LogSealer } from '../../seals/log-sealer';
import { SEAL_STREAM, type Seal } from '../../seals/seal';
import { appendChained, testSealKey } from '../../seals/seals.test-support';
import { eventHash as defaultHashOf } from '../../hash-chain';
import { SealCheck, type SealEvidence } from './seal-check';
import type { AuditRecord } from './source/audit-source';
import { LogVerifier } from './verify';

const key = testSealKey();
const clock = () => new Date('2026-03-10T13:00:00.000Z');

const recordsOf = async (store: InMemoryEventStore): Promise<AuditRecord[]> =>
  (await store.readAll()).map((event) => ({ streamId: event.streamId, revision: event.revision, position: event.position, event }));

const held = (...seals: Seal[]): SealEvidence => ({
  seals: seals.map((seal, i) => ({ seal, origin: `seals.jsonl:${i + 1}` })),
  problems: [],
  trustedKeys: new Set(seals.map((s) => s.publicKey)),
  pinned: false,
});

/** What `audit verify --seal` computes, on records as given (dense: SQLite-like positions). */
function verify(records: readonly AuditRecord[], evidence: SealEvidence, dense = true) {
  const check = new SealCheck(evidence, records.filter((r) => r.streamId === SEAL_STREAM));
  const verifier = new LogVerifier(defaultHashOf, dense);
  for (const record of records) {
    verifier.add(record);
    check.add(record);
  }
  return verifier.result(check.result());
}

/** Rewrites a stream's events from `from` on with fresh hashes and links, as a careful forger would. */
function rewrite(records: readonly AuditRecord[], streamId: string, from: bigint): AuditRecord[] {
  let previousHash = '';
  return records.map((r) => {
    if (r.streamId !== streamId) return r;
    const event = r.event!;
    if (r.revision < from) {
      previousHash = event.metadata.hash;
      return r;
    }
    const data = r.revision === from ? { forged: true } : event.data;
    const metadata = { ...event.metadata, previousHash };
    const hash = eventHash({ ...event, data, metadata });
    previousHash = hash;
    const forged: StoredEvent = { ...event, data, metadata: { ...metadata, hash } };
    return { ...r, event: forged };
  });
}

describe('SealCheck', () => {
  let store: InMemoryEventStore;
  let first: Seal;
  let second: Seal;

  beforeEach(async () => {
    store = new InMemoryEventStore();
    const sealer = new LogSealer({ store, key: () => key, clock });
    await appendChained(store, 'ticket-a', 3); // 1-3
    await appendChained(store, 'ticket-b', 1); // 4
    first = (await sealer.seal())[0]!.seal; // its event: 5
    await appendChained(store, 'ticket-a', 2); // 6-7
    await appendChained(store, 'ticket-c', 1); // 8
    second = (await sealer.seal())[0]!.seal; // its event: 9
  });

  it('proves an intact log with the newest seal alone: the seals in the log fill in the chain', async () => {
    const result = verify(await recordsOf(store), held(second));
    expect(result.findings).toEqual([]);
    expect(result.seal).toMatchObject({ proven: true, sequence: 1, headPosition: '8', sealsChecked: 2, chainComplete: true, eventsAtHead: 8, streamsAtHead: 4 });
    expect(result.seal?.digestAtHead).toBe(second.digest);
  });

  it('names where a rewrite with fresh hashes begins at the latest, from the seals that still match', async () => {
    const records = rewrite(await recordsOf(store), 'ticket-a', 3n);
    // The chain alone is whole.
    const plain = new LogVerifier(defaultHashOf, true);
    for (const r of records) plain.add(r);
    expect(plain.result().intact).toBe(true);

    const result = verify(records, held(first, second));
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'rewritten', streamId: 'ticket-a', revision: '4', position: '7' })]);
    expect(result.first?.detail).toMatch(/revision 2 still matches seal #0, so the rewrite begins after it/);
  });

  it('reports a seal missing from both the files and the log, and then proves what the rest can', async () => {
    // EventStoreDB-like: positions with gaps prove nothing by themselves.
    const records = (await recordsOf(store)).filter((r) => !(r.streamId === SEAL_STREAM && r.revision === 0n));
    const result = verify(records, held(second), false);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'missing', streamId: SEAL_STREAM, revision: '0' })]);
    expect(result.first?.detail).toMatch(/seal #0, which seal #1 follows, is neither in the seal files nor, signed by a trusted key, in the log/);
    expect(result.seal).toMatchObject({ chainComplete: false, proven: false });
  });

  it('does not take a seal in the log signed by another key to fill a gap', async () => {
    const forger = testSealKey();
    const forged = new InMemoryEventStore();
    await appendChained(forged, 'ticket-a', 1);
    const forgedSeal = (await new LogSealer({ store: forged, key: () => forger, clock }).seal())[0]!.seal;
    const records = (await recordsOf(store)).map((r) => (r.streamId === SEAL_STREAM && r.revision === 0n ? { ...r, event: { ...r.event!, data: forgedSeal } } : r));
    const result = verify(records, held(second), false);
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'missing', streamId: SEAL_STREAM, revision: '0' }));
  });

  it('finds events the seals do not account for, slipped in before the head', async () => {
    const records = await recordsOf(store);
    const forged: StoredEvent = { ...records[0]!.event!, streamId: 'ticket-z', position: { commit: 2n, prepare: 1n } };
    const withForged = [records[0]!, { streamId: 'ticket-z', revision: 0n, position: forged.position, event: { ...forged, metadata: { ...forged.metadata, hash: eventHash(forged) } } }, ...records.slice(1)];
    const result = verify(withForged, held(first, second), false);
    expect(result.findings).toEqual([expect.objectContaining({ kind: 'unsealed', streamId: 'ticket-z', revision: '0' })]);
  });

  it('says a cut-off log ends before the head, naming the sealed head event', async () => {
    const records = (await recordsOf(store)).filter((r) => r.position.commit <= 6n);
    const result = verify(records, held(second));
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'truncated', streamId: 'ticket-c', revision: '0', position: '8' }));
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'missing', streamId: 'ticket-a', revision: '4', position: '7' }));
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'missing', streamId: 'ticket-c', revision: '0', position: '8' }));
  });

  it('a digest that does not match is reported even when no single head can be named', async () => {
    // A seal whose heads all hold but whose digest does not (only a broken sealer or a forged key
    // could make one): the digest check stands on its own.
    const odd: Seal = { ...second, digest: 'f'.repeat(64) };
    const records = (await recordsOf(store)).map((r) => (r.streamId === SEAL_STREAM && r.revision === 1n ? { ...r, event: { ...r.event!, data: odd } } : r));
    const result = verify(records, held(odd));
    expect(result.findings).toContainEqual(expect.objectContaining({ kind: 'rewritten', streamId: null, position: '8' }));
    expect(result.findings.find((f) => f.streamId === null)?.detail).toMatch(/up to global position 8 the log has 8 events in 4 streams with digest [0-9a-f]{12}…, but seal #1 recorded 8 events in 4 streams with digest ffffffffffff…/);
  });
});
