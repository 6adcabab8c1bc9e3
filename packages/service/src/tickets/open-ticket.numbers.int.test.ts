import { ManualClock } from '../application/clock';
import { CommandExecutor, type CommandContext } from '../application/command-executor';
import type { AuthenticatedUser } from '../auth/token.service';
import type { EventStore } from '../event-store/event-store.port';
import { CLAIM_STREAM_PREFIX, TICKET_NUMBER_FLOOR_STREAM } from '../event-store/streams';
import { sealEvents } from '../hash-chain';
import { StoreTicketNumberAllocator } from '../platform/ticket-numbers';
import { PolicyHistoryCache } from '../policies/policy-history';
import { SHARED_STORES } from '../testing/shared-stores';
import { readTicket } from './ticket-access';
import type { OpenTicketBody } from './ticket.bodies';
import { OpenTicketCommand, OpenTicketHandler } from './ticket.commands';

const teacher: AuthenticatedUser = { id: 'u-tom', role: 'teacher', org: 'acme', email: 'tom@acme.example' };
const agent: AuthenticatedUser = { id: 'u-agent', role: 'agent', org: 'support' };
const request = { summary: 'Cannot export grades', description: 'The export button does nothing since Monday.' };
const ctx = (caller: AuthenticatedUser, idempotencyKey?: string): CommandContext => ({
  actorId: caller.id,
  actorRole: caller.role,
  correlationId: 'corr-1',
  causationId: 'req-1',
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

/** One service replica on `store`: its own executor, allocator and open handler. */
const replica = (store: EventStore) => {
  const clock = new ManualClock(new Date('2026-03-06T22:30:00Z'));
  const executor = new CommandExecutor(store, { clock: () => clock.now(), seal: sealEvents });
  const numbers = new StoreTicketNumberAllocator({ store });
  const handler = new OpenTicketHandler(executor, numbers, clock, new PolicyHistoryCache(executor));
  return {
    numbers,
    open: async (body: OpenTicketBody, caller: AuthenticatedUser, context: CommandContext) => {
      const result = await handler.execute(new OpenTicketCommand(body, caller, context));
      const state = result.state as { ticketNumber?: string };
      return { ...result, ticketId: result.streamId.slice('ticket-'.length), ticketNumber: state.ticketNumber! };
    },
    find: (ref: string, caller: AuthenticatedUser) => readTicket(executor, numbers, ref, caller),
  };
};

const claimStreams = async (store: EventStore): Promise<string[]> =>
  (await store.readAll({ maxCount: 10_000 })).map((e) => e.streamId).filter((s) => s.startsWith(CLAIM_STREAM_PREFIX) && s !== TICKET_NUMBER_FLOOR_STREAM);

const suite = (name: string, make: () => Promise<{ replica: () => EventStore; close(): Promise<void> }>): void => {
  describe(`opening tickets with numbers claimed in the ${name} store`, () => {
    let fixture: Awaited<ReturnType<typeof make>>;
    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('a refused open (422 or 400) claims nothing; the next open gets SS-000001', async () => {
      const store = fixture.replica();
      const one = replica(store);
      // A business rule: a teacher's licence does not cover the phone channel (422).
      await expect(one.open({ channel: 'phone', request }, teacher, ctx(teacher))).rejects.toMatchObject({ name: 'DomainRuleViolation', error: { code: 'CHANNEL_NOT_ENTITLED' } });
      // A receipt time in the future (422 from the domain) and one before 2000 (400 at the boundary).
      const namedUser = { id: 'u-tom', email: 'tom@acme.example', license: 'teacher' as const };
      const onBehalf = { channel: 'phone' as const, request, organization: 'acme', namedUser };
      await expect(one.open({ ...onBehalf, receivedAt: '2026-03-07T22:30:00Z' }, agent, ctx(agent))).rejects.toMatchObject({ name: 'DomainRuleViolation' });
      await expect(one.open({ ...onBehalf, receivedAt: '1970-01-01T00:00:00Z' }, agent, ctx(agent))).rejects.toMatchObject({ name: 'ImplausibleInstantError' });
      expect(await claimStreams(store)).toEqual([]);
      expect(one.numbers.claims).toBe(0);

      const opened = await one.open({ channel: 'chat', request }, teacher, ctx(teacher));
      expect(opened.ticketNumber).toBe('SS-000001');
      expect(await claimStreams(store)).toEqual(['claim-SS-000001']);
    });

    it('two replicas opening concurrently: distinct dense numbers, and each ticket found by number on either', async () => {
      const a = replica(fixture.replica());
      const b = replica(fixture.replica());
      const opened = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).open({ channel: 'chat', request: { ...request, summary: `#${i}` } }, teacher, ctx(teacher))));
      const numbers = opened.map((o) => o.ticketNumber).sort();
      expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => `SS-${String(i + 1).padStart(6, '0')}`));
      for (const o of opened) {
        expect((await a.find(o.ticketNumber, teacher)).ticketId).toBe(o.ticketId);
        expect((await b.find(o.ticketNumber, teacher)).ticket.request.summary).toBe((await a.find(o.ticketId, teacher)).ticket.request.summary);
      }
    });

    it('a keyed retry on another replica answers with the same ticket and number and claims nothing', async () => {
      const a = replica(fixture.replica());
      const b = replica(fixture.replica());
      const first = await a.open({ channel: 'chat', request }, teacher, ctx(teacher, 'open-42'));
      const retried = await b.open({ channel: 'chat', request }, teacher, ctx(teacher, 'open-42'));
      expect(retried.ticketId).toBe(first.ticketId);
      expect(retried.ticketNumber).toBe(first.ticketNumber);
      expect(retried.events).toEqual(first.events);
      expect(b.numbers.claims).toBe(0);
      expect(await claimStreams(fixture.replica())).toEqual([`claim-${first.ticketNumber}`]);
    });

    it('keyed retries racing on two replicas both answer with the stored ticket\'s number (one claim burned)', async () => {
      const a = replica(fixture.replica());
      const b = replica(fixture.replica());
      const [x, y] = await Promise.all([
        a.open({ channel: 'chat', request }, teacher, ctx(teacher, 'race-1')),
        b.open({ channel: 'chat', request }, teacher, ctx(teacher, 'race-1')),
      ]);
      expect(y.ticketId).toBe(x.ticketId);
      expect(y.ticketNumber).toBe(x.ticketNumber);
      const store = fixture.replica();
      const [opened] = await store.readStream(`ticket-${x.ticketId}`);
      expect((opened?.data as { ticketNumber: string }).ticketNumber).toBe(x.ticketNumber);
      // Claims made: one or two (both read the stream empty); the stored number is one of them.
      const claims = await claimStreams(store);
      expect(claims).toContain(`claim-${x.ticketNumber}`);
      expect(claims.length).toBe(a.numbers.claims + b.numbers.claims);
    });
  });
};

for (const [name, open] of SHARED_STORES) suite(name, async () => {
  const shared = await open();
  return { replica: () => shared.connect(), close: () => shared.close() };
});
