import { strictEqual } from 'node:assert/strict';
import type { DomainEvent } from '@support-sla/domain';
import type { EnvelopedEvent } from '../audit/audit-timeline.js';
import type { Projection } from '../projection.js';

/**
 * Given/when/then for projections: `given` events already folded, `when` more arrive, `then`
 * a check on the model. Every `then` also checks that the model survives serialization (what the
 * service stores with its checkpoint) without changing a byte, and that resuming from the stored
 * model after `given` ends where folding everything in one go does.
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
          resumed = projection.deserialize(projection.serialize(resumed));
          for (const { event, envelope } of when) resumed = projection.evolve(resumed, event, envelope);

          const bytes = projection.serialize(straight);
          strictEqual(projection.serialize(resumed), bytes, 'resuming from a stored model must end where a straight fold does');
          strictEqual(projection.serialize(projection.deserialize(bytes)), bytes, 'serialize ∘ deserialize must keep every byte');
          check(straight);
          check(resumed);
          return straight;
        },
      }),
    }),
  }),
};

