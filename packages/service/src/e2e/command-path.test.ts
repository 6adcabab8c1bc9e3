import { createHash } from 'node:crypto';
import { ticketDecider } from '@support-sla/domain';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { countingReads } from '../testing/counting-store';
import { WrongExpectedRevisionError, type AppendResult, type EventStore, type ExpectedRevision, type NewEvent } from '../event-store/event-store.port';
import { ManualClock } from '../application/clock';
import {
  CommandExecutor,
  ConcurrencyConflictError,
  DomainRuleViolation,
  ImplausibleInstantError,
  implausibleInstants,
  UnstorableEventError,
  type CommandContext,
  type Sealer,
} from '../application/command-executor';
import type { TicketNumberAllocator } from '../application/ticket-number';
import type { AuthenticatedUser } from '../auth/token.service';
import { ticketStream } from '../event-store/streams';
import { OutageBoardCommand, OutageBoardHandler } from '../outages/outage.commands';
import { PolicyHistoryCache } from '../policies/policy-history';
import { readTicket, TicketNotFoundError } from '../tickets/ticket-access';
import type { OpenTicketBody } from '../tickets/ticket.bodies';
import { OpenTicketCommand, OpenTicketHandler, TicketActionCommand, TicketActionHandler, type TicketAction } from '../tickets/ticket.commands';

// A plain chain for these tests; the service's real sealer is tested with the hash-chain module.
const seal: Sealer = (streamId, firstRevision, previousHash, events) => {
  let prev = previousHash;
  return events.map((e, i): NewEvent => {
    const hash = createHash('sha256').update(`${streamId}/${firstRevision + BigInt(i)}/${prev}/${JSON.stringify(e.data)}`).digest('hex');
    const sealed = { ...e, metadata: { ...e.metadata, previousHash: prev, hash } };
    prev = hash;
    return sealed;
  });
};

class Numbers implements TicketNumberAllocator {
  private readonly byId = new Map<string, string>();
  async numberFor(ticketId: string): Promise<string> {
    let n = this.byId.get(ticketId);
    if (n === undefined) {
      n = `SS-${String(this.byId.size + 1).padStart(6, '0')}`;
      this.byId.set(ticketId, n);
    }
    return n;
  }
  async ticketIdOf(ticketNumber: string): Promise<string | undefined> {
    return [...this.byId].find(([, n]) => n === ticketNumber)?.[0];
  }
}

const admin: AuthenticatedUser = { id: 'u-ada', role: 'administrator', org: 'acme', email: 'ada@acme.example', name: 'Ada' };
const teacher: AuthenticatedUser = { id: 'u-tom', role: 'teacher', org: 'acme', email: 'tom@acme.example' };
const agent: AuthenticatedUser = { id: 'u-agent', role: 'agent', org: 'support' };
const ctx = (caller: AuthenticatedUser, idempotencyKey?: string) => ({
  actorId: caller.id,
  actorRole: caller.role,
  correlationId: 'corr-1',
  causationId: 'req-1',
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});
const request = { summary: 'Cannot export grades', description: 'The export button does nothing since Monday.' };

const setup = (store: EventStore = new InMemoryEventStore(), maxAttempts = 5) => {
  const clock = new ManualClock(new Date('2026-03-06T22:30:00Z')); // Friday 17:30 New York
  const executor = new CommandExecutor(store, { clock: () => clock.now(), seal, maxAttempts });
  const numbers = new Numbers();
  const open = new OpenTicketHandler(executor, numbers, clock, new PolicyHistoryCache(executor));
  const act = new TicketActionHandler(executor, numbers);
  // The tickets slice's command handlers, called as the command bus calls them.
  const tickets = {
    open: (body: OpenTicketBody, caller: AuthenticatedUser, context: CommandContext) => open.execute(new OpenTicketCommand(body, caller, context)),
    act: <T extends TicketAction>(action: T, ref: string, data: TicketActionCommand<T>['data'], caller: AuthenticatedUser, context: CommandContext) =>
      act.execute(new TicketActionCommand(action, ref, data, caller, context)),
    find: (ref: string, caller: AuthenticatedUser) => readTicket(executor, numbers, ref, caller),
  };
  return { store, clock, executor, tickets };
};

