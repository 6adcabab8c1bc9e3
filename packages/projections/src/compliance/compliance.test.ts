import { outagesView, readModelsProjection } from '../model/read-models.js';
import { EventLog } from '../testing/event-log.js';
import { deskPolicy, HOUR, MINUTE, strictPolicy } from '../testing/fixtures.js';
import { ProjectionSpecification } from '../testing/projection-specification.js';
import { canonicalJson } from '../support/canonical-json.js';
import { complianceReport, whatIfReport } from './compliance.js';
import { COMPLIANCE_CSV_COLUMNS, complianceReportToCsv } from './csv.js';

/*
 * A period from 1 March to 1 December 2026 (New York), spanning the spring-forward weekend
 * (8 March), the fall-back weekend (1 November) and Thanksgiving (26 November), on the default
 * New York policy (08:00–18:00 Monday–Friday, US federal holidays; Premium 2 h, Professional
 * 4 h to confirm; response by the end of the next business day from the receipt date).
 * Every figure below is worked out by hand in the comments.
 */
const log = new EventLog(deskPolicy);

// (a) Premium phone message left Friday 6 March 17:30 EST (22:30Z), typed in on Monday 9 March
//     08:10 EDT (12:10Z), after the clocks went forward.
//     Confirmed 08:15 EDT: Fri 17:30–18:00 (30 min) + Mon 08:00–08:15 (15 min) = 45 min ≤ 2 h: met.
//     Response due Mon 18:00 EDT (target 30 min + 10 h = 10 h 30); sent Mon 17:00 EDT (21:00Z):
//     30 min + 9 h = 9 h 30: met.
log
  .ticket('a', 'SS-000101')
  .open('2026-03-09T12:10:00Z', { channel: 'phone', receivedAt: '2026-03-06T22:30:00Z' })
  .acknowledge('2026-03-09T12:15:00Z')
  .classify('2026-03-09T12:20:00Z', 'personal/how-to')
  .respond('2026-03-09T21:00:00Z');

// (b) Professional e-mail received Friday 30 October 16:00 EDT (20:00Z); the clocks go back on
//     Sunday 1 November. Confirmed Mon 2 Nov 09:00 EST (14:00Z): Fri 2 h + Mon 1 h = 3 h ≤ 4 h: met.
//     Response due Mon 18:00 EST (target Fri 2 h + Mon 10 h = 12 h); sent Tue 09:00 EST (14:00Z):
//     2 h + 10 h + 1 h = 13 h: breached by 1 h.
log
  .ticket('b', 'SS-000102')
  .open('2026-10-30T20:00:00Z', { license: 'teacher' })
  .acknowledge('2026-11-02T14:00:00Z')
  .classify('2026-11-02T14:05:00Z', 'technical/bug', { usersAffected: 3 })
  .respond('2026-11-03T14:00:00Z')
  .resolve('2026-11-04T15:00:00Z')
  .close('2026-11-04T15:30:00Z');

// (c) Professional chat received Wednesday 25 November 17:00 EST (22:00Z), the eve of
//     Thanksgiving. Confirmed Fri 27 Nov 10:00 EST (15:00Z): Wed 1 h + (Thu closed) + Fri 2 h = 3 h: met.
//     Response due Fri 18:00 EST (next business day after Wednesday is Friday; target 1 h + 10 h
//     = 11 h); sent Fri 17:00 EST: 1 h + 9 h = 10 h: met. Then it waits on the customer from
//     Mon 30 Nov 14:00Z to 16:00Z: 2 h waiting, reported apart.
log
  .ticket('c', 'SS-000103')
  .open('2026-11-25T22:00:00Z', { license: 'publisher', channel: 'chat' })
  .acknowledge('2026-11-27T15:00:00Z')
  .classify('2026-11-27T15:05:00Z', 'personal/how-to')
  .respond('2026-11-27T22:00:00Z')
  .awaitCustomer('2026-11-30T14:00:00Z')
  .customerReplied('2026-11-30T16:00:00Z')
  .resolve('2026-11-30T17:00:00Z')
  .close('2026-11-30T17:10:00Z');

