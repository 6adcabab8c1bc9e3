/**
 * Ticket numbers (`SS-000042`): the one place their format is written. The allocator in
 * `platform/ticket-numbers.ts` (claims in the event store) implements
 * {@link TicketNumberAllocator}; ticket routes take a ticket id or a number.
 */

/** How a claim is traced in the log (the open that asked for it); all optional. */
export interface ClaimTrace {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actorId?: string;
  readonly actorRole?: string;
  /** When the open happened (the command's `now`). */
  readonly occurredAt?: string;
  /** The open's Idempotency-Key, stored with the claim as with the ticket's events. */
  readonly idempotencyKey?: string;
}

/**
 * Hands out ticket numbers. Every call claims a new number for the ticket: a caller asks only
 * once it has decided to open the ticket, and a keyed retry of an open that was stored answers
 * with the stored ticket's number instead of asking again. Numbers are unique across every
 * process on one store; a number claimed for an open whose append then fails is not reused, so
 * there can be gaps.
 */
export interface TicketNumberAllocator {
  numberFor(ticketId: string, trace?: ClaimTrace): Promise<string>;
  /** The ticket id a number was given to, if any (the same answer from every replica on the store). */
  ticketIdOf(ticketNumber: string): Promise<string | undefined>;
}

/** Every ticket number starts with it; no ticket id does (they start with `T-`). */
export const TICKET_NUMBER_PREFIX = 'SS-';

/** `SS-` and the number, zero-padded to six digits (more digits once past 999999). */
export const formatTicketNumber = (n: bigint | number): string => `${TICKET_NUMBER_PREFIX}${n.toString().padStart(6, '0')}`;

/** The sequence number inside a well-formed ticket number (what {@link formatTicketNumber} writes), or undefined. */
export const parseTicketNumber = (text: string): bigint | undefined => {
  const match = /^SS-(\d{6,18})$/.exec(text);
  return match ? BigInt(match[1]!) : undefined;
};