describe('CommandExecutor through the ticket handlers', () => {
  test('opening a ticket appends the decided events with full metadata and a hash chain', async () => {
    const { store, tickets } = setup();
    const result = await tickets.open({ channel: 'email', request }, admin, ctx(admin));
    expect(result.events.map((e) => e.type)).toEqual(expect.arrayContaining(['TicketOpened']));
    const stored = await store.readStream(result.streamId);
    expect(stored).toHaveLength(result.events.length);
    const first = stored[0]!;
    expect(first.metadata).toMatchObject({
      actorId: 'u-ada',
      actorRole: 'administrator',
      correlationId: 'corr-1',
      causationId: 'req-1',
      recordedAt: '2026-03-06T22:30:00.000Z',
      occurredAt: '2026-03-06T22:30:00.000Z',
      organization: 'acme',
      schemaVersion: 1,
      previousHash: '',
    });
    expect(stored[1]?.metadata.previousHash ?? first.metadata.hash).toBe(first.metadata.hash);
    expect(result.revision).toBe(BigInt(stored.length - 1));
  });

  test('a phone message entered late occurred at its receipt and was recorded now', async () => {
    const { store, tickets } = setup();
    const namedUser = { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' as const };
    const result = await tickets.open(
      { channel: 'phone', request, organization: 'acme', namedUser, receivedAt: '2026-03-06T21:00:00Z' },
      agent,
      ctx(agent),
    );
    const [opened] = await store.readStream(result.streamId);
    expect(opened?.metadata.occurredAt).toBe('2026-03-06T21:00:00Z');
    expect(opened?.metadata.recordedAt).toBe('2026-03-06T22:30:00.000Z');
  });

  test('a business rule refusal is a DomainRuleViolation carrying the domain code, and nothing is appended', async () => {
    const { store, tickets } = setup();
    await expect(tickets.open({ channel: 'phone', request }, teacher, ctx(teacher))).rejects.toMatchObject({
      name: 'DomainRuleViolation',
      error: { code: 'CHANNEL_NOT_ENTITLED' },
    });
    expect(await store.readAll()).toHaveLength(0);
  });

  test('a retried keyed request appends nothing the second time and answers with the same events', async () => {
    const { store, tickets } = setup();
    const first = await tickets.open({ channel: 'chat', request }, teacher, ctx(teacher, 'key-1'));
    const again = await tickets.open({ channel: 'chat', request }, teacher, ctx(teacher, 'key-1'));
    expect(again.streamId).toBe(first.streamId);
    expect(again.events).toEqual(first.events);
    expect(await store.readAll()).toHaveLength(first.events.length);
  });

  test('a version conflict is retried on fresh state', async () => {
    const inner = new InMemoryEventStore();
    // Another writer on the same store (another process, say) with an executor of its own.
    const { tickets: other } = setup(inner);
    let interfere = true;
    const racing: EventStore = Object.assign(Object.create(inner) as EventStore, {
      appendToStream: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
        if (interfere && streamId.startsWith('ticket-') && expected !== 'no-stream') {
          interfere = false;
          // The other writer changes the ticket first.
          await other.act('AwaitCustomer', ticketId, { reason: 'Which browser?' }, agent, ctx(agent));
        }
        return inner.appendToStream(streamId, events, expected);
      },
      readStream: inner.readStream.bind(inner),
    });
    const { tickets } = setup(racing);
    const opened = await tickets.open({ channel: 'email', request }, admin, ctx(admin));
    const ticketId = opened.streamId.slice('ticket-'.length);
    const classified = await tickets.act('ClassifyTicket', ticketId, { category: 'personal/how-to' }, agent, ctx(agent));
    expect(classified.retries).toBe(1);
    const types = (await inner.readStream(ticketStream(ticketId))).map((e) => e.type);
    expect(types.indexOf('TicketClassified')).toBeGreaterThan(types.indexOf('TicketAwaitingCustomer'));
  });

  test('commands on one stream in one process queue behind each other instead of racing', async () => {
    const { store, tickets } = setup();
    const opened = await tickets.open({ channel: 'email', request }, admin, ctx(admin));
    const ticketId = opened.streamId.slice('ticket-'.length);
    let appends = 0;
    let overlapping = 0;
    let inFlight = 0;
    const slow: EventStore = Object.assign(Object.create(store) as EventStore, {
      appendToStream: async (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult> => {
        appends++;
        inFlight++;
        if (inFlight > 1) overlapping++;
        // A write that takes a while to commit, as a group commit does.
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return store.appendToStream(streamId, events, expected);
      },
      readStream: store.readStream.bind(store),
    });
    const { tickets: same } = setup(slow);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => same.act('ClassifyTicket', ticketId, { category: 'personal/how-to', stepsToReproduce: `step ${i}` }, agent, ctx(agent))),
    );
    expect(results.map((r) => r.retries)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(overlapping).toBe(0);
    expect(appends).toBe(6);
    const steps = (await store.readStream(ticketStream(ticketId))).filter((e) => e.type === 'TicketClassified').map((e) => (e.data as { stepsToReproduce?: string }).stepsToReproduce);
    expect(steps).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
  });

  test('a new stream (a random id) is not read before the first attempt; if it exists after all, the next attempt reads it', async () => {
    const { store: counted, reads } = countingReads(new InMemoryEventStore());
    const { tickets } = setup(counted);
    const opened = await tickets.open({ channel: 'email', request }, admin, ctx(admin));
    expect(reads.filter((s) => s === opened.streamId)).toEqual([]);
    expect(opened.retries).toBe(0);
    // A keyed open may be a retry of one that was stored: it reads its stream before claiming a
    // number (a retry racing on another replica is told by the store's append result, not a read).
    const keyed = await tickets.open({ channel: 'email', request }, admin, ctx(admin, 'open-once'));
    expect(reads.filter((s) => s === keyed.streamId)).toHaveLength(1);

    // The executor itself: a stream said to be new that exists is read on the second attempt.
    const { executor } = setup(counted);
    reads.length = 0;
    const again = await executor.execute(
      ticketDecider,
      opened.streamId,
      (state, now) => ({ type: 'ClassifyTicket', now, actor: { id: agent.id, role: agent.role }, data: { ticketId: opened.streamId.slice('ticket-'.length), category: 'personal/how-to' } }) as never,
      ctx(agent),
      { newStream: true },
    );
    expect(again.retries).toBe(1);
    expect(reads).toEqual([opened.streamId]);
  });

  test('past the bounded attempts a conflict becomes ConcurrencyConflictError', async () => {
    const inner = new InMemoryEventStore();
    const { tickets: seeder } = setup(inner);
    const opened = await seeder.open({ channel: 'email', request }, admin, ctx(admin));
    const ticketId = opened.streamId.slice('ticket-'.length);
    let appends = 0;
    const alwaysBehind: EventStore = Object.assign(Object.create(inner) as EventStore, {
      appendToStream: async (streamId: string, events: readonly NewEvent[]) => {
        appends++;
        throw new WrongExpectedRevisionError(streamId, 0n, BigInt(events.length + 99));
      },
      readStream: inner.readStream.bind(inner),
    });
    const { tickets } = setup(alwaysBehind, 3);
    await expect(tickets.act('ClassifyTicket', ticketId, { category: 'personal/how-to' }, agent, ctx(agent))).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    expect(appends).toBe(3);
  });

  test('requesters see only their own tickets; other people get "not found"', async () => {
    const { tickets } = setup();
    const opened = await tickets.open({ channel: 'email', request }, admin, ctx(admin));
    const ticketId = opened.streamId.slice('ticket-'.length);
    await expect(tickets.find(ticketId, teacher)).rejects.toBeInstanceOf(TicketNotFoundError);
    await expect(tickets.find(ticketId, { ...admin, org: 'other-org' })).rejects.toBeInstanceOf(TicketNotFoundError);
    expect((await tickets.find(ticketId, admin)).ticket.ticketNumber).toBe('SS-000001');
    expect((await tickets.find('SS-000001', agent)).ticketId).toBe(ticketId);
  });

  test('requesters may not open on behalf of someone else', async () => {
    const { tickets } = setup();
    await expect(
      tickets.open({ channel: 'email', request, namedUser: { id: 'x', email: 'x@y.example', license: 'teacher' } }, admin, ctx(admin)),
    ).rejects.toBeInstanceOf(DomainRuleViolation);
  });
});

