import { actors, openTicketCommand } from '../testing';
import { handle } from './embedding';

describe('the README embedding example', () => {
  it('opens a ticket and reports its clocks', () => {
    const result = handle(JSON.parse(JSON.stringify(openTicketCommand({ now: '2026-03-10T13:00:00Z' }))));
    expect(result.ok && result.events.map((e) => e.type)).toEqual(['TicketOpened', 'TicketQueued']);
    expect(result.ok && result.sla?.response.deadline).toBe('2026-03-11T22:00:00.000Z');
  });
  it('reports decoding issues and business errors', () => {
    expect(handle({ type: 'OpenTicket' })).toMatchObject({ ok: false, issues: expect.arrayContaining([expect.objectContaining({ path: 'now' })]) });
    const ack = { type: 'AcknowledgeTicket', now: '2026-03-10T13:00:00Z', actor: actors.agent, data: { ticketId: 'nope' } };
    expect(handle(ack)).toMatchObject({ ok: false, error: 'TICKET_NOT_FOUND' });
  });
});
