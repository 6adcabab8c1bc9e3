import { defaultPolicy } from '../policy/policy.default';
import type { SlaPolicy } from '../policy/policy.schema';
import type { TicketCommand } from '../ticket/ticket.commands';
import { ticketDecider } from '../ticket/ticket.decider';
import type { TicketEvent } from '../ticket/ticket.events';
import { ticketExists, type Ticket } from '../ticket/ticket.state';
import { actors, openTicketCommand } from '../testing';
import { alertPoints, alertStillDue, BREACH } from './alert-points';

// Confirmation by an agent, so the confirmation clock runs until someone acknowledges.
const agentPolicy: SlaPolicy = { ...defaultPolicy, version: 2, confirmation: 'agent' };
// A desk that publishes the old reading: a wait on the customer pauses every clock.
const waitPausesAll: SlaPolicy = { ...agentPolicy, customerWaitPauses: ['confirmation', 'response', 'resolution'] };

const run = (commands: readonly TicketCommand[]): Ticket => {
  let state = ticketDecider.initialState;
  for (const command of commands) {
    const decision = ticketDecider.decide(command, state);
    if (decision._tag === 'Left') throw new Error(decision.left.message);
    state = decision.right.reduce((s: typeof state, e: TicketEvent) => ticketDecider.evolve(s, e), state);
  }
  if (!ticketExists(state)) throw new Error('no ticket');
  return state;
};

const iso = (ms: number): string => new Date(ms).toISOString();
const at = (s: string): number => Date.parse(s);

// Tuesday 2026-03-10 17:15 EDT (UTC-4, two days after the DST change): 45 support minutes left today.
const opened = openTicketCommand({ license: 'administrator', now: '2026-03-10T21:15:00Z', policy: agentPolicy });

describe('alertPoints', () => {
  it('puts warnings and the breach across the overnight close, hand-checked in New York time', () => {
    const ticket = run([opened]);
    const points = alertPoints(ticket, agentPolicy, [0.5, 0.75, 0.9], ticket.lastEventAtMs).map((p) => `${p.clock} ${p.level} ${iso(p.dueAtMs)}`);
    expect(points).toEqual([
      // Confirmation: 120 business minutes; 45 on Tuesday, the rest from 08:00 Wednesday.
      'confirmation 0.5 2026-03-11T12:15:00.000Z', // 60 min: Wed 08:15 EDT
      'confirmation 0.75 2026-03-11T12:45:00.000Z', // 90 min: Wed 08:45
      'confirmation 0.9 2026-03-11T13:03:00.000Z', // 108 min: Wed 09:03
      'confirmation breach 2026-03-11T13:15:00.000Z', // 120 min: Wed 09:15
      // Response: end of the next business day (Wed 18:00 EDT) = 45 min + 10 h = 645 min.
      'response 0.5 2026-03-11T16:37:30.000Z', // 322.5 min: Wed 12:37:30
      'response 0.75 2026-03-11T19:18:45.000Z', // 483.75 min: Wed 15:18:45
      'response 0.9 2026-03-11T20:55:30.000Z', // 580.5 min: Wed 16:55:30
      'response breach 2026-03-11T22:00:00.000Z', // Wed 18:00
    ]);
  });

  it('has no points for a stopped clock, and none for the clocks a wait on the customer pauses', () => {
    const acknowledged = run([opened, { type: 'AcknowledgeTicket', now: '2026-03-11T12:30:00Z', actor: actors.agent, data: { ticketId: 'ticket-1' } }]);
    expect(alertPoints(acknowledged, agentPolicy, [0.5], acknowledged.lastEventAtMs).map((p) => p.clock)).toEqual(['response', 'response']);
    const waitingUnder = (policy: SlaPolicy) =>
      run([
        openTicketCommand({ license: 'administrator', now: '2026-03-10T21:15:00Z', policy }),
        { type: 'ClassifyTicket', now: '2026-03-11T12:30:00Z', actor: actors.agent, data: { ticketId: 'ticket-1', category: 'personal/how-to' } },
        { type: 'AwaitCustomer', now: '2026-03-11T12:40:00Z', actor: actors.agent, data: { ticketId: 'ticket-1', reason: 'Which browser?' } },
      ]);
    const pausedAll = waitingUnder(waitPausesAll);
    expect(alertPoints(pausedAll, waitPausesAll, [0.5], pausedAll.lastEventAtMs)).toEqual([]);
  });

  it('a wait on the customer pauses resolution only by default: confirmation and response keep their alerts while support waits', () => {
    const waiting = run([
      opened,
      { type: 'ClassifyTicket', now: '2026-03-11T12:30:00Z', actor: actors.agent, data: { ticketId: 'ticket-1', category: 'personal/how-to' } },
      { type: 'AwaitCustomer', now: '2026-03-11T12:40:00Z', actor: actors.agent, data: { ticketId: 'ticket-1', reason: 'Which browser?' } },
    ]);
    const points = alertPoints(waiting, agentPolicy, [0.5], waiting.lastEventAtMs).map((p) => `${p.clock} ${p.level} ${iso(p.dueAtMs)}`);
    // The same instants as without the wait (the first test).
    expect(points).toEqual([
      'confirmation 0.5 2026-03-11T12:40:00.000Z', // 60 min were used by 08:15; due at once
      'confirmation breach 2026-03-11T13:15:00.000Z',
      'response 0.5 2026-03-11T16:37:30.000Z',
      'response breach 2026-03-11T22:00:00.000Z',
    ]);
    expect(alertStillDue(waiting, agentPolicy, { clock: 'response', level: '0.5', dueAtMs: at('2026-03-11T16:37:30Z') })).toBe(true);
  });

  it('moves the points by the time spent waiting on the customer, under a policy whose wait pauses every clock', () => {
    const resumed = run([
      openTicketCommand({ license: 'administrator', now: '2026-03-10T21:15:00Z', policy: waitPausesAll }),
      { type: 'AcknowledgeTicket', now: '2026-03-11T12:30:00Z', actor: actors.agent, data: { ticketId: 'ticket-1' } },
      { type: 'ClassifyTicket', now: '2026-03-11T12:31:00Z', actor: actors.agent, data: { ticketId: 'ticket-1', category: 'personal/how-to' } },
      // Waiting from Wed 13:00 to 16:00 EDT: three support hours not counted.
      { type: 'AwaitCustomer', now: '2026-03-11T17:00:00Z', actor: actors.agent, data: { ticketId: 'ticket-1', reason: 'Which browser?' } },
      { type: 'RecordCustomerReply', now: '2026-03-11T20:00:00Z', actor: actors.agent, data: { ticketId: 'ticket-1' } },
    ]);
    const points = alertPoints(resumed, waitPausesAll, [0.5, 0.75, 0.9], resumed.lastEventAtMs).map((p) => `${p.level} ${iso(p.dueAtMs)}`);
    expect(points).toEqual([
      // 345 min used at the pause; 0.5 (322.5) was passed before it, so it is due at once.
      '0.5 2026-03-11T20:00:00.000Z',
      '0.75 2026-03-12T12:18:45.000Z', // 483.75: 2 h Wed + 18.75 min Thu → Thu 08:18:45 EDT
      '0.9 2026-03-12T13:55:30.000Z', // 580.5: 2 h Wed + 115.5 min Thu → Thu 09:55:30 EDT
      'breach 2026-03-12T15:00:00.000Z', // 645: 2 h Wed + 3 h Thu → Thu 11:00 EDT
    ]);
  });
});