// (d) Premium e-mail received Tuesday 24 November 14:00 EST (19:00Z). Confirmed 16:30 EST:
//     2 h 30 > 2 h: breached. Response due Wed 18:00 EST (target Tue 4 h + Wed 10 h = 14 h); sent
//     Wed 15:00 EST (20:00Z): 4 h + 7 h = 11 h: met.
log
  .ticket('d', 'SS-000104')
  .open('2026-11-24T19:00:00Z')
  .acknowledge('2026-11-24T21:30:00Z')
  .classify('2026-11-24T21:35:00Z', 'personal/how-to')
  .respond('2026-11-25T20:00:00Z');

// (e) Received after the period: not in the report.
log.ticket('e', 'SS-000105').open('2026-12-02T15:00:00Z');

// An outage: Chicago down 13:00Z, California 13:02Z, Atlanta 13:05Z (declared then); Chicago up
// 14:35Z (ended: 90 min). Debriefed the next day 15:35Z: 25 h after it ended.
log
  .monitor('2026-07-14T13:00:00Z', 'chicago', 'down')
  .monitor('2026-07-14T13:02:00Z', 'california', 'down')
  .monitor('2026-07-14T13:05:00Z', 'atlanta', 'down')
  .monitor('2026-07-14T14:35:00Z', 'chicago', 'up')
  .debrief('2026-07-15T15:35:00Z', 'OUTAGE-0001')
  .closeOutage('2026-07-15T15:40:00Z', 'OUTAGE-0001');

const period = { from: '2026-03-01T05:00:00Z', to: '2026-12-01T05:00:00Z' };
const spec = ProjectionSpecification.for(readModelsProjection({ policies: [deskPolicy, strictPolicy] }));

