import { alertPoints, BREACH, isTicketEvent, ticketDecider, type Ticket, type TicketState } from '@support-sla/domain';
import { complianceReport } from '../compliance/compliance.js';
import { readModelsProjection } from '../model/read-models.js';
import { foldProjection } from '../projection.js';
import { slaStatusBoard } from '../sla-status/sla-status.js';
import { canonicalJson } from '../support/canonical-json.js';
import { EventLog } from '../testing/event-log.js';
import { deskPolicy } from '../testing/fixtures.js';
import { auditTimeline } from './audit-timeline.js';

/*
 * The same desk twice: once as before SLA alerts were recorded, once with the watcher's alerts
 * and the mailer's deliveries in the log. Premium e-mail received Tuesday 24 November 2026
 * 14:00 EST (19:00Z), confirmed 16:30 EST (2 h 30 > 2 h: breached), its confirmation breach
 * alert raised at the deadline and e-mailed a few seconds later; a second ticket reopened after
 * closing, with a warning raised before.
 */
const story = (withAlerts: boolean): EventLog => {
  const log = new EventLog(deskPolicy);
  const opened = log.ticket('d', 'SS-000104').open('2026-11-24T19:00:00Z');
  const d = foldTicket(log);
  const breach = alertPoints(d, deskPolicy, deskPolicy.warningFractions, d.lastEventAtMs).find((p) => p.clock === 'confirmation' && p.level === BREACH);
  if (breach === undefined) throw new Error('no breach point');
  const dueAt = new Date(breach.dueAtMs).toISOString();
  if (withAlerts) opened.slaAlert(dueAt, 'confirmation', BREACH, dueAt).slaAlertSent('2026-11-24T21:00:04Z', 'confirmation', BREACH, 'email');
  opened.acknowledge('2026-11-24T21:30:00Z').classify('2026-11-24T21:35:00Z', 'personal/how-to');
  // A response entered late, dated before the alert that fell due meanwhile: still accepted.
  if (withAlerts) opened.slaAlertSent('2026-11-24T21:40:00Z', 'confirmation', BREACH, 'webhook');
  opened.respond('2026-11-25T20:00:00Z').resolve('2026-11-25T21:00:00Z').close('2026-11-25T21:05:00Z');
  if (withAlerts) opened.slaAlertSent('2026-11-25T21:06:00Z', 'confirmation', BREACH, 'webhook'); // a repeat: nothing appended
  opened.reopen('2026-11-26T15:00:00Z');
  log.ticket('e', 'SS-000105').open('2026-11-27T15:00:00Z');
  return log;
};

function foldTicket(log: EventLog): Ticket {
  let state: TicketState = ticketDecider.initialState;
  for (const { event } of log.events) if (isTicketEvent(event) && event.data.ticketId === 'd') state = ticketDecider.evolve(state, event);
  if (state.status === 'none') throw new Error('no ticket');
  return state;
}

describe('SLA alert events in the projections', () => {
  const plain = story(false);
  const alerted = story(true);
  const period = { from: '2026-11-01T04:00:00Z', to: '2026-12-01T05:00:00Z' };

  it('change no compliance figure and no SLA status', () => {
    const before = foldProjection(readModelsProjection({ policies: [deskPolicy] }), plain.events);
    const after = foldProjection(readModelsProjection({ policies: [deskPolicy] }), alerted.events);
    expect(alerted.events.length).toBe(plain.events.length + 3);
    const report = complianceReport(after, period);
    expect(canonicalJson(report)).toBe(canonicalJson(complianceReport(before, period)));
    // d (2 h 30 to confirm) and e (never confirmed by the end of the period).
    expect(report.total.confirmation.breached).toBe(2);
    const asOf = '2026-11-30T15:00:00Z';
    expect(canonicalJson(slaStatusBoard(after, asOf))).toBe(canonicalJson(slaStatusBoard(before, asOf)));
  });

  it('show in the audit timeline in words, with the clocks at their own time', () => {
    const timeline = auditTimeline('d', alerted.events, { policies: [deskPolicy] });
    const alerts = timeline.entries.filter((e) => e.note !== undefined);
    expect(alerts.map((e) => [e.type, e.note])).toEqual([
      ['TicketSlaAlertRaised', 'SLA breach of the confirmation clock, raised (due 2026-11-24T21:00:00.000Z)'],
      ['TicketSlaAlertSent', 'SLA breach of the confirmation clock, sent by email to sla-alerts@desk.example'],
      ['TicketSlaAlertSent', 'SLA breach of the confirmation clock, sent by webhook to https://hooks.desk.example'],
    ]);
    // As of the deadline itself: the whole 2 h used, nothing left.
    expect(alerts[0]?.sla.confirmation).toMatchObject({ businessTimeUsedMs: 2 * 60 * 60_000, businessTimeRemainingMs: 0 });
    expect(timeline.entries.filter((e) => e.note === undefined).map((e) => e.type)).toEqual(
      auditTimeline('d', plain.events, { policies: [deskPolicy] }).entries.map((e) => e.type),
    );
  });
});
