import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { EventStore } from '../event-store/event-store.port';
import { sealEvents } from '../hash-chain';
import { keyIdOf, publicKeyText, type Seal } from './seal';
import type { SealKey } from './seal-key';
import type { SealSink } from './seal-sinks';

/** A fresh Ed25519 seal key held in memory. */
export function testSealKey(): SealKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const text = publicKeyText(publicKey);
  return { privateKey, publicKey: text, keyId: keyIdOf(text), source: 'environment', file: undefined };
}

/** Appends `count` hash-chained events to a stream, as the service's write path seals them. */
export async function appendChained(store: EventStore, streamId: string, count = 1): Promise<void> {
  const head = (await store.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0];
  const events = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: 'Noted',
    data: { streamId, n: i },
    metadata: {
      correlationId: 'c',
      causationId: 'c',
      actorId: 'agent-1',
      actorRole: 'agent',
      occurredAt: '2026-03-10T13:00:00.000Z',
      recordedAt: '2026-03-10T13:00:00.000Z',
      schemaVersion: 1,
    },
  }));
  await store.appendToStream(streamId, sealEvents(streamId, head === undefined ? 0n : head.revision + 1n, head?.metadata.hash ?? '', events), head?.revision ?? 'no-stream');
}

/** A sink that keeps what it is given. */
export function memorySink(name = 'memory'): SealSink & { readonly seals: Seal[] } {
  const seals: Seal[] = [];
  return { name, seals, write: async (seal) => void seals.push(seal) };
}
