import type { Decider } from '../shared/decider';
import type { TicketCommand } from './ticket.commands';
import { decideTicket } from './ticket.decide';
import type { TicketEvent } from './ticket.events';
import { evolveTicket } from './ticket.evolve';
import { initialTicketState, type TicketState } from './ticket.state';

/** The ticket aggregate: one stream per ticket. */
export const ticketDecider: Decider<TicketCommand, TicketState, TicketEvent> = {
  decide: decideTicket,
  evolve: evolveTicket,
  initialState: initialTicketState,
};
