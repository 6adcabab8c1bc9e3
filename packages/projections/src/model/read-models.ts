import { isPolicyEvent, isTicketEvent, type DomainEvent, type PriorityRaise, type SlaPolicy, type Ticket } from '@support-sla/domain';
import { outageLines, type OutageFacts, type OutageLine } from '../compliance/report.js';
import type { EventEnvelope } from '../envelope.js';
import { policyBookOf, publishInBook, type PolicyBook } from '../policies.js';
import type { Projection } from '../projection.js';
import { applyQueueChange, emptyQueueLists, queueListsOf, type QueueLists } from '../queue/queue.js';
import { canonicalJson } from '../support/canonical-json.js';
import { compareStrings, sortInSteps } from '../support/ordering.js';
import { evolveTicketState, isTicket, sortedEntries } from '../tickets.js';
import { TicketArchive, type ArchiveSnapshot, type ArchivedTicketRow } from './ticket-archive.js';

/**
 * The standing read models, fed from the global log by one projection: every ticket's state
 * (open ones whole, closed ones in a compact archive), the prioritized queue kept sorted
 * incrementally, the outages, and the policy versions tickets pinned. The SLA status board,
 * the queue views and the compliance reports (real and what-if) are read from it.
 *
 * Each event is folded into its ticket's state once (with the domain's own `evolve`) and every
 * view shares that state, so a replay pays for the domain fold once, not once per read model.
 */
export interface ReadModels {
  policies: PolicyBook;
  /** Tickets not closed (open or resolved), by id. */
  readonly open: Map<string, Ticket>;
  /** Closed tickets, compacted; a reopened ticket moves back to `open`. */
  readonly closed: TicketArchive;
  readonly queue: QueueLists;
  readonly outages: Map<string, OutageFacts>;
  /**
   * The numbers of the tickets linked to each outage, sorted, by outage id. Apart from
   * {@link outages}: a ticket's link and its outage's declaration are in two streams, which a
   * reader may receive in either order.
   */
  readonly outageLinks: Map<string, readonly string[]>;
}

export interface ReadModelsOptions {
  /** Policy versions known before any `PolicyPublished` event (default: the domain's `defaultPolicy`). */
  readonly policies?: readonly SlaPolicy[];
}

/** A ticket's current state in the read models (open or closed), or `undefined`. */
export const ticketOf = (model: ReadModels, ticketId: string): Ticket | undefined => model.open.get(ticketId) ?? model.closed.get(ticketId);

/** Every outage the model has seen, by declaration time: declared, ended, debriefed, durations, the tickets linked to it. */
export const outagesView = (model: ReadModels): OutageLine[] => outageLines(model.outages.values(), undefined, undefined, undefined, model.outageLinks);

/** Records a ticket's link to an outage, once per ticket, in number order (not link order, which depends on how streams interleave). */
const linkToOutage = (links: Map<string, readonly string[]>, outageId: string, ticketNumber: string): void => {
  const linked = links.get(outageId) ?? [];
  if (!linked.includes(ticketNumber)) links.set(outageId, [...linked, ticketNumber].sort(compareStrings));
};

const evolveOutage = (outages: Map<string, OutageFacts>, event: DomainEvent): void => {
  switch (event.type) {
    case 'OutageDeclared':
      if (!outages.has(event.data.outageId)) {
        outages.set(event.data.outageId, {
          outageId: event.data.outageId,
          source: event.data.source ?? 'monitors',
          declaredAtMs: Date.parse(event.data.declaredAt),
          endedAtMs: null,
          debriefedAtMs: null,
          alertSentAtMs: null,
          acknowledgedAtMs: null,
        });
      }
      break;
    case 'OutageEnded': {
      const o = outages.get(event.data.outageId);
      if (o !== undefined && o.endedAtMs === null) outages.set(o.outageId, { ...o, endedAtMs: Date.parse(event.data.endedAt) });
      break;
    }
    case 'OutageAlertSent': {
      const o = outages.get(event.data.outageId);
      if (o !== undefined && (o.alertSentAtMs ?? null) === null) outages.set(o.outageId, { ...o, alertSentAtMs: Date.parse(event.data.at) });
      break;
    }
    case 'OutageAlertAcknowledged': {
      const o = outages.get(event.data.outageId);
      if (o !== undefined && (o.acknowledgedAtMs ?? null) === null) outages.set(o.outageId, { ...o, acknowledgedAtMs: Date.parse(event.data.at) });
      break;
    }
    case 'OutageDebriefRecorded': {
      const o = outages.get(event.data.outageId);
      if (o !== undefined && o.debriefedAtMs === null) outages.set(o.outageId, { ...o, debriefedAtMs: Date.parse(event.data.at) });
      break;
    }
    default:
      break;
  }
};

/** The priority raises of the policy version each ticket pinned (none for a version not seen yet). */
const raisesIn =
  (book: PolicyBook) =>
  (ticket: Ticket): readonly PriorityRaise[] =>
    book.versions.find((p) => p.version === ticket.policyVersion)?.priorityRaises ?? [];

/**
 * What one fold of an event learnt: for a ticket event that changed a ticket, its state before
 * (`undefined` for a new ticket) and after. A follower of the fold (the mailer) reads it instead
 * of folding the ticket again.
 */
