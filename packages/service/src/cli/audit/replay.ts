import { defaultPolicy, SlaPolicy, validatePolicy } from '@support-sla/domain';
import { IsoInstant } from '@support-sla/domain';
import { envelopeOf, type EnvelopedEvent } from '@support-sla/projections';
import { decodeStoredEvent } from '../../application/event-mapping';
import { POLICY_STREAM, ticketStream } from '../../event-store/streams';
import { AuditUsageError } from './errors';
import type { AuditRecord, AuditSource } from './source/audit-source';
import { LogVerifier, type Finding, type HashOf } from './verify';

/**
 * Turns a stored record back into the domain event and its envelope, exactly as the service's
 * projections receive it: the stored `type` and `data`, the schema version from the metadata,
 * through the domain's codecs (upcasting included). A record that does not decode stops the
 * replay with a message naming its stream and revision.
 */
export function enveloped(record: AuditRecord): EnvelopedEvent {
  const where = `${record.streamId} revision ${record.revision.toString()}`;
  const stored = record.event;
  if (stored === undefined) throw new AuditUsageError(`event ${where} cannot be read: ${record.problem ?? 'damaged'} (run audit verify)`);
  const decoded = decodeStoredEvent(stored);
  if (decoded._tag === 'Left') throw new AuditUsageError(`event ${where} does not decode: ${decoded.left.message}`);
  const m = stored.metadata;
  if (typeof m.occurredAt !== 'string' || typeof m.recordedAt !== 'string' || !IsoInstant.is(m.occurredAt) || !IsoInstant.is(m.recordedAt)) {
    throw new AuditUsageError(`event ${where} lacks its occurredAt/recordedAt metadata`);
  }
  return { event: decoded.right, envelope: envelopeOf(stored) };
}

/**
 * The policy versions a ticket may have pinned: the domain's default (version 1, which the
 * service uses until a policy is published) and every version published in the policy stream,
 * a publication replacing a default of the same version.
 */
export async function knownPolicies(source: AuditSource): Promise<SlaPolicy[]> {
  const byVersion = new Map<number, SlaPolicy>([[defaultPolicy.version, defaultPolicy]]);
  for (const record of await source.readStream(POLICY_STREAM)) {
    const { event } = enveloped(record);
    if (event.type === 'PolicyPublished') byVersion.set(event.data.policy.version, event.data.policy);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/**
 * A ticket's stream, found by ticket id or ticket number; unknown tickets are a usage error.
 * `integrity` is the first problem of the stream's own hash chain, if any: the views are still
 * shown (they are what the log says), but the caller warns that the log was altered.
 */
export async function ticketEvents(
  source: AuditSource,
  ref: string,
  hashOf: HashOf,
): Promise<{ ticketId: string; events: EnvelopedEvent[]; integrity: Finding | null }> {
  let ticketId = ref;
  let records = await source.readStream(ticketStream(ref));
  if (records.length === 0) {
    const found = await source.findTicketIdByNumber(ref);
    if (found === undefined) throw new AuditUsageError(`unknown ticket ${ref} (neither a ticket id nor a ticket number in ${source.description})`);
    ticketId = found;
    records = await source.readStream(ticketStream(found));
  }
  const verifier = new LogVerifier(hashOf, false);
  for (const record of records) verifier.add(record);
  const integrity = verifier.result().first;
  const events = records.map(enveloped);
  if (events[0]?.event.type !== 'TicketOpened') {
    throw new AuditUsageError(`the stream of ticket ${ref} does not start with TicketOpened (${integrity?.detail ?? 'it was altered'}); run audit verify`);
  }
  return { ticketId, events, integrity };
}

/** An instant as the auditor typed it: ISO-8601 with an offset (`Z` or `±hh:mm`), else a usage error. */
export function parseInstant(text: string, what: string): string {
  if (!IsoInstant.is(text)) {
    const hint = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text) ? ' (it has no offset; add Z or ±hh:mm)' : '';
    throw new AuditUsageError(`${what} must be an ISO-8601 instant with an offset, like 2026-03-10T09:00:00-04:00, got "${text}"${hint}`);
  }
  return text;
}

/** A what-if policy from a JSON file (a whole `SlaPolicy`), checked as the domain checks a publication. */
export function decodePolicyFile(text: string, file: string): SlaPolicy {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AuditUsageError(`policy file ${file} is not JSON: ${(error as Error).message}`);
  }
  const decoded = SlaPolicy.decode(json);
  if (decoded._tag === 'Left') {
    const first = decoded.left[0];
    const path = first?.context.map((c) => c.key).filter((k) => k !== '').join('.') ?? '';
    throw new AuditUsageError(`policy file ${file} is not an SLA policy: ${path === '' ? 'wrong shape' : `bad or missing ${path}`}`);
  }
  const invalid = validatePolicy(decoded.right);
  if (invalid !== null) throw new AuditUsageError(`policy file ${file} is not a valid SLA policy: ${invalid.message}`);
  return decoded.right;
}

