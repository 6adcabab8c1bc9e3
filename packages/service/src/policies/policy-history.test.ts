import { defaultPolicy, type SlaPolicy } from '@support-sla/domain';
import { CommandExecutor, type CommandContext } from '../application/command-executor';
import type { EventStore } from '../event-store/event-store.port';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { sealEvents } from '../hash-chain';
import { countingReads } from '../testing/counting-store';
import { POLICY_RECHECK_MS, PolicyHistoryCache } from './policy-history';
import { PolicySeeder, PublishPolicyCommand, PublishPolicyHandler } from './policy.commands';

const admin = { id: 'u-admin', role: 'admin' as const, org: 'support' };
const context = (key: string) => ({ actorId: admin.id, actorRole: admin.role, correlationId: key, causationId: key, idempotencyKey: key });
const now = () => new Date('2026-03-10T14:00:00Z');

test('the policy in force comes from the cache for a short while, from this process at once, from another process within the recheck time', async () => {
  const inner = new InMemoryEventStore();
  const { store, reads } = countingReads(inner);
  // A process's policies: its cached history and its publish handler, on its own executor.
  const processOn = (s: EventStore) => {
    const executor = new CommandExecutor(s, { clock: now, seal: sealEvents });
    const policies = new PolicyHistoryCache(executor);
    const handler = new PublishPolicyHandler(executor, { now }, policies);
    return Object.assign(policies, { publish: (policy: SlaPolicy, caller: typeof admin, ctx: CommandContext) => handler.execute(new PublishPolicyCommand(policy, caller, ctx)), handler });
  };
  const here = processOn(store);
  const elsewhere = processOn(inner);
  await new PolicySeeder(here, here.handler).onApplicationBootstrap();
  expect((await here.current()).version).toBe(defaultPolicy.version);

  // Opens in quick succession: no look at the store.
  const before = reads.length;
  for (let i = 0; i < 5; i++) expect((await here.current()).version).toBe(defaultPolicy.version);
  expect(reads.length).toBe(before);

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
