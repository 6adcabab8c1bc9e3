/**
 * Test fixture: writes a realistic little history into any event store through the service's
 * own write path (the `CommandExecutor`, the domain deciders and the hash-chain sealer), so
 * the audit commands are tested on exactly what the service stores.
 */
import { defaultPolicy, outageDecider, policyDecider, ticketDecider, type Actor, type SlaPolicy } from '@support-sla/domain';
import { CommandExecutor, type Sealer } from '../../../application/command-executor';
import { sealEvents, type UnsealedEvent } from '../../../hash-chain';
import { OUTAGE_BOARD_STREAM, POLICY_STREAM, ticketStream } from '../../../event-store/streams';
import type { EventStore } from '../../../event-store/event-store.port';

const agent: Actor = { id: 'agent-1', role: 'agent' };
const admin: Actor = { id: 'admin-1', role: 'admin' };
const ada = { id: 'user-ada', email: 'ada@district.example.org', license: 'administrator' as const };
const tess = { id: 'user-tess', email: 'tess@district.example.org', license: 'teacher' as const };
const pat = { id: 'user-pat', email: 'pat@district.example.org', license: 'publisher' as const };
/** A requester acting for themselves: their role is their license. */
const self = (user: typeof ada | typeof tess | typeof pat): Actor => ({ id: user.id, role: user.license });

/** Version 2: Professional confirmations within 2 business hours instead of 4. */
export const policyV2: SlaPolicy = {
  ...defaultPolicy,
  version: 2,
  targets: { ...defaultPolicy.targets, professional: { ...defaultPolicy.targets.professional, confirmation: { kind: 'business-minutes', minutes: 120 } } },
};

/** Ticket ids and numbers the fixture writes, for the tests to ask about. */
export const FIXTURE = {
  phone: { id: 't-phone', number: 'SS-000001' },
  waiting: { id: 't-waiting', number: 'SS-000002' },
  late: { id: 't-late', number: 'SS-000003' },
  afterV2: { id: 't-v2', number: 'SS-000004' },
  outage: { id: 't-outage', number: 'SS-000005' },
  period: { from: '2026-03-01T00:00:00-05:00', to: '2026-04-01T00:00:00-04:00' },
} as const;

/** The service's sealer (its metadata type spells out the same fields the executor's leaves to `Omit`). */
const seal: Sealer = (streamId, firstRevision, previousHash, events) => sealEvents(streamId, firstRevision, previousHash, events as readonly UnsealedEvent[]);

