import * as E from 'fp-ts/Either';
import type { DomainError } from '../shared/errors';

/** The outcome of running commands through a decider. */
export interface Run<S, Ev> {
  readonly events: readonly Ev[];
  readonly state: S;
  readonly errors: readonly DomainError[];
}

/** Decides and evolves each command in turn, collecting the events and the refusals. */
export const runCommands = <C, S, Ev>(
  decider: { decide: (c: C, s: S) => E.Either<DomainError, readonly Ev[]>; evolve: (s: S, e: Ev) => S; initialState: S },
  commands: readonly C[],
  initial: S = decider.initialState,
): Run<S, Ev> => {
  let state = initial;
  const events: Ev[] = [];
  const errors: DomainError[] = [];
  for (const command of commands) {
    const result = decider.decide(command, state);
    if (E.isLeft(result)) {
      errors.push(result.left);
      continue;
    }
    for (const event of result.right) {
      events.push(event);
      state = decider.evolve(state, event);
    }
  }
  return { events, state, errors };
};
