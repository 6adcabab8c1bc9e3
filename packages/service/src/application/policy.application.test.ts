import { defaultPolicy } from '@support-sla/domain';
import type { EventStore, ReadStreamOptions } from '../event-store/event-store.port';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { sealEvents } from '../hash-chain';
import { CommandExecutor } from './command-executor';
import { POLICY_RECHECK_MS, PolicyApplication } from './policy.application';

const admin = { id: 'u-admin', role: 'admin' as const, org: 'support' };
const context = (key: string) => ({ actorId: admin.id, actorRole: admin.role, correlationId: key, causationId: key, idempotencyKey: key });
const now = () => new Date('2026-03-10T14:00:00Z');

/** Counts reads of the store, to tell the cache from a look at the store. */
const counting = (inner: EventStore): { store: EventStore; reads: () => number } => {
  let reads = 0;
  const store = Object.assign(Object.create(inner) as EventStore, {
    readStream: (streamId: string, options?: ReadStreamOptions) => {
      reads++;
      return inner.readStream(streamId, options);
    },
  });
  return { store, reads: () => reads };
};

test('the policy in force comes from the cache for a short while, from this process at once, from another process within the recheck time', async () => {
  const inner = new InMemoryEventStore();
  const { store, reads } = counting(inner);
  const here = new PolicyApplication(new CommandExecutor(store, { clock: now, seal: sealEvents }), now);
  const elsewhere = new PolicyApplication(new CommandExecutor(inner, { clock: now, seal: sealEvents }), now);
  await here.seedDefault();
  expect((await here.current()).version).toBe(defaultPolicy.version);

  // Opens in quick succession: no look at the store.
  const before = reads();
  for (let i = 0; i < 5; i++) expect((await here.current()).version).toBe(defaultPolicy.version);
  expect(reads()).toBe(before);

  // Published through this process: in force at once.
  await here.publish({ ...defaultPolicy, version: 2 }, admin, context('v2'));
  expect((await here.current()).version).toBe(2);

  // Published by another process: in force here once the recheck time has passed.
  await elsewhere.publish({ ...defaultPolicy, version: 3 }, admin, context('v3'));
  expect((await here.current()).version).toBe(2);
  await new Promise((r) => setTimeout(r, POLICY_RECHECK_MS + 20));
  expect((await here.current()).version).toBe(3);
  // history() (GET /policies) is never stale.
  await elsewhere.publish({ ...defaultPolicy, version: 4 }, admin, context('v4'));
  expect((await here.history()).versions.map((v) => v.policy.version)).toEqual([1, 2, 3, 4]);
});