/** Writes the fixture history into `store`; returns how many events were appended. */
export async function writeAuditFixture(store: EventStore): Promise<number> {
  let now = new Date('2026-03-01T00:00:00Z');
  let appended = 0;
  const executor = new CommandExecutor(store, { clock: () => now, seal });
  const context = (actor: Actor, n: number) => ({ actorId: actor.id, actorRole: actor.role, correlationId: `corr-${n}`, causationId: `req-${n}` });
  let n = 0;
  const ticket = async (actor: Actor, at: string, type: string, data: Record<string, unknown>): Promise<void> => {
    now = new Date(at);
    n += 1;
    const command = { type, now: at, actor, data } as Parameters<typeof ticketDecider.decide>[0];
    const result = await executor.execute(ticketDecider, ticketStream(String(data['ticketId'])), command, context(actor, n));
    appended += result.events.length;
  };
  const open = (actor: Actor, at: string, t: { id: string; number: string }, namedUser: typeof ada | typeof tess | typeof pat, policy: SlaPolicy, extra: Record<string, unknown> = {}) =>
    ticket(actor, at, 'OpenTicket', {
      ticketId: t.id,
      ticketNumber: t.number,
      channel: 'email',
      namedUser,
      request: { summary: `Request ${t.number}`, description: 'Something does not work as documented.' },
      policy,
      ...extra,
    });
  const board = async (actor: Actor, at: string, type: string, data: Record<string, unknown>): Promise<void> => {
    now = new Date(at);
    n += 1;
    const command = { type, now: at, actor, data } as Parameters<typeof outageDecider.decide>[0];
    const result = await executor.execute(outageDecider, OUTAGE_BOARD_STREAM, command, context(actor, n));
    appended += result.events.length;
  };

  // A Premium phone message left Friday 6 March 17:30 EST, typed in on Monday 08:10 EDT.
  const phone = FIXTURE.phone;
  await open(agent, '2026-03-09T12:10:00Z', phone, ada, defaultPolicy, { channel: 'phone', receivedAt: '2026-03-06T22:30:00Z' });
  await ticket(agent, '2026-03-09T12:20:00Z', 'ClassifyTicket', { ticketId: phone.id, category: 'personal/how-to' });
  await ticket(agent, '2026-03-09T14:00:00Z', 'RespondToTicket', { ticketId: phone.id, message: 'Here is the plan.', actionPlan: 'Walk through the export settings.' });
  await ticket(agent, '2026-03-10T15:00:00Z', 'ResolveTicket', { ticketId: phone.id, resolution: 'Export settings corrected.' });
  await ticket(agent, '2026-03-10T15:05:00Z', 'CloseTicket', { ticketId: phone.id });

  // A Professional ticket that waits on the customer, then is answered.
  const waiting = FIXTURE.waiting;
  await open(self(tess), '2026-03-10T14:00:00Z', waiting, tess, defaultPolicy);
  await ticket(agent, '2026-03-10T14:30:00Z', 'ClassifyTicket', { ticketId: waiting.id, category: 'technical/question/configuration' });
  await ticket(agent, '2026-03-10T15:00:00Z', 'AwaitCustomer', { ticketId: waiting.id, reason: 'Which school year?' });
  await ticket(self(tess), '2026-03-11T13:00:00Z', 'RecordCustomerReply', { ticketId: waiting.id, message: '2025-26' });
  await ticket(agent, '2026-03-11T15:00:00Z', 'RespondToTicket', { ticketId: waiting.id, message: 'On it.', definedAs: 'support-item' });

  // A Professional ticket nobody answers in time (its response clock breaches).
  const late = FIXTURE.late;
  await open(self(pat), '2026-03-12T13:00:00Z', late, pat, defaultPolicy);

  // The default policy is published as version 1 (the service uses it until then), then
  // version 2; the next ticket pins version 2.
  for (const [at, policy] of [['2026-03-13T12:00:00Z', defaultPolicy], ['2026-03-13T12:05:00Z', policyV2]] as const) {
    now = new Date(at);
    n += 1;
    const command = { type: 'PublishPolicy' as const, now: at, actor: admin, data: { policy } };
    appended += (await executor.execute(policyDecider, POLICY_STREAM, command, context(admin, n))).events.length;
  }
  const afterV2 = FIXTURE.afterV2;
  await open(self(tess), '2026-03-16T13:00:00Z', afterV2, tess, policyV2);
  await ticket(agent, '2026-03-16T16:30:00Z', 'ClassifyTicket', { ticketId: afterV2.id, category: 'personal/how-to' });

  // An outage: all three monitors report down, then Chicago sees it back up; debriefed.
  const monitor = (m: string): Actor => ({ id: `monitor-${m}`, role: 'monitor' });
  for (const [m, at] of [['chicago', '2026-03-17T10:00:00Z'], ['california', '2026-03-17T10:01:00Z'], ['atlanta', '2026-03-17T10:02:00Z']] as const) {
    await board(monitor(m), at, 'ReportMonitorStatus', { monitor: m, status: 'down', observedAt: at });
  }
  const outageTicket = FIXTURE.outage;
  await open(self(ada), '2026-03-17T10:05:00Z', outageTicket, ada, policyV2);
  await ticket(agent, '2026-03-17T10:06:00Z', 'LinkTicketToOutage', { ticketId: outageTicket.id, outageId: 'OUTAGE-0001' });
  await board(monitor('chicago'), '2026-03-17T11:00:00Z', 'ReportMonitorStatus', { monitor: 'chicago', status: 'up', observedAt: '2026-03-17T11:00:00Z' });
  await board(agent, '2026-03-18T15:00:00Z', 'RecordOutageDebrief', {
    outageId: 'OUTAGE-0001',
    whenItOccurred: '2026-03-17 10:02 UTC',
    howItOccurred: 'A certificate expired.',
    preventionPlan: 'Renewal alarms 30 days ahead.',
  });
  return appended;
}
