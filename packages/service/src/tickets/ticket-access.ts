import { isRequester, ticketDecider, ticketExists, type Actor, type Ticket, type TicketState } from '@support-sla/domain';
import type { CommandExecutor } from '../application/command-executor';
import { TICKET_NUMBER_PREFIX, type TicketNumberAllocator } from '../application/ticket-number';
import type { AuthenticatedUser } from '../auth/token.service';
import type { StoredEvent } from '../event-store/event-store.port';
import { ticketStream } from '../event-store/streams';

/** The ticket was not found, or the caller may not know that it exists (HTTP 404). */
export class TicketNotFoundError extends Error {
  override readonly name = 'TicketNotFoundError';
  constructor(readonly ref: string) {
    super(`ticket ${ref} not found`);
  }
}

/** The actor a command records: the caller's id and role (nothing else from the token). */
export const actorOf = (caller: AuthenticatedUser): Actor => ({ id: caller.id, role: caller.role });

/** The ticket id behind a ticket id or number (404 when there is none). */
export const ticketIdOf = async (numbers: TicketNumberAllocator, ref: string): Promise<string> => {
  const ticketId = ref.startsWith(TICKET_NUMBER_PREFIX) ? await numbers.ticketIdOf(ref) : ref;
  if (ticketId === undefined) throw new TicketNotFoundError(ref);
  return ticketId;
};

/**
 * The ticket in a loaded stream, or 404 — also for a requester who is not its named user in its
 * organization, so that existence does not leak. The rest of who-may-do-what is the domain's.
 */
export const visibleTicket = (ref: string, state: TicketState, stored: readonly StoredEvent[], caller: AuthenticatedUser): Ticket => {
  if (!ticketExists(state)) throw new TicketNotFoundError(ref);
  const org = stored[0]?.metadata['organization'];
  if (isRequester(actorOf(caller)) && (state.namedUser.id !== caller.id || org !== caller.org)) throw new TicketNotFoundError(ref);
  return state;
};

/** A ticket id or number, read from the ticket's stream for a caller who may see it. */
export const readTicket = async (
  executor: CommandExecutor,
  numbers: TicketNumberAllocator,
  ref: string,
  caller: AuthenticatedUser,
): Promise<{ ticketId: string; ticket: Ticket; stored: readonly StoredEvent[] }> => {
  const ticketId = await ticketIdOf(numbers, ref);
  const { state, stored } = await executor.load(ticketDecider, ticketStream(ticketId));
  return { ticketId, ticket: visibleTicket(ref, state, stored, caller), stored };
};
