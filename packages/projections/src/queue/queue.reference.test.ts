import { isTicketEvent, priorityClass, priorityKey, type PriorityRaise, type Ticket, type Tier } from '@support-sla/domain';
import fc from 'fast-check';
import { lowerBound } from '../support/ordering.js';
import { envelopedOf, generateHistory } from '../testing/history.js';
import { evolveTicketState, isTicket } from '../tickets.js';
import { OrderedEntries } from './ordered-entries.js';
import { applyQueueChange, emptyQueueLists, queueListsOf, queueView, type QueueEntry, type QueueLists, type RaisesOf } from './queue.js';

/*
 * The queue as it was kept before the sorted blocks: three sorted arrays, each change a binary
 * search and an array splice. Copied verbatim (but for names) as the reference the new lists must
 * match entry for entry.
 */
interface ReferenceLists {
  readonly overall: QueueEntry[];
  readonly byTier: { readonly premium: QueueEntry[]; readonly professional: QueueEntry[] };
}
const byKey = (a: QueueEntry, b: QueueEntry): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const referenceEntryOf = (ticket: Ticket, raisesOf: RaisesOf): QueueEntry => {
  const raises = raisesOf(ticket);
  const cls = priorityClass(ticket, raises);
  return {
    key: priorityKey(ticket, raises),
    ticketId: ticket.ticketId,
    ticketNumber: ticket.ticketNumber,
    tier: ticket.tier,
    queue: ticket.queue,
    priorityClass: cls,
    usersAffected: cls === 'error' ? (ticket.request.usersAffected ?? 1) : null,
    receivedAtMs: ticket.receivedAtMs,
    awaitingCustomer: ticket.awaitingCustomerSinceMs !== null,
  };
};
const inQueue = (ticket: Ticket | undefined): ticket is Ticket => ticket !== undefined && ticket.status === 'open';
const referenceRemove = (list: QueueEntry[], key: string): void => {
  const at = lowerBound(list, { key } as QueueEntry, byKey);
  if (list[at]?.key === key) list.splice(at, 1);
};
const referenceUpsert = (list: QueueEntry[], previousKey: string | null, entry: QueueEntry): void => {
  if (previousKey === entry.key) {
    const at = lowerBound(list, entry, byKey);
    if (list[at]?.key === entry.key) {
      list[at] = entry;
      return;
    }
  } else if (previousKey !== null) {
    referenceRemove(list, previousKey);
  }
  list.splice(lowerBound(list, entry, byKey), 0, entry);
};
const unchangedForQueue = (a: Ticket, b: Ticket): boolean =>
  a.status === b.status &&
  a.queue === b.queue &&
  a.category === b.category &&
  a.outageId === b.outageId &&
  a.suggestedCategory === b.suggestedCategory &&
  a.request.usersAffected === b.request.usersAffected &&
  a.awaitingCustomerSinceMs === b.awaitingCustomerSinceMs &&
  a.receivedAtMs === b.receivedAtMs;
const referenceApply = (lists: ReferenceLists, before: Ticket | undefined, after: Ticket, raisesOf: RaisesOf): void => {
  const wasQueued = inQueue(before);
  const isQueued = inQueue(after);
  if (!wasQueued && !isQueued) return;
  if (wasQueued && isQueued && unchangedForQueue(before, after)) return;
  const oldEntry = wasQueued ? referenceEntryOf(before, raisesOf) : null;
  if (!isQueued) {
    if (oldEntry !== null) {
      referenceRemove(lists.overall, oldEntry.key);
      referenceRemove(lists.byTier[oldEntry.tier], oldEntry.key);
    }
    return;
  }
  const entry = referenceEntryOf(after, raisesOf);
  referenceUpsert(lists.overall, oldEntry?.key ?? null, entry);
  if (oldEntry !== null && oldEntry.tier !== entry.tier) {
    referenceRemove(lists.byTier[oldEntry.tier], oldEntry.key);
    referenceUpsert(lists.byTier[entry.tier], null, entry);
  } else {
    referenceUpsert(lists.byTier[entry.tier], oldEntry?.key ?? null, entry);
  }
};
const referenceView = (lists: ReferenceLists, options: { readonly tier?: Tier; readonly limit?: number }) => {
  const list = options.tier === undefined ? lists.overall : lists.byTier[options.tier];
  const limit = options.limit ?? list.length;
  return {
    tier: options.tier ?? 'all',
    total: list.length,
    entries: list.slice(0, limit).map((e, i) => ({ ...e, position: i + 1, receivedAt: new Date(e.receivedAtMs).toISOString() })),
  };
};

