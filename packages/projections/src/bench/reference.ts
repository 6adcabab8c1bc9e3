/**
 * The serializers as they were before issue 23, kept (outside the published package) as the
 * reference that tests compare the faster ones with, byte for byte.
 */
import type { Interval, Ticket } from '@support-sla/domain';
import type { ArchivedTicketRow } from '../model/ticket-archive.js';

/** `canonicalJson` as first written: a copy with every object's keys inserted in sorted order, stringified. */
export const referenceCanonicalJson = (value: unknown, indent?: number): string => JSON.stringify(sortKeys(value), null, indent);

const sortKeys = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') throw new TypeError('canonicalJson: encode bigints before serializing');
    return value;
  }
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Map || value instanceof Set) {
    throw new TypeError('canonicalJson: convert Maps and Sets to sorted arrays before serializing');
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
};

/**
 * An archived ticket's row as `TicketArchive` first made it, from the ticket `get` rebuilds (the
 * numbers in the archive's column order, `null` for absent). One addition since: the row of a
 * ticket linked to an outage ends with its name and summary (`LinkedTicketText`); every other
 * row is exactly as first made.
 */
export const referenceRowOf = (t: Ticket): ArchivedTicketRow => {
  const n = (v: number | null | undefined): number | null => (v === null || v === undefined || Number.isNaN(v) ? null : v);
  const numbers = [
    t.openedAtMs,
    t.receivedAtMs,
    t.classifiedAtMs,
    t.acknowledgedAtMs,
    t.respondedAtMs,
    t.resolvedAtMs,
    t.closedAtMs,
    t.outageSinceMs,
    t.lastEventAtMs,
    t.policyVersion,
    t.reclassifications,
    t.reopenCount,
    t.request.usersAffected,
    t.outageRestoredAtMs,
  ].map(n);
  const flat = (ivs: readonly Interval[]) => ivs.flatMap((iv) => [iv.fromMs, iv.toMs]);
  const row: ArchivedTicketRow = [
    t.ticketId,
    t.ticketNumber,
    t.channel,
    t.tier,
    t.namedUser.license,
    t.namedUser.id,
    t.namedUser.email,
    t.category,
    t.suggestedCategory,
    t.response?.definedAs ?? null,
    t.queue,
    t.outageId,
    numbers,
    flat(t.customerWaits),
    flat(t.reopenGaps),
  ];
  if (t.outageId !== null) row.push([t.namedUser.name ?? null, t.request.summary]);
  return row;
};
