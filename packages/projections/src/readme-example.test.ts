// The README's example, run as a test so it cannot go stale. Keep the two in step.
import { defaultPolicy, ticketDecider, type TicketCommand, type TicketEvent, type TicketState } from '@support-sla/domain';
import {
  complianceReport,
  complianceReportToCsv,
  queueView,
  readModelsProjection,
  slaStatusBoard,
  ticketAsOf,
  type EventEnvelope,
} from './index.js';

describe('README example', () => {
  it('runs', () => {
    const shown: unknown[][] = [];
    const show = (...values: unknown[]) => shown.push(values); // console.log in the README
    // --- example start ---
    const policy = { ...defaultPolicy, confirmation: 'agent' as const }; // v1; agents send confirmations
    const agent = { id: 'agent-1', role: 'agent' as const };
    const log: { event: TicketEvent; envelope: EventEnvelope }[] = [];
    let state: TicketState = ticketDecider.initialState;
    const run = (command: TicketCommand) => {
      const decided = ticketDecider.decide(command, state);
      if (decided._tag === 'Left') throw new Error(decided.left.message);
      for (const event of decided.right) {
        state = ticketDecider.evolve(state, event);
        const n = BigInt(log.length);
        log.push({
          event,
          envelope: {
            eventId: `e${n}`, streamId: 'ticket-t1', revision: n, globalPosition: { commit: n, prepare: n },
            occurredAt: event.type === 'TicketOpened' ? event.data.receivedAt : command.now, recordedAt: command.now,
            actorId: command.actor.id, actorRole: command.actor.role, correlationId: 'c1', causationId: 'c1',
          },
        });
      }
    };
    // A phone message left Friday 6 March 2026 17:30 EST, typed in on Monday at 08:10 EDT.
    run({ type: 'OpenTicket', now: '2026-03-09T12:10:00Z', actor: agent, data: {
      ticketId: 't1', ticketNumber: 'SS-000001', channel: 'phone', receivedAt: '2026-03-06T22:30:00Z', policy,
      namedUser: { id: 'ada', email: 'ada@district.example.org', license: 'administrator' },
      request: { summary: 'Gradebook export fails', description: 'The CSV export is empty.' } } });
    run({ type: 'ClassifyTicket', now: '2026-03-09T12:20:00Z', actor: agent, data: { ticketId: 't1', category: 'personal/how-to' } });

    const projection = readModelsProjection({ policies: [policy] });
    let models = projection.initialState();
    for (const { event, envelope } of log) models = projection.evolve(models, event, envelope);

    const board = slaStatusBoard(models, '2026-03-09T13:00:00Z'); // 09:00 EDT
    show(board.tickets[0]?.confirmation.status, board.atRisk); // at-risk [ 'SS-000001' ]
    show(queueView(models.queue, { tier: 'premium' }).entries.map((e) => e.ticketNumber)); // [ 'SS-000001' ]
    const report = complianceReport(models, { from: '2026-03-01T05:00:00Z', to: '2026-04-01T04:00:00Z' });
    show(complianceReportToCsv(report).split('\n')[2]); // the total row: 1 received, 1 breached confirmation
    const saturday = ticketAsOf('t1', log, { at: '2026-03-07T12:00:00Z', reading: 'recorded', policies: [policy] });
    show(saturday.state, saturday.lateEntries.length); // null 1: left by then, entered later
    // --- example end ---
    expect(shown).toEqual([['at-risk', ['SS-000001']], [['SS-000001']], [expect.stringContaining(',total,*,*,*,1,0,1,0,0.00,')], [null, 1]]);

    expect(board.tickets[0]?.confirmation.status).toBe('at-risk');
    expect(board.atRisk).toEqual(['SS-000001']);
    expect(report.total).toMatchObject({ received: 1, breachedTickets: ['SS-000001'] });
    expect(saturday.state).toBeNull();
    expect(saturday.lateEntries).toHaveLength(1);
  });
});
