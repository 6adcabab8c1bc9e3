import { DeciderSpecification, actors, runCommands } from '../testing';
import type { Actor } from '../shared/actor';
import type { Monitor } from '../shared/agreement';
import type { OutageCommand, OutageCommandOf } from './outage.commands';
import * as E from 'fp-ts/Either';
import { linkableOutage } from './outage.decide';
import { outageDecider } from './outage.decider';
import type { OutageEvent } from './outage.events';
import { REPORT_WINDOW_MS, type OutageBoard } from './outage.state';

const spec = DeciderSpecification.for(outageDecider);
const at = (hhmm: string) => `2026-06-01T${hhmm}:00Z`;

const report = (monitor: Monitor, status: 'up' | 'down', observed: string, received = observed): OutageCommandOf<'ReportMonitorStatus'> => ({
  type: 'ReportMonitorStatus',
  now: at(received),
  actor: actors.monitor,
  data: { monitor, status, observedAt: at(observed) },
});
const debrief = (now: string, answers: Partial<Record<'whenItOccurred' | 'howItOccurred' | 'preventionPlan', string>> = {}): OutageCommandOf<'RecordOutageDebrief'> => ({
  type: 'RecordOutageDebrief',
  now: at(now),
  actor: actors.agent,
  data: {
    outageId: 'OUTAGE-0001',
    whenItOccurred: 'From 10:05 to 10:40 UTC',
    howItOccurred: 'A database failover left the app servers without connections',
    preventionPlan: 'Connection pool health checks and a failover drill each quarter',
    ...answers,
  },
});
const close = (now: string, outageId = 'OUTAGE-0001'): OutageCommandOf<'CloseOutage'> => ({ type: 'CloseOutage', now: at(now), actor: actors.agent, data: { outageId } });

/** The events these commands add to a history (any refusal fails the test setup). */
const extend = (history: readonly OutageEvent[], ...commands: OutageCommand[]): OutageEvent[] => {
  const run = runCommands<OutageCommand, OutageBoard, OutageEvent>(outageDecider, commands, history.reduce(outageDecider.evolve, outageDecider.initialState));
  if (run.errors.length > 0) throw new Error(run.errors.map((e) => e.code).join(','));
  return [...history, ...run.events];
};
const historyOf = (...commands: OutageCommand[]): OutageEvent[] => extend([], ...commands);
const types = (events: readonly OutageEvent[]) => events.map((e) => e.type);
const allDown = () => historyOf(report('chicago', 'down', '10:00'), report('california', 'down', '10:02'), report('atlanta', 'down', '10:05'));
const ended = () => extend(allDown(), report('atlanta', 'up', '10:40'));

