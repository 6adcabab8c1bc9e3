import { strictEqual } from 'node:assert/strict';
import type { DomainEvent } from '@support-sla/domain';
import type { EnvelopedEvent } from '../audit/audit-timeline.js';
import type { Projection } from '../projection.js';

/**
 * Given/when/then for projections: `given` events already folded, `when` more arrive, `then`
 * a check on the model. Every `then` also checks that the model survives serialization (what the
 * service stores with its checkpoint) without changing a byte, that resuming from the stored
 * model after `given` ends where folding everything in one go does, and, for a projection that
 * serializes in pieces, that the pieces join to exactly the `serialize` bytes (after `given`
 * and after `when`).
 */
export const ProjectionSpecification = {
  for: <M>(projection: Projection<M, DomainEvent>) => ({
    given: (given: readonly EnvelopedEvent[]) => ({
      when: (when: readonly EnvelopedEvent[] = []) => ({
        then: (check: (model: M) => void): M => {
          let straight = projection.initialState();
          for (const { event, envelope } of [...given, ...when]) straight = projection.evolve(straight, event, envelope);

          let resumed = projection.initialState();
          for (const { event, envelope } of given) resumed = projection.evolve(resumed, event, envelope);
          const stored = projection.serialize(resumed);
          checkChunks(projection, resumed, stored);
          resumed = projection.deserialize(stored);
          for (const { event, envelope } of when) resumed = projection.evolve(resumed, event, envelope);

          const bytes = projection.serialize(straight);
          strictEqual(projection.serialize(resumed), bytes, 'resuming from a stored model must end where a straight fold does');
          strictEqual(projection.serialize(projection.deserialize(bytes)), bytes, 'serialize ∘ deserialize must keep every byte');
          checkChunks(projection, straight, bytes);
          check(straight);
          check(resumed);
          return straight;
        },
      }),
    }),
  }),
};

/** `serializeChunks` and `serializeSnapshot`, when the projection has them, must give the `serialize` bytes, piece by piece. */
export const checkChunks = <M>(projection: Projection<M, DomainEvent>, model: M, bytes: string = projection.serialize(model)): void => {
  if (projection.serializeChunks !== undefined) {
    strictEqual([...projection.serializeChunks(model)].join(''), bytes, 'serializeChunks must join to exactly the serialize bytes');
  }
  if (projection.serializeSnapshot !== undefined) {
    strictEqual([...projection.serializeSnapshot(model)].join(''), bytes, 'serializeSnapshot must join to exactly the serialize bytes');
  }
};
