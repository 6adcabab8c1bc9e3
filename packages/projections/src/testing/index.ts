/**
 * `@support-sla/projections/testing`: test data for projections and benchmarks, not part of the
 * library's API. A seeded, deterministic generator of realistic support histories, with the
 * stored-line form a store would hold and the envelope projections receive.
 */
export { envelopedOf, generateHistory, serializeStoredEvent, type GeneratedEvent, type HistoryOptions } from './history.js';
