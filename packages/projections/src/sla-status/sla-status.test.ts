import { readModelsProjection } from '../model/read-models.js';
import { EventLog } from '../testing/event-log.js';
import { deskPolicy, HOUR, MINUTE } from '../testing/fixtures.js';
import { ProjectionSpecification } from '../testing/projection-specification.js';
import { slaStatusBoard, ticketSlaStatus } from './sla-status.js';

// Tuesday 2026-03-10, New York on daylight time (UTC−4): 10:00 local is 14:00Z.
const spec = ProjectionSpecification.for(readModelsProjection({ policies: [deskPolicy] }));

describe('ticket SLA status board', () => {
  const log = new EventLog(deskPolicy);
  log.ticket('t1', 'SS-000001').open('2026-03-10T14:00:00Z'); // Premium, 2 h to confirm
  log.ticket('t2', 'SS-000002').open('2026-03-10T14:30:00Z', { license: 'teacher' }); // Professional, 4 h
  log.ticket('t3', 'SS-000003').open('2026-03-10T12:00:00Z'); // Premium, opened 08:00 local
  log.ticket('t4', 'SS-000004').open('2026-03-10T14:00:00Z').acknowledge('2026-03-10T14:30:00Z');
  log.ticket('t5', 'SS-000005')
    .open('2026-03-10T12:00:00Z')
    .acknowledge('2026-03-10T12:10:00Z')
    .classify('2026-03-10T12:20:00Z', 'personal/how-to')
    .respond('2026-03-10T13:00:00Z')
    .resolve('2026-03-10T13:30:00Z')
    .close('2026-03-10T13:40:00Z');

  it('lists open tickets with their clocks as of 11:30 local, at risk and breached apart', () => {
    spec
      .given(log.events)
      .when()
      .then((model) => {
        const board = slaStatusBoard(model, '2026-03-10T15:30:00Z');
        expect(board.tickets.map((t) => t.ticketNumber)).toEqual(['SS-000001', 'SS-000002', 'SS-000003', 'SS-000004']);
        const [t1, t2, t3, t4] = board.tickets;
        // t1: 1 h 30 of 2 h used (75 %): at risk, deadline 12:00 local.
        expect(t1?.confirmation).toMatchObject({ status: 'at-risk', businessTimeUsedMs: 90 * MINUTE, deadline: '2026-03-10T16:00:00.000Z', warningLevel: 0.75 });
        // t2: 1 h of 4 h (25 %): running.
        expect(t2?.confirmation).toMatchObject({ status: 'running', businessTimeUsedMs: HOUR, deadline: '2026-03-10T18:30:00.000Z' });
        // t3: 3 h 30 of 2 h: breached by 1 h 30.
        expect(t3?.confirmation).toMatchObject({ status: 'breached', overdueMs: 90 * MINUTE, deadline: '2026-03-10T14:00:00.000Z' });
        // t4: confirmed after 30 min; response due at the end of the next business day (Wed 18:00 local).
        expect(t4?.confirmation).toMatchObject({ status: 'met', businessTimeUsedMs: 30 * MINUTE });
        expect(t4?.response).toMatchObject({ status: 'running', deadline: '2026-03-11T22:00:00.000Z', targetMs: 18 * HOUR });
        expect(board.atRisk).toEqual(['SS-000001']);
        expect(board.breached).toEqual(['SS-000003']);
      });
  });

  it('keeps a closed ticket queryable with its final clocks', () => {
    spec
      .given(log.events)
      .when()
      .then((model) => {
        const closed = ticketSlaStatus(model, 't5', '2026-04-01T00:00:00Z');
        expect(closed).toMatchObject({ ticketNumber: 'SS-000005', ticketStatus: 'closed' });
        expect(closed?.confirmation).toMatchObject({ status: 'met', businessTimeUsedMs: 10 * MINUTE });
        expect(closed?.response).toMatchObject({ status: 'met', businessTimeUsedMs: HOUR });
        expect(closed?.resolution).toMatchObject({ status: 'met', businessTimeUsedMs: 90 * MINUTE });
        expect(ticketSlaStatus(model, 'nope', '2026-04-01T00:00:00Z')).toBeUndefined();
      });
  });

  it('moves a ticket from at risk to met when the confirmation arrives', () => {
    const later = new EventLog(deskPolicy);
    later.ticket('t1', 'SS-000001').open('2026-03-10T14:00:00Z').acknowledge('2026-03-10T15:45:00Z');
    spec
      .given(later.events.slice(0, 2))
      .when(later.events.slice(2))
      .then((model) => {
        const board = slaStatusBoard(model, '2026-03-10T15:50:00Z');
        expect(board.tickets[0]?.confirmation).toMatchObject({ status: 'met', businessTimeUsedMs: 105 * MINUTE });
        expect(board.atRisk).toEqual([]);
        expect(board.breached).toEqual([]);
      });
  });

  it('rejects an instant without an offset', () => {
    const model = readModelsProjection({ policies: [deskPolicy] }).initialState();
    expect(() => slaStatusBoard(model, '2026-03-10T15:30:00')).toThrow(/offset/);
  });
});