// Raises a few policies might publish, some of them changing the order of the generated tickets.
const RAISES: readonly PriorityRaise[] = [
  { category: 'personal/how-to', to: 'technical-question' },
  { category: 'technical/question/integration', to: 'error' },
  { category: 'technical/bug', to: 'outage' },
];

const VIEWS: readonly { readonly tier?: Tier; readonly limit?: number }[] = [{}, { tier: 'premium' }, { tier: 'professional' }, { limit: 0 }, { limit: 7 }, { tier: 'premium', limit: 3 }, { limit: -2 }];

// Compared as JSON text (the entries are built field by field in the same order by both), which
// checks every entry and view exactly and is far cheaper than a deep equality at every checkpoint.
const expectSameQueue = (lists: QueueLists, reference: ReferenceLists): void => {
  const json = (value: unknown): string => JSON.stringify(value);
  expect(json([...lists.overall])).toBe(json(reference.overall));
  expect(json([...lists.byTier.premium])).toBe(json(reference.byTier.premium));
  expect(json([...lists.byTier.professional])).toBe(json(reference.byTier.professional));
  for (const options of VIEWS) expect(json(queueView(lists, options))).toBe(json(referenceView(reference, options)));
};

describe('the queue against the sorted-array algorithm it replaced', () => {
  it('gives the same entries, in the same order, and the same views at every checkpoint of random histories', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 300, max: 3_000 }),
        fc.subarray([...RAISES]),
        fc.constantFrom('arrays', 'empty', 'small blocks'),
        fc.integer({ min: 50, max: 400 }),
        (seed, events, raises, start, every) => {
          // Tickets with an odd number pin a policy with the raises (as if published mid-way).
          const raisesOf: RaisesOf = (ticket) => (ticket.ticketNumber.endsWith('1') || ticket.ticketNumber.endsWith('3') ? raises : []);
          // The lists the read models start with today (a literal of plain arrays), emptyQueueLists(),
          // or blocks of at most 4 entries, so that blocks split and merge all along.
          const lists: QueueLists =
            start === 'arrays'
              ? { overall: [], byTier: { premium: [], professional: [] } }
              : start === 'empty'
                ? emptyQueueLists()
                : { overall: new OrderedEntries(4), byTier: { premium: new OrderedEntries(4), professional: new OrderedEntries(4) } };
          const reference: ReferenceLists = { overall: [], byTier: { premium: [], professional: [] } };
          const tickets = new Map<string, Ticket>();
          let n = 0;
          for (const generated of generateHistory({ seed, events })) {
            const { event } = envelopedOf(generated);
            if (!isTicketEvent(event)) continue;
            const before = tickets.get(event.data.ticketId);
            const next = evolveTicketState(before, event);
            if (!isTicket(next) || next === before) continue;
            tickets.set(event.data.ticketId, next);
            applyQueueChange(lists, before, next, raisesOf);
            referenceApply(reference, before, next, raisesOf);
            if (++n % every === 0) expectSameQueue(lists, reference);
          }
          expectSameQueue(lists, reference);
          // Rebuilt from the tickets (as after loading a stored model): the same again.
          expectSameQueue(queueListsOf(tickets.values(), raisesOf), reference);
          expect(queueListsOf(tickets.values(), raisesOf)).toEqual(lists);
        },
      ),
      { numRuns: 12 },
    );
  });
});