export interface TicketTransition {
  readonly ticketId: string;
  readonly before: Ticket | undefined;
  readonly after: Ticket;
}

/**
 * Folds one event into the read models (in place, as the projection's `evolve` does) and says
 * what it learnt: the ticket's transition, or `undefined` for an event that changed no ticket
 * (a policy or outage event, or a ticket event the domain folds to the same state).
 */
export const evolveReadModels = (model: ReadModels, event: DomainEvent, _envelope?: EventEnvelope): TicketTransition | undefined => {
  if (isTicketEvent(event)) {
    const id = event.data.ticketId;
    const open = model.open.get(id);
    const before = open ?? model.closed.get(id);
    const next = evolveTicketState(before, event);
    if (!isTicket(next) || next === before) return undefined;
    if (next.status === 'closed') {
      model.open.delete(id);
      model.closed.add(next);
    } else {
      if (open === undefined) model.closed.take(id);
      model.open.set(id, next);
    }
    applyQueueChange(model.queue, before, next, raisesIn(model.policies));
    if (event.type === 'TicketLinkedToOutage') linkToOutage(model.outageLinks, event.data.outageId, next.ticketNumber);
    return { ticketId: id, before, after: next };
  }
  if (isPolicyEvent(event)) {
    model.policies = publishInBook(model.policies, event);
    return undefined;
  }
  evolveOutage(model.outages, event);
  return undefined;
};

const evolve = (model: ReadModels, event: DomainEvent, envelope: EventEnvelope): ReadModels => {
  evolveReadModels(model, event, envelope);
  return model;
};

interface ReadModelsJson {
  readonly policies: PolicyBook;
  readonly open: [string, Ticket][];
  readonly closed: ArchivedTicketRow[];
  readonly outages: [string, OutageFacts][];
  /** Absent in models stored before version 3. */
  readonly outageLinks?: [string, readonly string[]][];
}

/**
 * `serialize` of the read models in pieces, as they are at the call: the frame of
 * {@link ReadModelsJson} as canonical JSON lays it out (keys in order: closed, open, outageLinks,
 * outages, policies), one piece per archived ticket and per open ticket, and the keys of both sorted a
 * step at a time (empty pieces), so no piece costs more than a few hundred microseconds however
 * many tickets there are.
 *
 * What the pieces need is taken at the call, so the model may go on changing while they are
 * pulled: the archive's snapshot (its slots are written once), the open tickets' entries (ticket
 * states are values, replaced and never changed by the fold), and the small outage and policy
 * parts as text.
 */
const serializeSnapshot = (model: ReadModels): Iterable<string> => {
  const closed = model.closed.snapshot();
  const open = [...model.open];
  const tail = `],"outageLinks":${canonicalJson(sortedEntries(model.outageLinks))},"outages":${canonicalJson(sortedEntries(model.outages))},"policies":${canonicalJson(model.policies)}}`;
  return pieces(closed, open, tail);
};

function* pieces(closed: ArchiveSnapshot, open: [string, Ticket][], tail: string): Generator<string, void, undefined> {
  yield '{"closed":[';
  let first = true;
  for (const row of closed.rowsInSteps()) {
    if (row === '') yield '';
    else {
      yield (first ? '' : ',') + canonicalJson(row);
      first = false;
    }
  }
  yield '],"open":[';
  const sorted = yield* sortInSteps(open, (a, b) => compareStrings(a[0], b[0]));
  for (let i = 0; i < sorted.length; i++) yield (i === 0 ? '' : ',') + canonicalJson(sorted[i]);
  yield tail;
}

/**
 * The projection of the standing read models (see {@link ReadModels}). Read it with
 * `slaStatusBoard`, `ticketSlaStatus`, `queueView`, `complianceReport` and `whatIfReport`.
 */
export const readModelsProjection = (options: ReadModelsOptions = {}): Projection<ReadModels, DomainEvent> => ({
  name: 'support-read-models',
  // 2: the archive keeps the name and summary of tickets linked to an outage. A stored model of
  // version 1 lacks them for tickets closed before, so it is folded again from the log.
  // 3: the tickets linked to each outage (`outageLinks`); a stored model of version 2 lacks them,
  // so it is folded again from the log.
  version: 3,
  initialState: () => ({
    policies: policyBookOf(options.policies),
    open: new Map(),
    closed: new TicketArchive(),
    queue: emptyQueueLists(),
    outages: new Map(),
    outageLinks: new Map(),
  }),
  evolve,
  // The queue is not stored: it follows from the open tickets, so a stored model cannot
  // disagree with itself.
  serialize: (model) =>
    canonicalJson({
      policies: model.policies,
      open: sortedEntries(model.open),
      closed: model.closed.rows(),
      outages: sortedEntries(model.outages),
      outageLinks: sortedEntries(model.outageLinks),
    } satisfies ReadModelsJson),
  serializeChunks: serializeSnapshot,
  serializeSnapshot,
  deserialize: (json) => {
    const parsed = JSON.parse(json) as ReadModelsJson;
    const open = new Map(parsed.open);
    const closed = TicketArchive.fromRows(parsed.closed);
    return { policies: parsed.policies, open, closed, queue: queueListsOf(open.values(), raisesIn(parsed.policies)), outages: new Map(parsed.outages), outageLinks: new Map(parsed.outageLinks ?? []) };
  },
});
