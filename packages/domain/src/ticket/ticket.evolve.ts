import { toMillis } from '../shared/primitives';
import type { TicketEvent } from './ticket.events';
import { queueOf, type Ticket, type TicketState } from './ticket.state';

const endWait = (ticket: Ticket, atMs: number): Pick<Ticket, 'awaitingCustomerSinceMs' | 'customerWaits'> =>
  ticket.awaitingCustomerSinceMs === null
    ? { awaitingCustomerSinceMs: null, customerWaits: ticket.customerWaits }
    : { awaitingCustomerSinceMs: null, customerWaits: [...ticket.customerWaits, { fromMs: ticket.awaitingCustomerSinceMs, toMs: atMs }] };

/**
 * Folds one ticket event into the state. Total: an event that does not apply to the current
 * state (which `decide` never produces) leaves the state unchanged.
 */
export const evolveTicket = (state: TicketState, event: TicketEvent): TicketState => {
  const atMs = toMillis(event.data.at);
  if (event.type === 'TicketOpened') {
    if (state.status !== 'none') return state;
    const d = event.data;
    const ticket: Ticket = {
      status: 'open',
      ticketId: d.ticketId,
      ticketNumber: d.ticketNumber,
      channel: d.channel,
      namedUser: d.namedUser,
      tier: d.tier,
      request: d.request,
      suggestedCategory: d.suggestedCategory ?? null,
      policyVersion: d.policyVersion,
      openedAtMs: atMs,
      receivedAtMs: toMillis(d.receivedAt),
      category: null,
      classifiedAtMs: null,
      reclassifications: 0,
      queue: '',
      acknowledgedAtMs: null,
      respondedAtMs: null,
      response: null,
      awaitingCustomerSinceMs: null,
      customerWaits: [],
      resolvedAtMs: null,
      resolution: null,
      reopenGaps: [],
      closedAtMs: null,
      resolutionDetails: null,
      reopenCount: 0,
      outageId: null,
      outageSinceMs: null,
      lastEventAtMs: atMs,
    };
    return { ...ticket, queue: queueOf(ticket) };
  }
  if (state.status === 'none') return state;
  const s: Ticket = { ...state, lastEventAtMs: Math.max(state.lastEventAtMs, atMs) };
  switch (event.type) {
    case 'TicketClassified': {
      const d = event.data;
      const request = {
        ...s.request,
        ...(d.stepsToReproduce !== undefined ? { stepsToReproduce: d.stepsToReproduce } : {}),
        ...(d.usersAffected !== undefined ? { usersAffected: d.usersAffected } : {}),
      };
      const isOutage = d.category === 'technical/outage';
      const outageSinceMs = isOutage ? (s.outageSinceMs ?? atMs) : s.outageId !== null ? s.outageSinceMs : null;
      return {
        ...s,
        request,
        category: d.category,
        classifiedAtMs: atMs,
        reclassifications: s.reclassifications + (d.reclassified ? 1 : 0),
        outageSinceMs,
      };
    }
    case 'TicketQueued':
      return { ...s, queue: event.data.queue };
    case 'TicketAcknowledged':
      return s.acknowledgedAtMs === null ? { ...s, acknowledgedAtMs: atMs } : s;
    case 'TicketResponded':
      return s.respondedAtMs === null
        ? { ...s, respondedAtMs: atMs, response: { definedAs: event.data.definedAs, actionPlan: event.data.actionPlan ?? null } }
        : s;
    case 'TicketAwaitingCustomer':
      return s.awaitingCustomerSinceMs === null ? { ...s, awaitingCustomerSinceMs: atMs } : s;
    case 'CustomerReplied':
      return { ...s, ...endWait(s, atMs) };
    case 'TicketResolved':
      return { ...s, ...endWait(s, atMs), status: 'resolved', resolvedAtMs: atMs, resolution: event.data.resolution ?? s.resolution };
    case 'TicketClosed':
      return { ...s, status: 'closed', closedAtMs: atMs, resolutionDetails: event.data.resolutionDetails };
    case 'TicketReopened':
      return {
        ...s,
        status: 'open',
        reopenGaps: s.resolvedAtMs === null ? s.reopenGaps : [...s.reopenGaps, { fromMs: s.resolvedAtMs, toMs: atMs }],
        resolvedAtMs: null,
        resolution: null,
        closedAtMs: null,
        resolutionDetails: null,
        reopenCount: s.reopenCount + 1,
      };
    case 'TicketLinkedToOutage':
      return { ...s, outageId: event.data.outageId, outageSinceMs: s.outageSinceMs ?? atMs };
  }
};