describe('outage rules', () => {
  it('an outage is declared only when all three monitors report the service down, at the instant the last went down', () => {
    spec
      .given(historyOf(report('chicago', 'down', '10:00'), report('california', 'down', '10:02')))
      .when(report('atlanta', 'down', '10:05', '10:06'))
      .then([
        { type: 'MonitorReportedStatus', schemaVersion: 1, data: { at: at('10:06'), by: actors.monitor, monitor: 'atlanta', status: 'down', observedAt: at('10:05') } },
        { type: 'OutageDeclared', schemaVersion: 1, data: { at: at('10:06'), by: actors.monitor, outageId: 'OUTAGE-0001', declaredAt: '2026-06-01T10:05:00.000Z' } },
      ]);
  });

  it('two monitors down is not an outage', () => {
    spec.given(historyOf(report('chicago', 'down', '10:00'))).when(report('atlanta', 'down', '10:05')).thenEvents((events) => {
      expect(types(events)).toEqual(['MonitorReportedStatus']);
    });
  });

  it('a monitor that came back up before the others went down prevents a declaration', () => {
    spec
      .given(historyOf(report('chicago', 'down', '10:00'), report('chicago', 'up', '10:01'), report('california', 'down', '10:02')))
      .when(report('atlanta', 'down', '10:05'))
      .thenEvents((events) => expect(types(events)).toEqual(['MonitorReportedStatus']));
  });

  it('an outage ends at the first report that any monitor is up', () => {
    spec.given(allDown()).when(report('california', 'up', '10:40', '10:41')).thenEvents((events, board) => {
      expect(types(events)).toEqual(['MonitorReportedStatus', 'OutageEnded']);
      expect(events[1]?.type === 'OutageEnded' && events[1].data).toMatchObject({ outageId: 'OUTAGE-0001', endedAt: '2026-06-01T10:40:00.000Z', endedBy: 'california' });
      expect(board.outages[0]?.endedAtMs).toBe(Date.parse(at('10:40')));
    });
  });

  it('reports arriving out of order are decided by their timestamps', () => {
    // Atlanta's 10:05 report arrives last, after Chicago already reported up at 10:10.
    spec
      .given(historyOf(report('chicago', 'down', '10:00'), report('california', 'down', '10:01'), report('chicago', 'up', '10:10')))
      .when(report('atlanta', 'down', '10:05', '10:15'))
      .thenEvents((events) => {
        expect(types(events)).toEqual(['MonitorReportedStatus', 'OutageDeclared', 'OutageEnded']);
        expect(events[1]?.type === 'OutageDeclared' && events[1].data.declaredAt).toBe('2026-06-01T10:05:00.000Z');
        expect(events[2]?.type === 'OutageEnded' && events[2].data.endedAt).toBe('2026-06-01T10:10:00.000Z');
      });
    // The last to go down, by timestamp, sets the declaration even when its report came first.
    spec
      .given(historyOf(report('atlanta', 'down', '10:07', '10:07'), report('chicago', 'down', '10:00', '10:08')))
      .when(report('california', 'down', '10:03', '10:09'))
      .thenEvents(([, declared]) => expect(declared?.type === 'OutageDeclared' && declared.data.declaredAt).toBe('2026-06-01T10:07:00.000Z'));
  });

  it('a late up report ends the open outage at its observation time', () => {
    spec.given(allDown()).when(report('chicago', 'up', '10:20', '10:50')).thenEvents(([, e]) => {
      expect(e?.type === 'OutageEnded' && e.data.endedAt).toBe('2026-06-01T10:20:00.000Z');
    });
  });

  it('a repeated report changes nothing', () => {
    spec.given(allDown()).when(report('atlanta', 'down', '10:05', '10:30')).thenNothingHappened();
  });

  it('a second outage gets the next id', () => {
    const second = historyOf(
      report('chicago', 'down', '10:00'), report('california', 'down', '10:02'), report('atlanta', 'down', '10:05'), report('atlanta', 'up', '10:40'),
      report('atlanta', 'down', '11:00'),
    );
    expect(second.filter((e) => e.type === 'OutageDeclared').map((e) => e.type === 'OutageDeclared' && e.data.outageId)).toEqual(['OUTAGE-0001', 'OUTAGE-0002']);
  });

  it('only a status monitor or an admin reports monitor status, and not from the future', () => {
    spec.given([]).when({ ...report('chicago', 'down', '10:00'), actor: actors.agent }).thenFails('NOT_PERMITTED');
    spec.given([]).when(report('chicago', 'down', '10:05', '10:00')).thenFails('RECEIVED_IN_FUTURE');
  });

  describe('debrief', () => {
    it('recording a debrief needs all three answers: when, how, and what will prevent a repeat', () => {
      for (const blank of ['whenItOccurred', 'howItOccurred', 'preventionPlan'] as const) {
        spec.given(ended()).when(debrief('11:00', { [blank]: ' ' })).thenFails('INCOMPLETE_DEBRIEF');
      }
      spec.given(ended()).when(debrief('11:00')).thenEvents((events, board) => {
        expect(types(events)).toEqual(['OutageDebriefRecorded']);
        expect(board.outages[0]?.debrief?.preventionPlan).toMatch(/drill/);
      });
    });
    it('an outage still going on cannot be debriefed or closed', () => {
      spec.given(allDown()).when(debrief('10:30')).thenFails('OUTAGE_NOT_ENDED');
      spec.given(allDown()).when(close('10:30')).thenFails('OUTAGE_NOT_ENDED');
    });
    it('an outage cannot be closed without a debrief', () => {
      spec.given(ended()).when(close('11:00')).thenFails('MISSING_DEBRIEF');
      const debriefed = extend(ended(), debrief('11:00'));
      spec.given(debriefed).when(close('11:30')).thenEvents((events, board) => {
        expect(types(events)).toEqual(['OutageClosed']);
        expect(board.outages[0]?.closed).toBe(true);
      });
      const closed = extend(debriefed, close('11:30'));
      spec.given(closed).when(close('11:45')).thenNothingHappened();
      spec.given(closed).when(debrief('11:45')).thenFails('OUTAGE_ALREADY_CLOSED');
      spec.given(debriefed).when(debrief('11:10')).thenNothingHappened();
    });
    it('unknown outages and non-staff are refused', () => {
      spec.given(ended()).when(close('11:00', 'OUTAGE-0042')).thenFails('OUTAGE_NOT_FOUND');
      spec.given(ended()).when({ ...debrief('11:00'), actor: actors.administrator }).thenFails('NOT_PERMITTED');
    });
  });

  describe('a long-running board', () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const day0 = Date.parse('2026-06-01T00:00:00Z');
    const heartbeat = (monitor: Monitor, status: 'up' | 'down', ms: number): OutageCommandOf<'ReportMonitorStatus'> => ({
      type: 'ReportMonitorStatus',
      now: iso(ms),
      actor: actors.monitor,
      data: { monitor, status, observedAt: iso(ms) },
    });

    it('keeps only a window of recent reports, however long the stream', () => {
      const commands = Array.from({ length: 3 * 24 * 60 }, (_, i) => heartbeat('chicago', 'up', day0 + i * 60_000));
      const board = runCommands<OutageCommand, OutageBoard, OutageEvent>(outageDecider, commands).state;
      expect(board.reports.length).toBeLessThanOrEqual(REPORT_WINDOW_MS / 60_000 + 1);
      expect(board.baseline.chicago?.status).toBe('up');
    });

    it('a monitor down for longer than the window still counts: the outage starts when the last goes down', () => {
      const history = historyOf(
        { ...heartbeat('chicago', 'down', day0) },
        heartbeat('california', 'up', day0 + 2 * 86_400_000),
        heartbeat('california', 'down', day0 + 2 * 86_400_000 + 60_000),
      );
      spec.given(history).when(heartbeat('atlanta', 'down', day0 + 2 * 86_400_000 + 120_000)).thenEvents(([, declared]) => {
        expect(declared?.type === 'OutageDeclared' && declared.data.declaredAt).toBe(iso(day0 + 2 * 86_400_000 + 120_000));
      });
    });
  });

  it('tickets may be linked to an outage that exists and is not closed', () => {
    const board = (events: readonly OutageEvent[]) => events.reduce(outageDecider.evolve, outageDecider.initialState);
    expect(linkableOutage(board(allDown()), 'OUTAGE-0001')).toEqual(E.right(expect.objectContaining({ outageId: 'OUTAGE-0001', endedAtMs: null })));
    expect(E.isRight(linkableOutage(board(ended()), 'OUTAGE-0001'))).toBe(true);
    expect(linkableOutage(board(allDown()), 'OUTAGE-0009')).toEqual(E.left(expect.objectContaining({ code: 'OUTAGE_NOT_FOUND' })));
    const closed = extend(ended(), debrief('11:00'), close('11:30'));
    expect(linkableOutage(board(closed), 'OUTAGE-0001')).toEqual(E.left(expect.objectContaining({ code: 'OUTAGE_ALREADY_CLOSED' })));
  });

  describe('staff declare an outage the monitors do not all see', () => {
    const declare = (now: string, occurredAt?: string, actor: Actor = actors.agent): OutageCommandOf<'DeclareOutage'> => ({
      type: 'DeclareOutage',
      now: at(now),
      actor,
      data: { scope: 'Gradebook for all districts', reason: 'Majority of users get HTTP 500 on save', ...(occurredAt !== undefined ? { occurredAt: at(occurredAt) } : {}) },
    });
    const end = (now: string, outageId = 'OUTAGE-0001'): OutageCommandOf<'EndOutage'> => ({ type: 'EndOutage', now: at(now), actor: actors.agent, data: { outageId } });
    const board = (events: readonly OutageEvent[]) => events.reduce(outageDecider.evolve, outageDecider.initialState);

    it('staff declare an outage with a scope and a reason', () => {
      spec.given([]).when(declare('10:00', '09:50')).thenEvents((events, state) => {
        expect(events).toEqual([
          {
            type: 'OutageDeclared',
            schemaVersion: 1,
            data: { at: at('10:00'), by: actors.agent, outageId: 'OUTAGE-0001', declaredAt: at('09:50'), source: 'staff', scope: 'Gradebook for all districts', reason: 'Majority of users get HTTP 500 on save' },
          },
        ]);
        expect(state.outages[0]).toMatchObject({ source: 'staff', declaredAtMs: Date.parse(at('09:50')), endedAtMs: null });
      });
    });
    it('only staff declare outages; monitors declare theirs by reporting', () => {
      spec.given([]).when(declare('10:00', undefined, actors.monitor)).thenFails('NOT_PERMITTED');
      spec.given([]).when(declare('10:00', undefined, actors.administrator)).thenFails('NOT_PERMITTED');
    });
    it('a staff declaration may not be dated in the future', () => {
      spec.given([]).when(declare('10:00', '10:30')).thenFails('OCCURRED_IN_FUTURE');
    });
    it('one outage at a time: declaring while one is going on is refused', () => {
      spec.given(allDown()).when(declare('11:00')).thenFails('OUTAGE_IN_PROGRESS');
      spec.given(historyOf(declare('10:00'))).when(declare('11:00')).thenFails('OUTAGE_IN_PROGRESS');
    });
    it('monitor reports neither end nor duplicate an outage staff declared', () => {
      const declared = historyOf(declare('10:00'));
      spec.given(declared).when(report('chicago', 'up', '10:05')).thenEvents((events) => expect(types(events)).toEqual(['MonitorReportedStatus']));
      const allThreeDown = extend(declared, report('chicago', 'down', '10:05'), report('california', 'down', '10:06'));
      spec.given(allThreeDown).when(report('atlanta', 'down', '10:07')).thenEvents((events) => expect(types(events)).toEqual(['MonitorReportedStatus']));
    });
    it('staff end the outage they declared (service restored)', () => {
      spec.given(historyOf(declare('10:00'))).when(end('10:40')).thenEvents((events, state) => {
        expect(events[0]).toMatchObject({ type: 'OutageEnded', data: { outageId: 'OUTAGE-0001', endedAt: at('10:40'), endedBy: 'staff' } });
        expect(state.outages[0]?.endedAtMs).toBe(Date.parse(at('10:40')));
      });
      spec.given(extend(historyOf(declare('10:00')), end('10:40'))).when(end('10:50')).thenNothingHappened();
    });
    it('an outage the monitors declared ends with their first up report, not by staff', () => {
      spec.given(allDown()).when(end('11:00')).thenFails('NOT_DECLARED_BY_STAFF');
    });
    it('the debrief and closing rules apply to staff-declared outages', () => {
      const endedByStaff = extend(historyOf(declare('10:00')), end('10:40'));
      spec.given(endedByStaff).when(close('11:00')).thenFails('MISSING_DEBRIEF');
      expect(board(extend(endedByStaff, debrief('11:00'), close('11:30'))).outages[0]?.closed).toBe(true);
    });
  });

  describe('engineers are alerted at once and acknowledge the alert', () => {
    const sent = (now: string, channel: 'email' | 'webhook', actor: Actor = actors.agent): OutageCommandOf<'RecordOutageAlertSent'> => ({
      type: 'RecordOutageAlertSent',
      now: at(now),
      actor,
      data: { outageId: 'OUTAGE-0001', channel, to: channel === 'email' ? 'oncall@support.example' : 'https://alerts.example/hook' },
    });
    const acknowledge = (now: string, actor: Actor = actors.agent): OutageCommandOf<'AcknowledgeOutageAlert'> => ({ type: 'AcknowledgeOutageAlert', now: at(now), actor, data: { outageId: 'OUTAGE-0001' } });
    const board = (events: readonly OutageEvent[]) => events.reduce(outageDecider.evolve, outageDecider.initialState);

    it('the alert is recorded once per channel', () => {
      spec.given(allDown()).when(sent('10:21', 'email')).thenEvents((events, state) => {
        expect(types(events)).toEqual(['OutageAlertSent']);
        expect(state.outages[0]?.alertsSentAtMs.email).toBe(Date.parse(at('10:21')));
      });
      const emailed = extend(allDown(), sent('10:21', 'email'));
      spec.given(emailed).when(sent('10:25', 'email')).thenNothingHappened();
      spec.given(emailed).when(sent('10:22', 'webhook')).thenEvents((events) => expect(types(events)).toEqual(['OutageAlertSent']));
    });
    it('an engineer acknowledges the alert, once', () => {
      spec.given(allDown()).when(acknowledge('10:30')).thenEvents((events, state) => {
        expect(types(events)).toEqual(['OutageAlertAcknowledged']);
        expect(state.outages[0]).toMatchObject({ acknowledgedAtMs: Date.parse(at('10:30')), acknowledgedBy: actors.agent.id });
      });
      spec.given(extend(allDown(), acknowledge('10:30'))).when(acknowledge('10:35')).thenNothingHappened();
      spec.given(allDown()).when(acknowledge('10:30', actors.administrator)).thenFails('NOT_PERMITTED');
    });
    it('the outage keeps when it was debriefed and closed, for its clocks', () => {
      const closed = extend(ended(), debrief('11:00'), close('11:30'));
      expect(board(closed).outages[0]).toMatchObject({ debriefRecordedAtMs: Date.parse(at('11:00')), closedAtMs: Date.parse(at('11:30')) });
    });
  });
});