describe('alertStillDue', () => {
  const ticket = run([opened]);
  it('holds for a running clock that reached the fraction and for a missed deadline', () => {
    expect(alertStillDue(ticket, agentPolicy, { clock: 'confirmation', level: '0.5', dueAtMs: at('2026-03-11T12:15:00Z') })).toBe(true);
    expect(alertStillDue(ticket, agentPolicy, { clock: 'confirmation', level: BREACH, dueAtMs: at('2026-03-11T13:15:00Z') })).toBe(true);
  });
  it('drops a point that was computed too early', () => {
    expect(alertStillDue(ticket, agentPolicy, { clock: 'confirmation', level: '0.5', dueAtMs: at('2026-03-11T12:10:00Z') })).toBe(false);
    expect(alertStillDue(ticket, agentPolicy, { clock: 'confirmation', level: BREACH, dueAtMs: at('2026-03-11T13:10:00Z') })).toBe(false);
  });
  it('drops a warning once the clock stopped, but keeps a breach that happened before the stop', () => {
    const late = run([opened, { type: 'AcknowledgeTicket', now: '2026-03-11T14:00:00Z', actor: actors.agent, data: { ticketId: 'ticket-1' } }]);
    expect(alertStillDue(late, agentPolicy, { clock: 'confirmation', level: '0.9', dueAtMs: at('2026-03-11T13:03:00Z') })).toBe(false);
    expect(alertStillDue(late, agentPolicy, { clock: 'confirmation', level: BREACH, dueAtMs: at('2026-03-11T13:15:00Z') })).toBe(true);
    const early = run([opened, { type: 'AcknowledgeTicket', now: '2026-03-11T13:00:00Z', actor: actors.agent, data: { ticketId: 'ticket-1' } }]);
    expect(alertStillDue(early, agentPolicy, { clock: 'confirmation', level: BREACH, dueAtMs: at('2026-03-11T13:15:00Z') })).toBe(false);
  });
});
