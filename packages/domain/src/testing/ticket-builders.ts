import type { Actor } from '../shared/actor';
import type { TicketCommand, TicketCommandOf } from '../ticket/ticket.commands';
import { ticketDecider } from '../ticket/ticket.decider';
import type { TicketEvent } from '../ticket/ticket.events';
import type { Ticket, TicketState } from '../ticket/ticket.state';
import { actors } from './fixtures';
import { runCommands } from './run-commands';

/**
 * The events a sequence of ticket commands produces, for the `given` of a specification.
 * Throws if any command is refused: a setup that does not happen is a broken test.
 */
export const historyOf = (...commands: TicketCommand[]): TicketEvent[] => {
  const run = runCommands<TicketCommand, TicketState, TicketEvent>(ticketDecider, commands);
  if (run.errors.length > 0) throw new Error(`setup command refused: ${run.errors.map((e) => e.code).join(', ')}`);
  return [...run.events];
};

/** The ticket a history folds into; throws if the history opens none. */
export const ticketOf = (events: readonly TicketEvent[]): Ticket => {
  const state = events.reduce(ticketDecider.evolve, ticketDecider.initialState);
  if (state.status === 'none') throw new Error('no ticket in history');
  return state;
};

type Cmd<T extends TicketCommand['type']> = TicketCommandOf<T>;

/**
 * Command builders for one ticket (`ticket-1`, the default of `openTicketCommand`), issued by an
 * agent unless told otherwise (replies and reopenings: the Premium requester).
 *
 * @example
 * const cmd = ticketCommands('ticket-7');
 * spec.given(historyOf(openTicketCommand({ ticketId: 'ticket-7' }))).when(cmd.acknowledge('2026-03-10T14:05:00Z')).then([...]);
 */
export const ticketCommands = (ticketId = 'ticket-1') => ({
  classify: (now: string, data: Omit<Cmd<'ClassifyTicket'>['data'], 'ticketId'>, actor: Actor = actors.agent): Cmd<'ClassifyTicket'> => ({
    type: 'ClassifyTicket',
    now,
    actor,
    data: { ticketId, ...data },
  }),
  acknowledge: (now: string, actor: Actor = actors.agent): Cmd<'AcknowledgeTicket'> => ({
    type: 'AcknowledgeTicket',
    now,
    actor,
    data: { ticketId },
  }),
  respond: (now: string, data: Omit<Cmd<'RespondToTicket'>['data'], 'ticketId' | 'message'> = {}, actor: Actor = actors.agent): Cmd<'RespondToTicket'> => ({
    type: 'RespondToTicket',
    now,
    actor,
    data: { ticketId, message: 'Hello, we reproduced it.', ...data },
  }),
  await: (now: string, actor: Actor = actors.agent): Cmd<'AwaitCustomer'> => ({
    type: 'AwaitCustomer',
    now,
    actor,
    data: { ticketId, reason: 'Which browser do you use?' },
  }),
  reply: (now: string, actor: Actor = actors.administrator): Cmd<'RecordCustomerReply'> => ({
    type: 'RecordCustomerReply',
    now,
    actor,
    data: { ticketId, message: 'Firefox' },
  }),
  resolve: (now: string, resolution?: string, actor: Actor = actors.agent): Cmd<'ResolveTicket'> => ({
    type: 'ResolveTicket',
    now,
    actor,
    data: { ticketId, ...(resolution !== undefined ? { resolution } : {}) },
  }),
  close: (now: string, resolutionDetails?: string, actor: Actor = actors.agent): Cmd<'CloseTicket'> => ({
    type: 'CloseTicket',
    now,
    actor,
    data: { ticketId, ...(resolutionDetails !== undefined ? { resolutionDetails } : {}) },
  }),
  reopen: (now: string, actor: Actor = actors.administrator): Cmd<'ReopenTicket'> => ({
    type: 'ReopenTicket',
    now,
    actor,
    data: { ticketId, reason: 'It broke again' },
  }),
  link: (now: string, outageId = 'OUTAGE-0001', actor: Actor = actors.agent): Cmd<'LinkTicketToOutage'> => ({
    type: 'LinkTicketToOutage',
    now,
    actor,
    data: { ticketId, outageId },
  }),
  restored: (now: string, restoredAt?: string, actor: Actor = actors.agent): Cmd<'RecordNotificationSent'> => ({
    type: 'RecordNotificationSent',
    now,
    actor,
    data: { ticketId, purpose: 'outage-restored', messageId: `<restored-${now}@test>`, ...(restoredAt !== undefined ? { restoredAt } : {}) },
  }),
});
