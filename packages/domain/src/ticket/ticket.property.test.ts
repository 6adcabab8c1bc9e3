import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { arbTicketScenario } from '../testing/arbitraries';
import { needsReproduction, tierForLicense } from '../shared/agreement';
import { defaultPolicy } from '../policy/policy.default';
import type { SlaPolicy } from '../policy/policy.schema';
import { ticketSla } from '../sla/ticket-sla';
import { toMillis } from '../shared/primitives';
import type { Interval, Ticket, TicketState } from './ticket.state';
import { queueOf } from './ticket.state';
import { ticketDecider } from './ticket.decider';

/** Every rule the evolved state must satisfy whatever commands were accepted. */
const checkInvariants = (t: Ticket): void => {
  expect(t.tier).toBe(tierForLicense(t.namedUser.license));
  if (t.channel === 'phone') expect(t.tier).toBe('premium');
  expect(t.receivedAtMs).toBeLessThanOrEqual(t.openedAtMs);
  if (t.category !== null && needsReproduction(t.category)) {
    expect(t.request.stepsToReproduce).toBeDefined();
    expect(t.request.usersAffected).toBeDefined();
  }
  expect(t.queue).toBe(queueOf(t));
  if (t.acknowledgedAtMs !== null) expect(t.acknowledgedAtMs).toBeGreaterThanOrEqual(t.receivedAtMs);
  if (t.respondedAtMs !== null) {
    expect(t.acknowledgedAtMs).not.toBeNull();
    expect(t.category !== null || t.outageId !== null).toBe(true);
    expect(t.response).not.toBeNull();
    if (t.tier === 'premium') expect(t.response?.actionPlan?.trim()).toBeTruthy();
    else expect(['support-item', 'project']).toContain(t.response?.definedAs);
  }
  if (t.status === 'closed') {
    expect(t.resolvedAtMs).not.toBeNull();
    expect(t.resolutionDetails?.trim()).toBeTruthy();
  }
  if (t.status === 'open') expect(t.resolvedAtMs).toBeNull();
  else expect(t.awaitingCustomerSinceMs).toBeNull();
  const ordered = (xs: readonly Interval[]) => xs.every((x, i) => x.fromMs <= x.toMs && (i === 0 || (xs[i - 1]?.toMs ?? 0) <= x.fromMs));
  expect(ordered(t.customerWaits)).toBe(true);
  expect(ordered(t.reopenGaps)).toBe(true);
  if (t.awaitingCustomerSinceMs !== null) expect(t.awaitingCustomerSinceMs).toBeGreaterThanOrEqual(t.customerWaits.at(-1)?.toMs ?? 0);
};

// The default policy and one with every option flipped.
const variants: SlaPolicy[] = [
  defaultPolicy,
  {
    ...defaultPolicy,
    version: 2,
    confirmation: 'agent',
    nextBusinessDayCountsFrom: 'next-opening',
    customerWaitPauses: ['confirmation', 'response', 'resolution'],
    priorityRaises: [{ category: 'technical/question/security-incident', to: 'outage' }],
    warningFractions: [],
    targets: { ...defaultPolicy.targets, professional: { confirmation: { kind: 'end-of-next-business-day' }, response: { kind: 'business-minutes', minutes: 600 } } },
  },
];
const policyAndScenario = fc
  .constantFrom(...variants)
  .chain((policy) => arbTicketScenario({ maxCommands: 14, policy }).map((commands) => [policy, commands] as const));

describe('ticket invariants under random command sequences', () => {
  it('evolving the decided events never yields a state that breaks an invariant', () => {
    fc.assert(
      fc.property(policyAndScenario, ([policy, commands]) => {
        let state: TicketState = ticketDecider.initialState;
        let lastAt = Number.NEGATIVE_INFINITY;
        for (const command of commands) {
          const result = ticketDecider.decide(command, state);
          if (E.isLeft(result)) continue;
          for (const event of result.right) {
            expect(toMillis(event.data.at)).toBeGreaterThanOrEqual(lastAt);
            lastAt = toMillis(event.data.at);
            state = ticketDecider.evolve(state, event);
          }
          if (state.status !== 'none') {
            checkInvariants(state);
            // Deciding the same command again is idempotent or refused, never a duplicate change.
            const again = ticketDecider.decide(command, state);
            if (E.isRight(again) && command.type !== 'ClassifyTicket') expect(again.right).toEqual([]);
          }
        }
        if (state.status !== 'none') {
          const sla = ticketSla(state, policy, lastAt + 86_400_000);
          for (const clock of [sla.confirmation, sla.response, sla.resolution]) {
            expect(clock.businessTimeUsedMs).toBeGreaterThanOrEqual(0);
            expect(clock.pausedTimeMs).toBeGreaterThanOrEqual(0);
            expect(clock.pausedBusinessTimeMs).toBeLessThanOrEqual(clock.pausedTimeMs);
            if (clock.stoppedAtMs !== null) {
              expect(['met', 'breached']).toContain(clock.status);
              expect(clock.stoppedAtMs).toBeGreaterThanOrEqual(clock.startedAtMs);
            }
            if (clock.targetMs !== null && clock.deadlineMs !== null) {
              expect(clock.deadlineMs).toBeGreaterThanOrEqual(clock.startedAtMs);
              expect((clock.businessTimeRemainingMs ?? 0) + clock.businessTimeUsedMs - clock.overdueMs).toBe(clock.targetMs);
              expect(clock.status === 'breached').toBe(clock.overdueMs > 0);
            }
          }
          expect(sla.resolution.status).not.toBe('breached');
        }
      }),
      { numRuns: 300 },
    );
  });
});
