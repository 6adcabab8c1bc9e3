import type { EventEnvelope } from './envelope.js';

/**
 * A projection: a deterministic fold from events (with their envelopes) to a read model.
 *
 * Read models here hold up to hundreds of thousands of tickets, so copying them on every event
 * is not an option. The fold therefore owns its model: `evolve` may update the model it is given
 * and returns the model to use next; the model passed in must not be used again. Apart from that
 * one model, `evolve` has no effects: it reads no clock, does no I/O and uses no randomness, and
 * the same events in the same order always give the same model (and the same `serialize` bytes).
 * `initialState()` returns a fresh model each time for the same reason.
 */
export interface Projection<Model, Event> {
  /** Stable name, used by the service to store the model and its checkpoint. */
  readonly name: string;
  /** Bumped when the model's shape or meaning changes: a stored model of another version is rebuilt. */
  readonly version: number;
  readonly initialState: () => Model;
  readonly evolve: (model: Model, event: Event, envelope: EventEnvelope) => Model;
  /** Canonical JSON (sorted keys, sorted collections): equal models give equal bytes. */
  readonly serialize: (model: Model) => string;
  /**
   * Optional: the same bytes as `serialize`, in pieces pulled one at a time, so that a large
   * model can be written out over several turns of the event loop instead of in one block:
   * `[...serializeChunks(m)].join('') === serialize(m)`. A piece may be empty: a point where a
   * long step (such as sorting the keys) lets the caller pause. The model must not change until
   * the last piece has been pulled.
   */
  readonly serializeChunks?: (model: Model) => Iterable<string>;
  /**
   * Optional: `serializeChunks` of the model as it is at the call, however it changes while the
   * pieces are pulled (what the pieces need is taken at the call, cheaply). With it, the service
   * goes on folding events while a checkpoint is written, instead of holding them back.
   */
  readonly serializeSnapshot?: (model: Model) => Iterable<string>;
  readonly deserialize: (json: string) => Model;
}

/** Folds a finite sequence of enveloped events through one projection, from its initial state. */
export const foldProjection = <Model, Event>(
  projection: Projection<Model, Event>,
  events: Iterable<{ readonly event: Event; readonly envelope: EventEnvelope }>,
  from: Model = projection.initialState(),
): Model => {
  let model = from;
  for (const { event, envelope } of events) model = projection.evolve(model, event, envelope);
  return model;
};
