import { openTicketCommand } from '../testing';
import type { Category } from '../shared/agreement';
import { command, historyOf, ticketOf } from './ticket.test-support';
import { comparePriority, priorityKey, type Ticket } from './ticket.state';

const ticket = (number: string, receivedAt: string, category: Category | null, usersAffected?: number, outage = false): Ticket => {
  const request = { summary: 's', description: 'd', stepsToReproduce: 'steps', ...(usersAffected !== undefined ? { usersAffected } : { usersAffected: 1 }) };
  const commands = [openTicketCommand({ ticketNumber: number, now: receivedAt, request })];
  const later = '2026-03-10T20:00:00Z';
  const events = historyOf(...commands, ...(category !== null ? [command.classify(later, { category })] : []), ...(outage ? [command.link(later)] : []));
  return ticketOf(events);
};

describe('priority rank', () => {
  it('serves outages, then errors by users affected (more first), then technical questions, then how-to; ties first come, first served', () => {
    const howTo = ticket('SS-000001', '2026-03-10T13:00:00Z', 'personal/how-to');
    const question = ticket('SS-000002', '2026-03-10T13:05:00Z', 'technical/question/capacity');
    const smallError = ticket('SS-000003', '2026-03-10T13:10:00Z', 'technical/bug', 3);
    const bigError = ticket('SS-000004', '2026-03-10T13:15:00Z', 'personal/system-error', 250);
    const outage = ticket('SS-000005', '2026-03-10T13:20:00Z', 'technical/outage');
    const linked = ticket('SS-000006', '2026-03-10T13:25:00Z', 'personal/how-to', undefined, true);
    const earlierQuestion = ticket('SS-000007', '2026-03-10T12:00:00Z', 'technical/configuration');
    const sameTimeQuestion = ticket('SS-000008', '2026-03-10T13:05:00Z', 'personal/configuration');
    const sorted = [howTo, question, smallError, bigError, outage, linked, earlierQuestion, sameTimeQuestion].sort(comparePriority);
    expect(sorted.map((t) => t.ticketNumber)).toEqual(['SS-000005', 'SS-000006', 'SS-000004', 'SS-000003', 'SS-000007', 'SS-000002', 'SS-000008', 'SS-000001']);
  });

  it('the key is a plain string whose order is the service order', () => {
    const a = ticket('SS-000001', '2026-03-10T13:00:00Z', 'technical/bug', 10);
    const b = ticket('SS-000002', '2026-03-10T12:00:00Z', 'technical/bug', 9);
    expect(priorityKey(a) < priorityKey(b)).toBe(true);
  });

  it('an unclassified ticket ranks by the category the requester suggested, else with technical questions', () => {
    const suggested = ticketOf(historyOf(openTicketCommand({ ticketNumber: 'SS-000010', suggestedCategory: 'personal/how-to' })));
    const plain = ticketOf(historyOf(openTicketCommand({ ticketNumber: 'SS-000011' })));
    expect(priorityKey(suggested).startsWith('3:')).toBe(true);
    expect(priorityKey(plain).startsWith('2:')).toBe(true);
  });

  it('the agreement’s order is the default; a policy may raise named request types to a higher rank', () => {
    const security = ticket('SS-000001', '2026-03-10T13:00:00Z', 'technical/question/security-incident');
    const bug = ticket('SS-000002', '2026-03-10T13:05:00Z', 'technical/bug', 500);
    expect([security, bug].sort((a, b) => comparePriority(a, b)).map((t) => t.ticketNumber)).toEqual(['SS-000002', 'SS-000001']);
    const raises = [{ category: 'technical/question/security-incident', to: 'outage' }] as const;
    expect([security, bug].sort((a, b) => comparePriority(a, b, raises)).map((t) => t.ticketNumber)).toEqual(['SS-000001', 'SS-000002']);
    // A raise never lowers: a bug "raised" to how-to stays an error.
    expect(priorityKey(bug, [{ category: 'technical/bug', to: 'how-to' }])).toBe(priorityKey(bug));
  });
});
