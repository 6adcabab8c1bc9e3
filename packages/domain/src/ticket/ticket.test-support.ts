import { runCommands } from '../testing/arbitraries';
import { actors } from '../testing/fixtures';
import type { Actor } from '../shared/actor';
import type { TicketCommand, TicketCommandOf } from './ticket.commands';
import { ticketDecider } from './ticket.decider';
import type { TicketEvent } from './ticket.events';
import type { Ticket, TicketState } from './ticket.state';

/** The events a sequence of commands produces; fails loudly if any is refused. */
export const historyOf = (...commands: TicketCommand[]): TicketEvent[] => {
  const run = runCommands<TicketCommand, TicketState, TicketEvent>(ticketDecider, commands);
  if (run.errors.length > 0) throw new Error(`setup command refused: ${run.errors.map((e) => e.code).join(', ')}`);
  return [...run.events];
};

/** The ticket a history folds into. */
export const ticketOf = (events: readonly TicketEvent[]): Ticket => {
  const state = events.reduce(ticketDecider.evolve, ticketDecider.initialState);
  if (state.status === 'none') throw new Error('no ticket in history');
  return state;
};

type Cmd<T extends TicketCommand['type']> = TicketCommandOf<T>;

/** Command builders for ticket-1, issued by an agent unless told otherwise. */
export const command = {
  classify: (now: string, data: Omit<Cmd<'ClassifyTicket'>['data'], 'ticketId'>, actor: Actor = actors.agent): Cmd<'ClassifyTicket'> => ({
    type: 'ClassifyTicket',
    now,
    actor,
    data: { ticketId: 'ticket-1', ...data },
  }),
  acknowledge: (now: string, actor: Actor = actors.agent): Cmd<'AcknowledgeTicket'> => ({
    type: 'AcknowledgeTicket',
    now,
    actor,
    data: { ticketId: 'ticket-1' },
  }),
  respond: (now: string, data: Omit<Cmd<'RespondToTicket'>['data'], 'ticketId' | 'message'> = {}, actor: Actor = actors.agent): Cmd<'RespondToTicket'> => ({
    type: 'RespondToTicket',
    now,
    actor,
    data: { ticketId: 'ticket-1', message: 'Hello, we reproduced it.', ...data },
  }),
  await: (now: string, actor: Actor = actors.agent): Cmd<'AwaitCustomer'> => ({
    type: 'AwaitCustomer',
    now,
    actor,
    data: { ticketId: 'ticket-1', reason: 'Which browser do you use?' },
  }),
  reply: (now: string, actor: Actor = actors.administrator): Cmd<'RecordCustomerReply'> => ({
    type: 'RecordCustomerReply',
    now,
    actor,
    data: { ticketId: 'ticket-1', message: 'Firefox' },
  }),
  resolve: (now: string, resolution?: string, actor: Actor = actors.agent): Cmd<'ResolveTicket'> => ({
    type: 'ResolveTicket',
    now,
    actor,
    data: { ticketId: 'ticket-1', ...(resolution !== undefined ? { resolution } : {}) },
  }),
  close: (now: string, resolutionDetails?: string, actor: Actor = actors.agent): Cmd<'CloseTicket'> => ({
    type: 'CloseTicket',
    now,
    actor,
    data: { ticketId: 'ticket-1', ...(resolutionDetails !== undefined ? { resolutionDetails } : {}) },
  }),
  reopen: (now: string, actor: Actor = actors.administrator): Cmd<'ReopenTicket'> => ({
    type: 'ReopenTicket',
    now,
    actor,
    data: { ticketId: 'ticket-1', reason: 'It broke again' },
  }),
  link: (now: string, outageId = 'OUTAGE-0001', actor: Actor = actors.agent): Cmd<'LinkTicketToOutage'> => ({
    type: 'LinkTicketToOutage',
    now,
    actor,
    data: { ticketId: 'ticket-1', outageId },
  }),
  restored: (now: string, restoredAt?: string, actor: Actor = actors.agent): Cmd<'RecordNotificationSent'> => ({
    type: 'RecordNotificationSent',
    now,
    actor,
    data: { ticketId: 'ticket-1', purpose: 'outage-restored', messageId: `<restored-${now}@test>`, ...(restoredAt !== undefined ? { restoredAt } : {}) },
  }),
};