describe('nothing is stored that cannot be read back (issue 20)', () => {
  const monitor: AuthenticatedUser = { id: 'mon-chicago', role: 'monitor', org: 'ops' };

  test('an event that would not decode again is refused, naming the field, and nothing is appended', async () => {
    const { store, tickets } = setup();
    // A requester whose e-mail the domain's Email codec refuses (the token check stops this at
    // the door; the executor is the last line behind it).
    const localhost: AuthenticatedUser = { ...admin, email: 'ada@localhost' };
    const refused = tickets.open({ channel: 'email', request }, localhost, ctx(localhost));
    await expect(refused).rejects.toBeInstanceOf(UnstorableEventError);
    await expect(refused).rejects.toMatchObject({ eventType: 'TicketOpened', issues: [expect.objectContaining({ field: 'namedUser.email', message: expect.stringContaining('Email') })] });
    expect(await store.readAll()).toHaveLength(0);
  });

  test('a client-supplied instant outside the plausible window is refused before anything is decided', async () => {
    const { store, executor, clock } = setup();
    const outages = new OutageBoardHandler(executor);
    const report = (observedAt: string) => outages.execute(new OutageBoardCommand('ReportMonitorStatus', { monitor: 'chicago', status: 'down', observedAt }, monitor, ctx(monitor)));
    // The instant the issue found accepted: UTC 1900-12-31T00:01, which made an OutageDeclared
    // the decoder refuses (GET /outages answered 500).
    for (const observedAt of ['1901-01-01T00:00:00+23:59', '1999-12-31T23:59:59Z', new Date(clock.now().getTime() + 6 * 60_000).toISOString()]) {
      await expect(report(observedAt)).rejects.toMatchObject({ name: 'ImplausibleInstantError', issues: [expect.objectContaining({ field: 'observedAt' })] });
    }
    const late = tickets(setup()).open(
      { channel: 'phone', request, organization: 'acme', namedUser: { id: 'u-ada', email: 'ada@acme.example', license: 'administrator' }, receivedAt: '1970-01-01T00:00:00Z' },
      agent,
      ctx(agent),
    );
    await expect(late).rejects.toBeInstanceOf(ImplausibleInstantError);
    expect(await store.readAll()).toHaveLength(0);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(implausibleInstants({ observedAt: '2000-01-01T00:00:00Z' }, now)).toEqual([]);
    // A receipt later than now is the domain's refusal (422 RECEIVED_IN_FUTURE), not the window's.
    expect(implausibleInstants({ receivedAt: '2026-01-01T01:00:00Z' }, now)).toEqual([]);
    expect(implausibleInstants({ occurredAt: '1999-01-01T00:00:00Z' }, now)).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    expect((await report(new Date(clock.now().getTime() - 60_000).toISOString())).events.map((e) => e.type)).toEqual(['MonitorReportedStatus']);
  });
});

const tickets = (s: ReturnType<typeof setup>) => s.tickets;