describe('compliance report over DST changes and Thanksgiving (default New York policy)', () => {
  it('counts, percentages, breached tickets and nearest-rank percentiles by hand', () => {
    spec
      .given(log.events.slice(0, 20))
      .when(log.events.slice(20))
      .then((model) => {
        const report = complianceReport(model, period);
        expect(outagesView(model)).toEqual(report.outages.outages);
        expect(report.period).toEqual({ from: '2026-03-01T05:00:00.000Z', to: '2026-12-01T05:00:00.000Z' });
        expect(report.policy).toBe('pinned');
        expect(report.groups.map((g) => [g.tier, g.requestType, g.channel, g.received])).toEqual([
          ['premium', 'personal/how-to', 'email', 1],
          ['premium', 'personal/how-to', 'phone', 1],
          ['professional', 'personal/how-to', 'chat', 1],
          ['professional', 'technical/bug', 'email', 1],
        ]);
        const total = report.total;
        expect(total.received).toBe(4);
        expect(total.confirmation).toEqual({
          withinTarget: 3,
          breached: 1,
          pending: 0,
          withinTargetPercent: 75,
          // 45 min, 2 h 30, 3 h, 3 h: median = 2nd of 4, p90 = p95 = 4th.
          businessTime: { count: 4, medianMs: 150 * MINUTE, p90Ms: 3 * HOUR, p95Ms: 3 * HOUR },
        });
        expect(total.response).toEqual({
          withinTarget: 3,
          breached: 1,
          pending: 0,
          withinTargetPercent: 75,
          // 9 h 30, 10 h, 11 h, 13 h.
          businessTime: { count: 4, medianMs: 10 * HOUR, p90Ms: 13 * HOUR, p95Ms: 13 * HOUR },
        });
        expect(total.breachedTickets).toEqual(['SS-000102', 'SS-000104']);
        expect(total.waitingOnCustomer).toEqual({ tickets: 1, totalMs: 2 * HOUR });

        const phone = report.groups[1];
        expect(phone?.confirmation.businessTime.medianMs).toBe(45 * MINUTE);
        expect(phone?.response.businessTime.medianMs).toBe(9.5 * HOUR);
        const bug = report.groups[3];
        expect(bug?.response).toMatchObject({ withinTarget: 0, breached: 1, withinTargetPercent: 0 });
        expect(bug?.breachedTickets).toEqual(['SS-000102']);

        expect(report.outages).toEqual({
          count: 1,
          totalDurationMs: 90 * MINUTE,
          timeToAlert: { count: 0, medianMs: null, p90Ms: null, p95Ms: null },
          timeToAcknowledge: { count: 0, medianMs: null, p90Ms: null, p95Ms: null },
          duration: { count: 1, medianMs: 90 * MINUTE, p90Ms: 90 * MINUTE, p95Ms: 90 * MINUTE },
          timeToDebrief: { count: 1, medianMs: 25 * HOUR, p90Ms: 25 * HOUR, p95Ms: 25 * HOUR },
          outages: [
            {
              outageId: 'OUTAGE-0001',
              source: 'monitors',
              declaredAt: '2026-07-14T13:05:00.000Z',
              alertSentAt: null,
              timeToAlertMs: null,
              acknowledgedAt: null,
              timeToAcknowledgeMs: null,
              endedAt: '2026-07-14T14:35:00.000Z',
              durationMs: 90 * MINUTE,
              debriefedAt: '2026-07-15T15:35:00.000Z',
              timeToDebriefMs: 25 * HOUR,
              linkedTickets: [],
            },
          ],
        });
      });
  });

  it('judges clocks still running as of the given instant', () => {
    const more = new EventLog(deskPolicy);
    more.ticket('p', 'SS-000201').open('2026-03-10T14:00:00Z'); // Premium, nothing sent yet
    spec
      .given(more.events)
      .when()
      .then((model) => {
        const window = { from: '2026-03-10T04:00:00Z', to: '2026-03-11T04:00:00Z' };
        // 11:00 EDT: 1 h of 2 h used: pending.
        expect(complianceReport(model, { ...window, asOf: '2026-03-10T15:00:00Z' }).total.confirmation).toMatchObject({ pending: 1, breached: 0, withinTargetPercent: null });
        // 12:00:01 EDT: past the deadline: breached.
        const late = complianceReport(model, { ...window, asOf: '2026-03-10T16:00:01Z' }).total;
        expect(late.confirmation).toMatchObject({ pending: 0, breached: 1, withinTargetPercent: 0 });
        expect(late.breachedTickets).toEqual(['SS-000201']);
      });
  });

  it('what if Professional confirmations had a 2-hour target (policy v2), beside the real report', () => {
    spec
      .given(log.events)
      .when()
      .then((model) => {
        const { actual, whatIf } = whatIfReport(model, period, 2);
        expect(actual.total.confirmation.withinTargetPercent).toBe(75);
        // (b) and (c) took 3 h to confirm: breached under a 2 h target. Only (a) stays within.
        expect(whatIf.policy).toBe(2);
        expect(whatIf.total.confirmation).toMatchObject({ withinTarget: 1, breached: 3, withinTargetPercent: 25 });
        expect(whatIf.total.response).toEqual(actual.total.response);
        expect(whatIf.total.breachedTickets).toEqual(['SS-000102', 'SS-000103', 'SS-000104']);
        // A policy given as an object works the same as a known version.
        expect(canonicalJson(whatIfReport(model, period, strictPolicy).whatIf)).toBe(canonicalJson(whatIf));

        const csv = complianceReportToCsv(actual, whatIf);
        const lines = csv.trimEnd().split('\n');
        expect(lines[0]).toBe(COMPLIANCE_CSV_COLUMNS.join(','));
        // 4 groups + total + 1 outage, twice.
        expect(lines).toHaveLength(1 + 2 * 6);
        const total = lines.find((l) => l.startsWith('pinned,') && l.includes(',total,'));
        expect(total).toBe(
          'pinned,2026-03-01T05:00:00.000Z,2026-12-01T05:00:00.000Z,2026-12-01T05:00:00.000Z,total,*,*,*,4,' +
            '3,1,0,75.00,9000000,10800000,10800000,' +
            '3,1,0,75.00,36000000,46800000,46800000,' +
            'SS-000102 SS-000104,0,1,7200000,,,,,,,,,,,,',
        );
        const outageRow = lines.find((l) => l.startsWith('v2,') && l.includes(',outage,'));
        expect(outageRow?.endsWith(',OUTAGE-0001,monitors,2026-07-14T13:05:00.000Z,,,,,2026-07-14T14:35:00.000Z,5400000,2026-07-15T15:35:00.000Z,90000000,')).toBe(true);
      });
  });

  it('refuses a period given in local time without an offset', () => {
    const model = readModelsProjection({ policies: [deskPolicy] }).initialState();
    expect(() => complianceReport(model, { from: '2026-03-01T00:00:00', to: '2026-12-01T00:00:00Z' })).toThrow(/offset/);
  });

  describe('reports count only what has happened', () => {
    const today = new EventLog(deskPolicy);
    // Tuesday 10 March 2026, 10:00 EDT: received and confirmed; the response is due Wednesday 18:00 EDT.
    today.ticket('r', 'SS-000301').open('2026-03-10T14:00:00Z').acknowledge('2026-03-10T14:10:00Z');
    const month = { from: '2026-03-01T05:00:00Z', to: '2026-04-01T04:00:00Z' };
    it('a clock whose deadline is after asOf is pending, never breached, and the report states its asOf', () => {
      spec.given(today.events).when().then((model) => {
        const report = complianceReport(model, { ...month, asOf: '2026-03-10T20:00:00Z' });
        expect(report.asOf).toBe('2026-03-10T20:00:00.000Z');
        expect(report.total.response).toMatchObject({ pending: 1, breached: 0 });
        expect(report.total.breachedTickets).toEqual([]);
      });
    });
    it('clocks are judged at asOf even when the ticket moved on after it', () => {
      const later = new EventLog(deskPolicy);
      later.ticket('r', 'SS-000302').open('2026-03-10T14:00:00Z').acknowledge('2026-03-10T17:30:00Z');
      spec.given(later.events).when().then((model) => {
        // At 11:00 EDT the 2-hour confirmation had 1 hour left: pending, although it was late in the end.
        expect(complianceReport(model, { ...month, asOf: '2026-03-10T15:00:00Z' }).total.confirmation).toMatchObject({ pending: 1, breached: 0 });
        expect(complianceReport(model, { ...month, asOf: '2026-03-10T18:00:00Z' }).total.confirmation).toMatchObject({ pending: 0, breached: 1 });
      });
    });
    it('a ticket received after asOf is not in the report', () => {
      spec.given(today.events).when().then((model) => {
        expect(complianceReport(model, { ...month, asOf: '2026-03-09T12:00:00Z' }).total.received).toBe(0);
      });
    });
  });

  describe('outages have their own clocks; linked tickets are listed under them', () => {
    const desk = new EventLog(deskPolicy);
    // Wednesday 15 July 2026. Monitors all down 13:00Z; alert e-mailed 13:01; acknowledged 13:09;
    // restored 14:00; debriefed the next day 15:00.
    desk.monitor('2026-07-15T12:58:00Z', 'chicago', 'down').monitor('2026-07-15T12:59:00Z', 'california', 'down').monitor('2026-07-15T13:00:00Z', 'atlanta', 'down');
    desk.alertSent('2026-07-15T13:01:00Z', 'OUTAGE-0001').acknowledgeAlert('2026-07-15T13:09:00Z', 'OUTAGE-0001');
    // A Premium ticket about it at 13:10, linked at 13:15, never confirmed on its own.
    desk.ticket('l', 'SS-000401').open('2026-07-15T13:10:00Z').linkToOutage('2026-07-15T13:15:00Z', 'OUTAGE-0001');
    // A ticket about something else, opened during the outage: its clocks run as usual (late here).
    desk.ticket('u', 'SS-000402').open('2026-07-15T13:20:00Z');
    desk.monitor('2026-07-15T14:00:00Z', 'chicago', 'up');
    desk.debrief('2026-07-16T15:00:00Z', 'OUTAGE-0001');
    // A staff-declared outage a week later: declared 10:00Z, alert by webhook 10:03, ended 10:30.
    desk.declareOutage('2026-07-22T10:00:00Z').alertSent('2026-07-22T10:03:00Z', 'OUTAGE-0002', 'webhook').endOutage('2026-07-22T10:30:00Z', 'OUTAGE-0002');
    const july = { from: '2026-07-01T04:00:00Z', to: '2026-08-01T04:00:00Z', asOf: '2026-07-31T12:00:00Z' };

    it('the report shows declared → alert sent, → acknowledged, → restored and restored → debrief for each outage, with p50/p90', () => {
      spec.given(desk.events).when().then((model) => {
        const { outages } = complianceReport(model, july);
        expect(outages.outages.map((o) => [o.outageId, o.source, o.timeToAlertMs, o.timeToAcknowledgeMs, o.durationMs, o.timeToDebriefMs])).toEqual([
          ['OUTAGE-0001', 'monitors', MINUTE, 9 * MINUTE, HOUR, 25 * HOUR],
          ['OUTAGE-0002', 'staff', 3 * MINUTE, null, 30 * MINUTE, null],
        ]);
        expect(outages.timeToAlert).toEqual({ count: 2, medianMs: MINUTE, p90Ms: 3 * MINUTE, p95Ms: 3 * MINUTE });
        expect(outages.timeToAcknowledge).toMatchObject({ count: 1, medianMs: 9 * MINUTE });
        expect(outages.duration).toMatchObject({ count: 2, medianMs: 30 * MINUTE, p90Ms: HOUR });
        const csv = complianceReportToCsv(complianceReport(model, july)).trimEnd().split('\n');
        const header = csv[0]?.split(',') ?? [];
        const row = csv.find((l) => l.includes(',OUTAGE-0001,'))?.split(',') ?? [];
        const cell = (name: string) => row[header.indexOf(name)];
        expect([cell('outage_time_to_alert_ms'), cell('outage_time_to_acknowledge_ms'), cell('outage_duration_ms'), cell('outage_time_to_debrief_ms')]).toEqual(['60000', '540000', '3600000', '90000000']);
        expect(cell('outage_linked_tickets')).toBe('SS-000401');
      });
    });
    it('linked tickets are listed under their outage and never as confirmation or response breaches', () => {
      spec.given(desk.events).when().then((model) => {
        const report = complianceReport(model, july);
        expect(report.outages.outages[0]?.linkedTickets).toEqual(['SS-000401']);
        expect(report.total.outageLinked).toBe(1);
        expect(report.total.received).toBe(2);
        // Only the unrelated ticket counts, and it is breached (never confirmed).
        expect(report.total.breachedTickets).toEqual(['SS-000402']);
        expect(report.total.confirmation).toMatchObject({ withinTarget: 0, breached: 1, pending: 0 });
      });
    });
    it('the read models list each outage with the tickets linked to it, whatever period they were received in (GET /outages)', () => {
      spec.given(desk.events).when().then((model) => {
        expect(model.outageLinks.get('OUTAGE-0001')).toEqual(['SS-000401']);
        expect(model.outageLinks.get('OUTAGE-0002')).toBeUndefined();
        expect(outagesView(model).map((o) => [o.outageId, o.linkedTickets])).toEqual([
          ['OUTAGE-0001', ['SS-000401']],
          ['OUTAGE-0002', []],
        ]);
        // The same as the report's, for a period holding every ticket.
        expect(outagesView(model)).toEqual(complianceReport(model, july).outages.outages.map((o) => ({ ...o })));
      });
    });
    it('an outage fact recorded after asOf has not happened yet in the report', () => {
      spec.given(desk.events).when().then((model) => {
        const during = complianceReport(model, { ...july, asOf: '2026-07-15T13:05:00Z' }).outages.outages[0];
        expect(during).toMatchObject({ alertSentAt: '2026-07-15T13:01:00.000Z', acknowledgedAt: null, endedAt: null, durationMs: null });
      });
    });
  });

  it('an outage’s clocks run on the outage calendar of the policy in force (24/7 by default)', () => {
    // A desk whose outage calendar is its support hours: an outage declared Friday 17:00 EDT and
    // restored Monday 09:00 EDT lasted 2 business hours on it, 64 hours on the 24/7 default.
    const officeHours = { ...deskPolicy, outageCalendar: deskPolicy.supportCalendar };
    const friday = (log: EventLog) =>
      log
        .monitor('2026-07-17T20:58:00Z', 'chicago', 'down')
        .monitor('2026-07-17T20:59:00Z', 'california', 'down')
        .monitor('2026-07-17T21:00:00Z', 'atlanta', 'down')
        .monitor('2026-07-20T13:00:00Z', 'atlanta', 'up');
    const july = { from: '2026-07-01T04:00:00Z', to: '2026-08-01T04:00:00Z', asOf: '2026-07-31T12:00:00Z' };
    const onDefault = new EventLog(deskPolicy);
    friday(onDefault);
    spec.given(onDefault.events).when().then((model) => expect(complianceReport(model, july).outages.outages[0]?.durationMs).toBe(64 * HOUR));
    const onOffice = new EventLog(officeHours);
    friday(onOffice);
    ProjectionSpecification.for(readModelsProjection({ policies: [officeHours] }))
      .given(onOffice.events)
      .when()
      .then((model) => expect(complianceReport(model, july).outages.outages[0]?.durationMs).toBe(2 * HOUR));
  });
});
