import { priorityClass, priorityKey, type PriorityClass, type PriorityRaise, type Tier, type Ticket } from '@support-sla/domain';
import { OrderedEntries } from './ordered-entries.js';

/** One ticket waiting for work, in the agreement's order. */
export interface QueueEntry {
  /** The domain's priority key: class, users affected, receipt time, ticket number. Unique per ticket. */
  readonly key: string;
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly tier: Tier;
  /** The SLA queue, `<tier>:<class>` or `<tier>:unclassified`. */
  readonly queue: string;
  readonly priorityClass: PriorityClass;
  readonly usersAffected: number | null;
  readonly receivedAtMs: number;
  /** Still in the queue, but its clocks are paused until the customer replies. */
  readonly awaitingCustomer: boolean;
}

/**
 * One queue's entries in service order (ascending priority key): what {@link QueueLists} holds
 * and its readers see. {@link OrderedEntries} is the implementation the projection keeps; a plain
 * sorted array also fits (older code built the lists as arrays; see {@link applyQueueChange}).
 */
export interface QueueEntries extends Iterable<QueueEntry> {
  readonly length: number;
  /** The entries from `start` to `end` (exclusive), with `Array.prototype.slice`'s arguments. */
  slice(start?: number, end?: number): QueueEntry[];
  map<U>(fn: (entry: QueueEntry, index: number) => U): U[];
}

/**
 * Open tickets (not resolved, not closed) in service order, overall and per tier. Each list is
 * kept sorted by the domain's priority key; an event moves at most one entry (O(log n) search and
 * an insert or removal in one block of at most 128 entries, see {@link OrderedEntries}), so
 * no event re-sorts the queue and none moves the whole list. Start one with {@link emptyQueueLists}.
 */
export interface QueueLists {
  readonly overall: QueueEntries;
  readonly byTier: { readonly premium: QueueEntries; readonly professional: QueueEntries };
}

/** Empty queue lists, ready for {@link applyQueueChange}. */
export const emptyQueueLists = (): QueueLists => ({
  overall: new OrderedEntries(),
  byTier: { premium: new OrderedEntries(), professional: new OrderedEntries() },
});

/** The request types the ticket's pinned policy raises (`priorityRaises`); none by default. */
export type RaisesOf = (ticket: Ticket) => readonly PriorityRaise[];
const NO_RAISES: RaisesOf = () => [];

const entryOf = (ticket: Ticket, raisesOf: RaisesOf): QueueEntry => {
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

type Ordered = OrderedEntries<QueueEntry>;

const upsert = (list: Ordered, previousKey: string | null, entry: QueueEntry): void => {
  if (previousKey === entry.key) {
    // Same place in the order: replace in place.
    if (list.replace(entry)) return;
  } else if (previousKey !== null) {
    list.remove(previousKey);
  }
  list.insert(entry);
};

const orderedOf = (list: QueueEntries): Ordered => (list instanceof OrderedEntries ? (list as Ordered) : OrderedEntries.fromSorted([...list]));

/**
 * The lists as {@link OrderedEntries}. Lists built as plain sorted arrays (as a `QueueLists`
 * literal may still be, such as `{ overall: [], byTier: { premium: [], professional: [] } }`)
 * are turned into ordered entries in place, once, on their first change: the fold owns its
 * model, and it changed those arrays in place before.
 */
const orderedLists = (lists: QueueLists): { readonly overall: Ordered; readonly premium: Ordered; readonly professional: Ordered } => {
  const { overall, byTier } = lists;
  if (overall instanceof OrderedEntries && byTier.premium instanceof OrderedEntries && byTier.professional instanceof OrderedEntries) {
    return { overall: overall as Ordered, premium: byTier.premium as Ordered, professional: byTier.professional as Ordered };
  }
  const ordered = { overall: orderedOf(overall), premium: orderedOf(byTier.premium), professional: orderedOf(byTier.professional) };
  Object.assign(lists, { overall: ordered.overall });
  Object.assign(byTier, { premium: ordered.premium, professional: ordered.professional });
  return ordered;
};

// Everything an entry is computed from; when none of it changed, the entry stands.
const unchangedForQueue = (a: Ticket, b: Ticket): boolean =>
  a.status === b.status &&
  a.queue === b.queue &&
  a.category === b.category &&
  a.outageId === b.outageId &&
  a.suggestedCategory === b.suggestedCategory &&
  a.request.usersAffected === b.request.usersAffected &&
  a.awaitingCustomerSinceMs === b.awaitingCustomerSinceMs &&
  a.receivedAtMs === b.receivedAtMs;

/**
 * Moves one ticket's entry after a change from `before` to `after` (in place: an O(log n) search
 * and an insert or removal within one block per list). Exported for the combined read-model
 * projection.
 */
export const applyQueueChange = (lists: QueueLists, before: Ticket | undefined, after: Ticket, raisesOf: RaisesOf = NO_RAISES): void => {
  const wasQueued = inQueue(before);
  const isQueued = inQueue(after);
  if (!wasQueued && !isQueued) return;
  if (wasQueued && isQueued && unchangedForQueue(before, after)) return;
  const ordered = orderedLists(lists);
  const oldEntry = wasQueued ? entryOf(before, raisesOf) : null;
  if (!isQueued) {
    if (oldEntry !== null) {
      ordered.overall.remove(oldEntry.key);
      ordered[oldEntry.tier].remove(oldEntry.key);
    }
    return;
  }
  const entry = entryOf(after, raisesOf);
  upsert(ordered.overall, oldEntry?.key ?? null, entry);
  if (oldEntry !== null && oldEntry.tier !== entry.tier) {
    ordered[oldEntry.tier].remove(oldEntry.key);
    upsert(ordered[entry.tier], null, entry);
  } else {
    upsert(ordered[entry.tier], oldEntry?.key ?? null, entry);
  }
};

const byKey = (a: QueueEntry, b: QueueEntry): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Rebuilds the ordered lists from tickets (after loading a stored model). */
export const queueListsOf = (tickets: Iterable<Ticket>, raisesOf: RaisesOf = NO_RAISES): QueueLists => {
  const overall: QueueEntry[] = [];
  const byTier: Record<Tier, QueueEntry[]> = { premium: [], professional: [] };
  for (const ticket of tickets) {
    if (!inQueue(ticket)) continue;
    const entry = entryOf(ticket, raisesOf);
    overall.push(entry);
    byTier[entry.tier].push(entry);
  }
  return {
    overall: OrderedEntries.fromSorted(overall.sort(byKey)),
    byTier: { premium: OrderedEntries.fromSorted(byTier.premium.sort(byKey)), professional: OrderedEntries.fromSorted(byTier.professional.sort(byKey)) },
  };
};

/** A page of the queue: overall, or one tier's. Positions are 1-based. */
export interface QueueView {
  readonly tier: Tier | 'all';
  readonly total: number;
  readonly entries: readonly (QueueEntry & { readonly position: number; readonly receivedAt: string })[];
}

/** Reads the queue (overall or for one tier), optionally only the first `limit` entries. */
export const queueView = (lists: QueueLists, options: { readonly tier?: Tier; readonly limit?: number } = {}): QueueView => {
  const list = options.tier === undefined ? lists.overall : lists.byTier[options.tier];
  const limit = options.limit ?? list.length;
  return {
    tier: options.tier ?? 'all',
    total: list.length,
    entries: list.slice(0, limit).map((e, i) => ({ ...e, position: i + 1, receivedAt: new Date(e.receivedAtMs).toISOString() })),
  };
};
