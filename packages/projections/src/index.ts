/**
 * @support-sla/projections — pure, deterministic folds from the SLA event log to read models:
 * ticket SLA status, the prioritized queue, compliance reports (and what-if), the audit
 * timeline and as-of views. No I/O: stores and subscriptions belong to the service.
 */
export * from './envelope.js';
export * from './projection.js';
export * from './policies.js';
export { slimClosedTicket } from './tickets.js';
export * from './model/read-models.js';
export { slaContextOf } from './model/sla-context.js';
export { TicketArchive, type ArchivedTicketRow } from './model/ticket-archive.js';
export * from './sla-status/sla-status.js';
export * from './queue/queue.js';
export * from './compliance/report.js';
export * from './compliance/csv.js';
export * from './compliance/compliance.js';
export * from './audit/audit-timeline.js';
export * from './as-of/as-of.js';
export * from './stored-line.js';
export { canonicalJson } from './support/canonical-json.js';
export { compareStrings, lowerBound, percentile, sortedInsert, sortedRemove } from './support/ordering.js';
export { mulberry32, type Prng } from './support/prng.js';
export { interleave, groupInOrder } from './support/interleave.js';
