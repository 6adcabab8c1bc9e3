/**
 * Test-only helpers shared by the EventStoreDB adapter tests (not exported from the package).
 */
import { randomUUID } from 'node:crypto';
import type { EventMetadata, EventStore, GlobalPosition, NewEvent, StoredEvent, SubscribeToAllOptions, Subscription } from '../event-store.port';

/** A port event with complete service metadata. */
export function newEvent(type: string, data: unknown, extra: Partial<EventMetadata> = {}): NewEvent {
  const correlationId = randomUUID();
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      correlationId,
      causationId: correlationId,
      actorId: 'user-1',
      actorRole: 'agent',
      occurredAt: '2026-01-05T09:00:00Z',
      recordedAt: '2026-01-05T09:00:01Z',
      schemaVersion: 1,
      previousHash: '',
      hash: 'ab'.repeat(32),
      ...extra,
    },
  };
}

/** Records what a subscription delivers, with helpers to wait for it. */
export class Recorder {
  readonly events: StoredEvent[] = [];
  readonly checkpoints: GlobalPosition[] = [];
  readonly errors: Error[] = [];
  subscription?: Subscription;

  subscribe(store: EventStore, options: Omit<SubscribeToAllOptions, 'onEvent' | 'onCheckpoint' | 'onError'>): this {
    this.subscription = store.subscribeToAll({
      ...options,
      onEvent: (event) => void this.events.push(event),
      onCheckpoint: (position) => void this.checkpoints.push(position),
      onError: (error) => void this.errors.push(error),
    });
    return this;
  }

  async waitFor(predicate: (r: this) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (this.errors[0]) throw this.errors[0];
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${this.events.length} events`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }
}

/** Lets in-flight deliveries land before asserting that nothing more arrives. */
export const settle = (ms = 150): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `predicate` holds. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
