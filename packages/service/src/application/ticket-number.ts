/**
 * Ticket numbers (`SS-000042`): the one place their format is written. The allocators in
 * `platform/ticket-numbers.ts` implement {@link TicketNumberAllocator}; ticket routes take a
 * ticket id or a number.
 */

/**
 * Hands out ticket numbers, once per ticket id: asking again for the same ticket (a retried
 * open) gives the same number. Numbers are unique and strictly increasing in allocation order; a
 * number allocated for an open that then fails is not reused, so there can be gaps.
 */
export interface TicketNumberAllocator {
  numberFor(ticketId: string): Promise<string>;
  /** The ticket id a number was given to, if any. */
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
