/**
 * Stream names. One stream per aggregate instance, with prefixes the EventStoreDB adapter
 * filters `$all` on. The outage board is a single stream: every monitor report is decided
 * against all the others.
 */
export const STREAM_PREFIXES = ['ticket-', 'outage-', 'policy-'] as const;

export const ticketStream = (ticketId: string): string => `ticket-${ticketId}`;
export const OUTAGE_BOARD_STREAM = 'outage-board';
export const POLICY_STREAM = 'policy-support';

/**
 * Ticket number claims: one stream per number (`claim-SS-000042`, one `TicketNumberClaimed`
 * event appended expecting no stream), and `claim-floor` (the numbers given out before claims
 * existed). Outside {@link STREAM_PREFIXES} on purpose: no read model, reactor or report reads
 * them, and they are never counted as tickets; the hash chain and the seals cover them.
 */
export const CLAIM_STREAM_PREFIX = 'claim-';
export const claimStream = (ticketNumber: string): string => `${CLAIM_STREAM_PREFIX}${ticketNumber}`;
export const TICKET_NUMBER_FLOOR_STREAM = `${CLAIM_STREAM_PREFIX}floor`;

/**
 * The lease on sending e-mail and raising SLA alerts (`src/deployment/store-lease.ts`): one
 * event per take-over, renewal and release. Outside {@link STREAM_PREFIXES} too. Bookkeeping of
 * the service's own, not a fact of the desk: a log that changed only here is idle for the seals.
 */
export const NOTIFICATIONS_LEASE_STREAM = 'lease-notifications';
