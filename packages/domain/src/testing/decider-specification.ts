import { deepStrictEqual, fail as assertFail } from 'node:assert/strict';
import * as E from 'fp-ts/Either';
import type { Decider } from '../shared/decider';
import type { DomainError, DomainErrorCode } from '../shared/errors';

/**
 * Given/when/then specifications for deciders, in the spirit of Emmett's
 * `DeciderSpecification`. Assertions throw (node:assert), so they work under any test runner.
 *
 * @example
 * const spec = DeciderSpecification.for(ticketDecider);
 * spec.given([opened]).when(acknowledge).thenNothingHappened();
 */
export const DeciderSpecification = {
  for: <C, S, E>(decider: Decider<C, S, E>) => ({
    given: (events: readonly E[]) => ({
      when: (command: C) => new Outcome(decider, events, command),
    }),
  }),
};

export class Outcome<C, S, Ev> {
  constructor(
    private readonly decider: Decider<C, S, Ev>,
    private readonly history: readonly Ev[],
    private readonly command: C,
  ) {}

  /** The state after the given events. */
  get state(): S {
    return this.history.reduce(this.decider.evolve, this.decider.initialState);
  }

  /** The raw decision. */
  get result(): E.Either<DomainError, readonly Ev[]> {
    return this.decider.decide(this.command, this.state);
  }

  private events(): readonly Ev[] {
    const result = this.result;
    if (E.isLeft(result)) assertFail(`expected events, but the command failed with ${result.left.code}: ${result.left.message}`);
    return result.right;
  }

  /** Asserts the command produced exactly these events. Returns the state after them. */
  then(expected: readonly Ev[]): S {
    const events = this.events();
    deepStrictEqual(events, expected);
    return events.reduce(this.decider.evolve, this.state);
  }

  /** Runs a custom assertion on the produced events (for when exact events are impractical). */
  thenEvents(check: (events: readonly Ev[], stateAfter: S) => void): void {
    const events = this.events();
    check(events, events.reduce(this.decider.evolve, this.state));
  }

  /** Asserts the command was refused, optionally with this error code. */
  thenFails(code?: DomainErrorCode): DomainError {
    const result = this.result;
    if (E.isRight(result)) assertFail(`expected a failure${code ? ` ${code}` : ''}, but got ${result.right.length} event(s): ${JSON.stringify(result.right)}`);
    if (code !== undefined) deepStrictEqual(result.left.code, code, `expected ${code}, got ${result.left.code}: ${result.left.message}`);
    return result.left;
  }

  /** Asserts the command was accepted and changed nothing (idempotent no-op). */
  thenNothingHappened(): void {
    deepStrictEqual(this.events(), []);
  }
}
