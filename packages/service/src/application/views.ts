import type { Ticket } from '@support-sla/domain';
import { formatGlobalPosition } from '@support-sla/projections';
import type { GlobalPosition } from '../event-store/event-store.port';

/** An epoch-milliseconds instant as ISO-8601 text (null stays null). */
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** How far the read side had caught up when the answer was computed. */
export interface Freshness {
  readonly readModelPosition: string | null;
}

/** `"commit/prepare"`: positions as JSON-safe text (the same form the projections use). */
export const positionText = (p: GlobalPosition | undefined): string | null =>
  p === undefined ? null : formatGlobalPosition(p);

/** The public JSON shape of a ticket: instants as ISO-8601 text, never epoch numbers. */
export const ticketView = (t: Ticket) => ({
  ticketId: t.ticketId,
  ticketNumber: t.ticketNumber,
  status: t.status,
  channel: t.channel,
  tier: t.tier,
  namedUser: t.namedUser,
  request: t.request,
  suggestedCategory: t.suggestedCategory,
  category: t.category,
  queue: t.queue,
  policyVersion: t.policyVersion,
  receivedAt: iso(t.receivedAtMs),
  openedAt: iso(t.openedAtMs),
  classifiedAt: iso(t.classifiedAtMs),
  reclassifications: t.reclassifications,
  acknowledgedAt: iso(t.acknowledgedAtMs),
  respondedAt: iso(t.respondedAtMs),
  response: t.response,
  awaitingCustomerSince: iso(t.awaitingCustomerSinceMs),
  customerWaits: t.customerWaits.map((w) => ({ from: iso(w.fromMs), to: iso(w.toMs) })),
  resolvedAt: iso(t.resolvedAtMs),
  resolution: t.resolution,
  closedAt: iso(t.closedAtMs),
  resolutionDetails: t.resolutionDetails,
  reopenCount: t.reopenCount,
  outageId: t.outageId,
});

export type TicketView = ReturnType<typeof ticketView>;
