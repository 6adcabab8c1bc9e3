/**
 * Stream names. One stream per aggregate instance, with prefixes the EventStoreDB adapter
 * filters `$all` on. The outage board is a single stream: every monitor report is decided
 * against all the others.
 */
export const STREAM_PREFIXES = ['ticket-', 'outage-', 'policy-'] as const;

export const ticketStream = (ticketId: string): string => `ticket-${ticketId}`;
export const OUTAGE_BOARD_STREAM = 'outage-board';
export const POLICY_STREAM = 'policy-support';
