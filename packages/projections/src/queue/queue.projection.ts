import { priorityClass, priorityKey, type DomainEvent, type PriorityClass, type Tier, type Ticket } from '@support-sla/domain';
import type { EventEnvelope } from '../envelope.js';
import type { Projection } from '../projection.js';
import { canonicalJson } from '../support/canonical-json.js';
import { lowerBound } from '../support/ordering.js';
import { evolveTicketState, isTicket, isTicketEvent, slimClosedTicket, sortedEntries } from '../tickets.js';

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
  readonly receivedAt: string;
  /** Still in the queue, but its clocks are paused until the customer replies. */
  readonly awaitingCustomer: boolean;
}

/**
 * Open tickets (not resolved, not closed) in service order, overall and per tier. Each list is
 * kept sorted by the domain's priority key; an event moves at most one entry (binary search,
 * remove, insert), so no event re-sorts the queue.
 */
export interface QueueModel {
  /** Every ticket seen; closed ones slimmed (kept only in case they are reopened). */
  readonly tickets: Map<string, Ticket>;
  readonly overall: QueueEntry[];
  readonly byTier: { readonly premium: QueueEntry[]; readonly professional: QueueEntry[] };
}

const byKey = (a: QueueEntry, b: QueueEntry): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const entryOf = (ticket: Ticket): QueueEntry => {
  const cls = priorityClass(ticket);
  return {
    key: priorityKey(ticket),
    ticketId: ticket.ticketId,
    ticketNumber: ticket.ticketNumber,
    tier: ticket.tier,
    queue: ticket.queue,
    priorityClass: cls,
    usersAffected: cls === 'error' ? (ticket.request.usersAffected ?? 1) : null,
    receivedAt: new Date(ticket.receivedAtMs).toISOString(),
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

const sameEntry = (a: QueueEntry, b: QueueEntry): boolean =>
  a.key === b.key && a.queue === b.queue && a.awaitingCustomer === b.awaitingCustomer && a.tier === b.tier;

const evolve = (model: QueueModel, event: DomainEvent, _envelope: EventEnvelope): QueueModel => {
  if (!isTicketEvent(event)) return model;
  const id = event.data.ticketId;
  const before = model.tickets.get(id);
  const next = evolveTicketState(before, event);
  if (!isTicket(next)) return model;
  const after = next.status === 'closed' ? slimClosedTicket(next) : next;
  model.tickets.set(id, after);
  const wasQueued = inQueue(before);
  const isQueued = inQueue(after);
  if (!wasQueued && !isQueued) return model;
  const oldEntry = wasQueued ? entryOf(before) : null;
  if (!isQueued) {
    if (oldEntry !== null) {
      remove(model.overall, oldEntry.key);
      remove(model.byTier[oldEntry.tier], oldEntry.key);
    }
    return model;
  }
  const entry = entryOf(after);
  if (oldEntry !== null && sameEntry(oldEntry, entry)) return model;
  upsert(model.overall, oldEntry?.key ?? null, entry);
  if (oldEntry !== null && oldEntry.tier !== entry.tier) {
    remove(model.byTier[oldEntry.tier], oldEntry.key);
    upsert(model.byTier[entry.tier], null, entry);
  } else {
    upsert(model.byTier[entry.tier], oldEntry?.key ?? null, entry);
  }
  return model;
};

interface QueueJson {
  readonly tickets: [string, Ticket][];
}

/** The prioritized queue of open tickets, overall and per tier (see {@link QueueModel}). */
export const queueProjection: Projection<QueueModel, DomainEvent> = {
  name: 'prioritized-queue',
  version: 1,
  initialState: () => ({ tickets: new Map(), overall: [], byTier: { premium: [], professional: [] } }),
  evolve,
  // Only the tickets are stored: the ordered lists follow from them, so a stored model cannot
  // disagree with itself.
  serialize: (model) => canonicalJson({ tickets: sortedEntries(model.tickets) } satisfies QueueJson),
  deserialize: (json) => {
    const parsed = JSON.parse(json) as QueueJson;
    const model: QueueModel = { tickets: new Map(parsed.tickets), overall: [], byTier: { premium: [], professional: [] } };
    for (const ticket of model.tickets.values()) {
      if (!inQueue(ticket)) continue;
      const entry = entryOf(ticket);
      model.overall.push(entry);
      model.byTier[entry.tier].push(entry);
    }
    model.overall.sort(byKey);
    model.byTier.premium.sort(byKey);
    model.byTier.professional.sort(byKey);
    return model;
  },
};

/** A page of the queue: overall, or one tier's. Positions are 1-based. */
export interface QueueView {
  readonly tier: Tier | 'all';
  readonly total: number;
  readonly entries: readonly (QueueEntry & { readonly position: number })[];
}

/** Reads the queue (overall or for one tier), optionally only the first `limit` entries. */
export const queueView = (model: QueueModel, options: { readonly tier?: Tier; readonly limit?: number } = {}): QueueView => {
  const list = options.tier === undefined ? model.overall : model.byTier[options.tier];
  const limit = options.limit ?? list.length;
  return {
    tier: options.tier ?? 'all',
    total: list.length,
    entries: list.slice(0, limit).map((e, i) => ({ ...e, position: i + 1 })),
  };
};
