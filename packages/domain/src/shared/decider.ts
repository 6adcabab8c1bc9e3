import type { Either } from 'fp-ts/Either';
import type { DomainError } from './errors';

/**
 * The decider pattern (Jérémie Chassaing): `decide` turns a command and the current state into
 * new events or a business error; `evolve` folds one event into the state. Both are pure.
 */
export interface Decider<Command, State, Event> {
  readonly decide: (command: Command, state: State) => Either<DomainError, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
}

/** Folds a stream of events from the decider's initial state. */
export const fold = <C, S, E>(decider: Decider<C, S, E>, events: readonly E[]): S =>
  events.reduce(decider.evolve, decider.initialState);
