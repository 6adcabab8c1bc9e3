/**
 * Fills a SQLite event store with realistic ticket histories for the scaling benchmark, through
 * the event-store port rather than over HTTP. Each ticket's commands run through the real
 * tickets slice (its command handlers → CommandExecutor → domain decider → hash chain) against a
 * scratch in-memory store; the resulting sealed stream is then appended to SQLite in one
 * `appendToStream` call. Ticket numbers are claimed in the file itself, as the service claims them
 * (one `claim-SS-…` stream of one event per ticket, counted in the log's events), so the service
 * finds the tickets by number too, and numbers the file's legacy table gave out are not repeated.
 */
import { CommandExecutor } from '../application/command-executor';
import type { AuthenticatedUser } from '../auth/token.service';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import type { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { PolicyHistoryCache } from '../policies/policy-history';
import { OpenTicketCommand, OpenTicketHandler, TicketActionCommand, TicketActionHandler, type TicketAction } from '../tickets/ticket.commands';
import { sealEvents } from '../hash-chain';
import { LegacyTicketNumbers, StoreTicketNumberAllocator } from '../platform/ticket-numbers';

export interface SeedProgress {
  /** Events in the log after this call. */
  readonly events: number;
  /** Tickets this call created. */
  readonly tickets: number;
  /** A sample of ticket ids (for read benchmarks). */
  readonly sample: readonly string[];
  /** How many seeded tickets are still open. */
  readonly open: number;
}

const REQUESTER: AuthenticatedUser = { id: 'u-seed', role: 'teacher', org: 'acme', email: 'seed@acme.example', name: 'Seed' };
const AGENT: AuthenticatedUser = { id: 'u-agent', role: 'agent', org: 'support' };

/**
 * Appends whole ticket lifecycles until the log holds at least `targetEvents` events. One ticket
 * in `openEvery` is left open (classified only) so that the queue is not empty.
 */
export async function seedTickets(store: SqliteEventStore, targetEvents: number, options: { openEvery?: number; start?: Date } = {}): Promise<SeedProgress> {
  const openEvery = options.openEvery ?? 50;
  const count = (): number => (store.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  // Seeding is a bulk load, not a command path: the benchmark trades durability for speed here
  // only (the service reopens the file with synchronous = FULL).
  store.db.pragma('synchronous = OFF');
  let now = options.start?.getTime() ?? Date.parse('2025-01-06T14:00:00Z');
  const clock = (): Date => new Date(now);
  const numbers = new StoreTicketNumberAllocator({ store, legacy: new LegacyTicketNumbers(store.db), clock });
  let events = count();
  let tickets = 0;
  let open = 0;
  const sample: string[] = [];
  try {
    while (events < targetEvents) {
      const scratch = new InMemoryEventStore();
      const executor = new CommandExecutor(scratch, { clock, seal: sealEvents });
      // Seeded tickets pin the default policy (the scratch store has no policy stream).
      const openTicket = new OpenTicketHandler(executor, numbers, { now: clock }, new PolicyHistoryCache(executor));
      const act = new TicketActionHandler(executor, numbers);
      const context = (step: string) => ({ actorId: AGENT.id, actorRole: AGENT.role, correlationId: `seed-${tickets}`, causationId: `seed-${tickets}-${step}` });
      const body = { channel: 'email' as const, request: { summary: `Seeded ${tickets}`, description: 'Bulk-loaded history' } };
      const opened = await openTicket.execute(new OpenTicketCommand(body, REQUESTER, { ...context('open'), actorId: REQUESTER.id, actorRole: REQUESTER.role }));
      const ticketId = opened.streamId.slice('ticket-'.length);
      const step = async (type: TicketAction, data: Record<string, unknown>): Promise<void> => {
        now += 60_000;
        await act.execute(new TicketActionCommand(type, ticketId, data as never, AGENT, context(type)));
      };
      now += 60_000;
      await step('ClassifyTicket', { category: 'personal/how-to' });
      const leaveOpen = tickets % openEvery === 0;
      if (!leaveOpen) {
        await step('AcknowledgeTicket', {});
        await step('RespondToTicket', { message: 'Here is how', definedAs: 'support-item' });
        await step('ResolveTicket', { resolution: 'Explained' });
        await step('CloseTicket', { resolutionDetails: 'Explained in full' });
      } else {
        open++;
      }
      const stream = await scratch.readStream(opened.streamId);
      await store.appendToStream(
        opened.streamId,
        stream.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
        'no-stream',
      );
      events += stream.length;
      tickets++;
      if (sample.length < 1000) sample.push(ticketId);
      else if (Math.random() < 1000 / tickets) sample[Math.floor(Math.random() * 1000)] = ticketId;
      // Business hours come and go; spread tickets over time like a real desk.
      now += 17 * 60_000;
    }
  } finally {
    store.db.pragma('synchronous = FULL');
  }
  return { events, tickets, sample, open };
}
