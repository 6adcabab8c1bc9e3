import { ticketDecider, type Ticket, type TicketEvent, type TicketState } from '@support-sla/domain';

/** Folds one ticket event into a ticket's state with the domain's own `evolve`. */
export const evolveTicketState = (state: TicketState | undefined, event: TicketEvent): TicketState =>
  ticketDecider.evolve(state ?? ticketDecider.initialState, event);

export const isTicket = (state: TicketState): state is Ticket => state.status !== 'none';

/**
 * A closed ticket with its free texts dropped (request summary and description, steps,
 * resolution texts, action plan, the named user's name): what the closed-ticket archive gives
 * back, except that it keeps the name and summary of a ticket linked to an outage (the
 * restoration notice needs them). No read model shows those texts; every field the SLA clocks and the priority key
 * read is kept.
 */
export const slimClosedTicket = (ticket: Ticket): Ticket => ({
  ...ticket,
  namedUser: { id: ticket.namedUser.id, email: ticket.namedUser.email, license: ticket.namedUser.license },
  request:
    ticket.request.usersAffected === undefined
      ? { summary: '-', description: '-' }
      : { summary: '-', description: '-', usersAffected: ticket.request.usersAffected },
  response: ticket.response === null ? null : { definedAs: ticket.response.definedAs, actionPlan: null },
  resolution: null,
  resolutionDetails: null,
});

/** Sorted `[key, value]` pairs of a map: the canonical JSON form of a keyed collection. */
export const sortedEntries = <V>(map: ReadonlyMap<string, V>): [string, V][] =>
  [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
