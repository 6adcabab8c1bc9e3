import { EventLog } from '../testing/event-log.js';
import { deskPolicy, HOUR, MINUTE } from '../testing/fixtures.js';
import { ProjectionSpecification } from '../testing/projection-specification.js';
import { auditTimeline, auditTimelineProjection } from './audit-timeline.js';

// A Premium phone message left Friday 6 March 2026 17:30 EST (22:30Z) and typed in on Monday
// 9 March 08:10 EDT (12:10Z), after the clocks went forward.
const log = new EventLog(deskPolicy);
log.ticket('other', 'SS-000001').open('2026-03-09T12:00:00Z');
log
  .ticket('a', 'SS-000101')
  .open('2026-03-09T12:10:00Z', { channel: 'phone', receivedAt: '2026-03-06T22:30:00Z' })
  .acknowledge('2026-03-09T12:15:00Z')
  .classify('2026-03-09T12:20:00Z', 'personal/how-to')
  .respond('2026-03-09T21:00:00Z')
  .awaitCustomer('2026-03-10T14:00:00Z')
  .customerReplied('2026-03-10T15:00:00Z')
  .resolve('2026-03-10T16:00:00Z')
  .close('2026-03-10T16:05:00Z');

describe('audit timeline', () => {
  const timeline = auditTimeline('a', log.events, { policies: [deskPolicy] });

  it('lists every event of the ticket with both timestamps and the actor', () => {
    expect(timeline.ticketNumber).toBe('SS-000101');
    expect(timeline.policyVersion).toBe(1);
    expect(timeline.entries.map((e) => [e.revision, e.type, e.actorId])).toEqual([
      [0, 'TicketOpened', 'agent-1'],
      [1, 'TicketQueued', 'agent-1'],
      [2, 'TicketAcknowledged', 'agent-1'],
      [3, 'TicketClassified', 'agent-1'],
      [4, 'TicketQueued', 'agent-1'],
      [5, 'TicketResponded', 'agent-1'],
      [6, 'TicketAwaitingCustomer', 'agent-1'],
      [7, 'CustomerReplied', 'user-ada'],
      [8, 'TicketResolved', 'agent-1'],
      [9, 'TicketClosed', 'agent-1'],
    ]);
    // The phone message: it happened on Friday evening and was recorded on Monday morning.
    expect(timeline.entries[0]).toMatchObject({
      occurredAt: '2026-03-06T22:30:00Z',
      recordedAt: '2026-03-09T12:10:00Z',
      recordedAfterMs: 61 * HOUR + 40 * MINUTE,
      actorRole: 'agent',
    });
  });

  it('shows the SLA state after each event, under the pinned policy', () => {
    const [opened, , acknowledged, , , responded, waiting, replied, resolved, closed] = timeline.entries;
    // Entered at 08:10 EDT: 30 min on Friday + 10 min on Monday of the 2 h; due 09:30 EDT.
    expect(opened?.sla.confirmation).toMatchObject({ status: 'running', businessTimeUsedMs: 40 * MINUTE, deadline: '2026-03-09T13:30:00.000Z' });
    expect(acknowledged?.sla.confirmation).toMatchObject({ status: 'met', businessTimeUsedMs: 45 * MINUTE, stoppedAt: '2026-03-09T12:15:00.000Z' });
    expect(responded?.sla.response).toMatchObject({ status: 'met', businessTimeUsedMs: 9.5 * HOUR });
    expect(waiting?.sla.resolution.status).toBe('paused');
    expect(replied?.sla.resolution).toMatchObject({ status: 'running', pausedTimeMs: HOUR });
    // Resolution (best effort): Fri 30 min + Mon 10 h + Tue 08:00–12:00 local (4 h) − 1 h waiting = 13 h 30.
    expect(resolved?.sla.resolution).toMatchObject({ status: 'met', businessTimeUsedMs: 13.5 * HOUR });
    expect(closed).toMatchObject({ ticketStatus: 'closed', queue: 'premium:how-to' });
  });

  it('is also a projection over the whole log, ignoring other tickets', () => {
    ProjectionSpecification.for(auditTimelineProjection('a', { policies: [deskPolicy] }))
      .given(log.events.slice(0, 6))
      .when(log.events.slice(6))
      .then((model) => {
        expect(model.entries).toHaveLength(10);
        expect(model.entries.map((e) => e.eventId)).toEqual(timeline.entries.map((e) => e.eventId));
      });
  });
});
