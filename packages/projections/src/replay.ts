import { decodeEvent, type DomainEvent } from '@support-sla/domain';
import { EventEnvelopeCodec, type EventEnvelope } from './envelope.js';
import type { GeneratedEvent } from './generator/history.js';
import type { Projection } from './projection.js';
import type { ComplianceModel } from './compliance/compliance.projection.js';
import { complianceProjection } from './compliance/compliance.projection.js';
import { queueProjection, type QueueModel } from './queue/queue.projection.js';
import { slaStatusProjection, type SlaStatusModel } from './sla-status/sla-status.projection.js';
import type { SlaPolicy } from '@support-sla/domain';

/** The standing read models fed together from the global log. */
export interface ReadModels {
  slaStatus: SlaStatusModel;
  queue: QueueModel;
  compliance: ComplianceModel;
  /** Present when a what-if policy was given. */
  whatIf: ComplianceModel | null;
}

/** The standing projections (and an optional what-if compliance) with shared options. */
export const standingProjections = (options: { readonly policies?: readonly SlaPolicy[]; readonly whatIf?: SlaPolicy } = {}) => {
  const policyOptions = options.policies === undefined ? {} : { policies: options.policies };
  return {
    slaStatus: slaStatusProjection(policyOptions),
    queue: queueProjection,
    compliance: complianceProjection(policyOptions),
    whatIf: options.whatIf === undefined ? null : complianceProjection({ ...policyOptions, measureUnder: options.whatIf }),
  } as const;
};

type Standing = ReturnType<typeof standingProjections>;

/** Fresh read models for {@link standingProjections}. */
export const initialReadModels = (projections: Standing): ReadModels => ({
  slaStatus: projections.slaStatus.initialState(),
  queue: projections.queue.initialState(),
  compliance: projections.compliance.initialState(),
  whatIf: projections.whatIf?.initialState() ?? null,
});

/** Feeds one event to every standing projection. */
export const applyToReadModels = (projections: Standing, models: ReadModels, event: DomainEvent, envelope: EventEnvelope): ReadModels => {
  models.slaStatus = projections.slaStatus.evolve(models.slaStatus, event, envelope);
  models.queue = projections.queue.evolve(models.queue, event, envelope);
  models.compliance = projections.compliance.evolve(models.compliance, event, envelope);
  if (projections.whatIf !== null && models.whatIf !== null) models.whatIf = projections.whatIf.evolve(models.whatIf, event, envelope);
  return models;
};

/** Thrown when a stored line does not decode: names the position and what was wrong. */
export class UndecodableEventError extends Error {
  override readonly name = 'UndecodableEventError';
}

/**
 * The JSON line a store-like source writes for one event (bigints as decimal strings). Used by
 * the benchmark and tests to go through the same bytes a store would hold.
 */
export const serializeStoredEvent = (g: GeneratedEvent): string =>
  JSON.stringify({
    id: g.id,
    streamId: g.streamId,
    revision: String(g.revision),
    position: { commit: String(g.position), prepare: String(g.position) },
    type: g.event.type,
    schemaVersion: g.event.schemaVersion,
    data: g.event.data,
    metadata: g.metadata,
  });

interface StoredLine {
  readonly id: unknown;
  readonly streamId: unknown;
  readonly revision: unknown;
  readonly position: unknown;
  readonly type: unknown;
  readonly schemaVersion: unknown;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown>;
}

/** Parses and decodes one stored line (event through the domain's codecs, envelope through ours). */
export const decodeStoredLine = (line: string): { event: DomainEvent; envelope: EventEnvelope } => {
  const raw = JSON.parse(line) as StoredLine;
  const decoded = decodeEvent({ type: raw.type, schemaVersion: raw.schemaVersion, data: raw.data });
  if (decoded._tag === 'Left') throw new UndecodableEventError(`event ${String(raw.id)}: ${decoded.left.message}`);
  const m = raw.metadata ?? {};
  const envelope = EventEnvelopeCodec.decode({
    eventId: raw.id,
    streamId: raw.streamId,
    revision: raw.revision,
    globalPosition: raw.position,
    occurredAt: m['occurredAt'],
    recordedAt: m['recordedAt'],
    actorId: m['actorId'],
    actorRole: m['actorRole'],
    correlationId: m['correlationId'],
    causationId: m['causationId'],
  });
  if (envelope._tag === 'Left') throw new UndecodableEventError(`event ${String(raw.id)}: bad envelope`);
  return { event: decoded.right, envelope: envelope.right };
};

export type { Projection };
