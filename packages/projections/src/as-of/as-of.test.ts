import { EventLog } from '../testing/event-log.js';
import { deskPolicy, MINUTE } from '../testing/fixtures.js';
import { ticketAsOf } from './as-of.js';

// A Premium phone message left Friday 6 March 2026 17:30 EST (22:30Z), typed in on Monday
// 9 March 08:10 EDT (12:10Z).
const log = new EventLog(deskPolicy);
log
  .ticket('a', 'SS-000101')
  .open('2026-03-09T12:10:00Z', { channel: 'phone', receivedAt: '2026-03-06T22:30:00Z' })
  .acknowledge('2026-03-09T12:15:00Z');
const events = log.events;
const options = { policies: [deskPolicy] };

describe('as-of views', () => {
  it('on Saturday: the message had been left but the system did not know yet', () => {
    const at = '2026-03-07T12:00:00Z';
    const occurred = ticketAsOf('a', events, { ...options, at, reading: 'occurred' });
    const recorded = ticketAsOf('a', events, { ...options, at, reading: 'recorded' });

    expect(occurred.state).toMatchObject({ ticketNumber: 'SS-000101', channel: 'phone', status: 'open' });
    // Only Friday 17:30–18:00 has counted; due Monday 09:30 EDT.
    expect(occurred.sla?.confirmation).toMatchObject({ status: 'running', businessTimeUsedMs: 30 * MINUTE, deadline: '2026-03-09T13:30:00.000Z' });
    expect(occurred.eventsApplied).toBe(1);

    expect(recorded.state).toBeNull();
    expect(recorded.sla).toBeNull();
    expect(recorded.eventsApplied).toBe(0);

    const late = [{ revision: 0, type: 'TicketOpened', occurredAt: '2026-03-06T22:30:00Z', recordedAt: '2026-03-09T12:10:00Z' }];
    expect(occurred.lateEntries).toEqual(late);
    expect(recorded.lateEntries).toEqual(late);
  });

  it('once entered, both readings agree', () => {
    const at = '2026-03-09T12:12:00Z';
    const occurred = ticketAsOf('a', events, { ...options, at, reading: 'occurred' });
    const recorded = ticketAsOf('a', events, { ...options, at, reading: 'recorded' });
    expect(recorded.state).toEqual(occurred.state);
    expect(recorded.sla).toEqual(occurred.sla);
    expect(recorded.lateEntries).toEqual([]);
    expect(recorded.lastRevision).toBe(1);
    expect(recorded.sla?.confirmation).toMatchObject({ status: 'running', businessTimeUsedMs: 42 * MINUTE });
  });

  it('after the confirmation: met, under the pinned policy version', () => {
    const view = ticketAsOf('a', events, { ...options, at: '2026-03-10T00:00:00Z', reading: 'recorded' });
    expect(view.sla).toMatchObject({ policyVersion: 1, confirmation: { status: 'met', businessTimeUsedMs: 45 * MINUTE } });
    expect(view.eventsApplied).toBe(3);
  });

  it('refuses a local time without an offset', () => {
    expect(() => ticketAsOf('a', events, { ...options, at: '2026-03-07T12:00:00', reading: 'occurred' })).toThrow(/offset/);
  });
});
