import { priorityClass, priorityKey, type PriorityClass, type PriorityRaise, type Tier, type Ticket } from '@support-sla/domain';
import { lowerBound } from '../support/ordering.js';

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
 * Open tickets (not resolved, not closed) in service order, overall and per tier. Each list is
 * kept sorted by the domain's priority key; an event moves at most one entry (binary search,
 * remove, insert), so no event re-sorts the queue.
 */
export interface QueueLists {
  readonly overall: QueueEntry[];
  readonly byTier: { readonly premium: QueueEntry[]; readonly professional: QueueEntry[] };
}

const byKey = (a: QueueEntry, b: QueueEntry): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

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

const remove = (list: QueueEntry[], key: string): void => {
  const at = lowerBound(list, { key } as QueueEntry, byKey);
  if (list[at]?.key === key) list.splice(at, 1);
};

const upsert = (list: QueueEntry[], previousKey: string | null, entry: QueueEntry): void => {
  if (previousKey === entry.key) {
    // Same place in the order: replace in place.
    const at = lowerBound(list, entry, byKey);
    if (list[at]?.key === entry.key) {
      list[at] = entry;
      return;
    }
  } else if (previousKey !== null) {
    remove(list, previousKey);
  }
  list.splice(lowerBound(list, entry, byKey), 0, entry);
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
 * Moves one ticket's entry after a change from `before` to `after` (in place, O(log n) search
 * plus one splice per list). Exported for the combined read-model projection.
 */
export const applyQueueChange = (lists: QueueLists, before: Ticket | undefined, after: Ticket, raisesOf: RaisesOf = NO_RAISES): void => {
  const wasQueued = inQueue(before);
  const isQueued = inQueue(after);
  if (!wasQueued && !isQueued) return;
  if (wasQueued && isQueued && unchangedForQueue(before, after)) return;
  const oldEntry = wasQueued ? entryOf(before, raisesOf) : null;
  if (!isQueued) {
    if (oldEntry !== null) {
      remove(lists.overall, oldEntry.key);
      remove(lists.byTier[oldEntry.tier], oldEntry.key);
    }
    return;
  }
  const entry = entryOf(after, raisesOf);
  upsert(lists.overall, oldEntry?.key ?? null, entry);
  if (oldEntry !== null && oldEntry.tier !== entry.tier) {
    remove(lists.byTier[oldEntry.tier], oldEntry.key);
    upsert(lists.byTier[entry.tier], null, entry);
  } else {
    upsert(lists.byTier[entry.tier], oldEntry?.key ?? null, entry);
  }
};

/** Rebuilds the ordered lists from tickets (after loading a stored model). */
export const queueListsOf = (tickets: Iterable<Ticket>, raisesOf: RaisesOf = NO_RAISES): QueueLists => {
  const lists: QueueLists = { overall: [], byTier: { premium: [], professional: [] } };
  for (const ticket of tickets) {
    if (!inQueue(ticket)) continue;
    const entry = entryOf(ticket, raisesOf);
    lists.overall.push(entry);
    lists.byTier[entry.tier].push(entry);
  }
  lists.overall.sort(byKey);
  lists.byTier.premium.sort(byKey);
  lists.byTier.professional.sort(byKey);
  return lists;
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
