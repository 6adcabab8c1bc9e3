import * as E from 'fp-ts/Either';
import { domainError } from '../shared/errors';
import type { Decider } from '../shared/decider';
import { DeciderSpecification } from './decider-specification';

// A counter that refuses to go above 2 and ignores zero increments.
type Cmd = { add: number };
type Ev = { added: number };
const counter: Decider<Cmd, number, Ev> = {
  initialState: 0,
  evolve: (n, e) => n + e.added,
  decide: (c, n) =>
    c.add === 0 ? E.right([]) : n + c.add > 2 ? E.left(domainError('NOT_PERMITTED', 'too big')) : E.right([{ added: c.add }]),
};
const spec = DeciderSpecification.for(counter);

describe('DeciderSpecification', () => {
  it('passes when the decided events are the expected ones, and returns the new state', () => {
    expect(spec.given([{ added: 1 }]).when({ add: 1 }).then([{ added: 1 }])).toBe(2);
  });
  it('fails when the events differ', () => {
    expect(() => spec.given([]).when({ add: 1 }).then([{ added: 2 }])).toThrow();
  });
  it('thenFails checks the error code, and fails when the command succeeded', () => {
    expect(spec.given([{ added: 2 }]).when({ add: 1 }).thenFails('NOT_PERMITTED').message).toBe('too big');
    expect(() => spec.given([{ added: 2 }]).when({ add: 1 }).thenFails('TICKET_NOT_FOUND')).toThrow(/TICKET_NOT_FOUND/);
    expect(() => spec.given([]).when({ add: 1 }).thenFails()).toThrow(/expected a failure/);
  });
  it('thenNothingHappened accepts only an empty decision', () => {
    spec.given([]).when({ add: 0 }).thenNothingHappened();
    expect(() => spec.given([]).when({ add: 1 }).thenNothingHappened()).toThrow();
    expect(() => spec.given([{ added: 2 }]).when({ add: 1 }).thenNothingHappened()).toThrow(/NOT_PERMITTED/);
  });
});
