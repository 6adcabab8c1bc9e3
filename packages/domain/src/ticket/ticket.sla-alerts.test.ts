import * as E from 'fp-ts/Either';
import { DeciderSpecification, actors, openTicketCommand } from '../testing';
import { defaultPolicy } from '../policy/policy.default';
import { decodeCommand, decodeEvent } from '../shared/codecs';
import { alertPoints, BREACH, type AlertPoint } from '../sla/alert-points';
import type { Actor } from '../shared/actor';
import { ticketDecider } from './ticket.decider';
import type { TicketCommandOf } from './ticket.commands';
import type { TicketEvent } from './ticket.events';
import { ticketExists, type Ticket, type TicketState } from './ticket.state';
import { command, historyOf, ticketOf } from './ticket.test-support';

const spec = DeciderSpecification.for(ticketDecider);
const T0 = '2026-03-10T13:00:00Z'; // Tuesday 09:00 in New York (EDT)
const iso = (ms: number): string => new Date(ms).toISOString();
const asTicket = (state: TicketState): Ticket => {
  if (!ticketExists(state)) throw new Error('no ticket');
  return state;
};

const opened = historyOf(openTicketCommand({ now: T0 }));
const points = alertPoints(ticketOf(opened), defaultPolicy, defaultPolicy.warningFractions, Date.parse(T0));
const point = (clock: 'confirmation' | 'response', level: string): AlertPoint => {
  const found = points.find((p) => p.clock === clock && p.level === level);
  if (found === undefined) throw new Error(`no ${clock} ${level} point`);
  return found;
};
const warning = point('confirmation', String(defaultPolicy.warningFractions[0]));
const breach = point('confirmation', BREACH);

const raise = (p: AlertPoint, now: string = iso(p.dueAtMs), actor: Actor = actors.agent): TicketCommandOf<'RaiseSlaAlert'> => ({
  type: 'RaiseSlaAlert',
  now,
  actor,
  data: { ticketId: 'ticket-1', clock: p.clock, level: p.level, dueAt: iso(p.dueAtMs), policy: defaultPolicy },
});
const sent = (p: AlertPoint, channel: 'email' | 'webhook', now: string, actor: Actor = actors.agent): TicketCommandOf<'RecordSlaAlertSent'> => ({
  type: 'RecordSlaAlertSent',
  now,
  actor,
  data: { ticketId: 'ticket-1', clock: p.clock, level: p.level, channel, to: channel === 'email' ? 'sla-alerts@example.org' : 'https://hooks.example.org', ...(channel === 'email' ? { messageId: '<m@x>' } : {}) },
});
/** The ticket opened at T0, then `more`. */
const withOpened = (...more: Parameters<typeof historyOf>): TicketEvent[] => historyOf(openTicketCommand({ now: T0 }), ...more);

describe('SLA alerts on the ticket', () => {
  it('a due warning is raised once, dated when it fell due, and moves no clock nor the latest event', () => {
    const raisedAt = iso(warning.dueAtMs + 60_000);
    const ticket = asTicket(spec.given(opened).when(raise(warning, raisedAt)).then([
      {
        type: 'TicketSlaAlertRaised',
        schemaVersion: 1,
        data: { ticketId: 'ticket-1', at: raisedAt, by: actors.agent, clock: 'confirmation', level: warning.level, dueAt: iso(warning.dueAtMs) },
      },
    ]));
    expect(ticket.slaAlerts).toEqual([{ clock: 'confirmation', level: warning.level, dueAtMs: warning.dueAtMs, raisedAtMs: Date.parse(raisedAt), sentAtMs: { email: null, webhook: null } }]);
    expect(ticket.lastEventAtMs).toBe(Date.parse(T0));
    expect(ticket.acknowledgedAtMs).toBeNull();
    const raised = withOpened(raise(warning));
    spec.given(raised).when(raise(warning, iso(warning.dueAtMs + 5_000))).thenNothingHappened();
    // Once per clock and level, whatever due time a later computation gave it.
    spec.given(raised).when({ ...raise(warning), data: { ...raise(warning).data, dueAt: iso(warning.dueAtMs + 1) }, now: iso(warning.dueAtMs + 1) }).thenNothingHappened();
  });

  it('a later fact may still be dated before a raised alert (staff entering a phone call late)', () => {
    const raised = withOpened(raise(breach));
    spec.given(raised).when(command.acknowledge(iso(breach.dueAtMs - 60_000))).thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['TicketAcknowledged']));
  });

  it('a warning about a clock that stopped since is nothing to do; a breach that happened stays a fact', () => {
    const acknowledged = withOpened(command.acknowledge(iso(warning.dueAtMs - 1_000)));
    spec.given(acknowledged).when(raise(warning)).thenNothingHappened();
    const lateAck = withOpened(command.acknowledge(iso(breach.dueAtMs + 60_000)));
    spec.given(lateAck).when(raise(breach, iso(breach.dueAtMs + 120_000))).thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['TicketSlaAlertRaised']));
  });

  it('refuses an alert before it falls due, under another policy version, for a ticket that does not exist, or from a requester', () => {
    spec.given(opened).when(raise(warning, iso(warning.dueAtMs - 1))).thenFails('OCCURRED_IN_FUTURE');
    spec.given(opened).when({ ...raise(warning), data: { ...raise(warning).data, policy: { ...defaultPolicy, version: defaultPolicy.version + 1 } } }).thenFails('POLICY_VERSION_CONFLICT');
    spec.given([]).when(raise(warning)).thenFails('TICKET_NOT_FOUND');
    spec.given(opened).when(raise(warning, undefined, actors.administrator)).thenFails('NOT_PERMITTED');
  });

  it('records each channel once, and only for an alert that was raised', () => {
    const raised = withOpened(raise(breach));
    const at = iso(breach.dueAtMs + 3_000);
    const ticket = asTicket(spec.given(raised).when(sent(breach, 'email', at)).then([
      {
        type: 'TicketSlaAlertSent',
        schemaVersion: 1,
        data: { ticketId: 'ticket-1', at, by: actors.agent, clock: 'confirmation', level: BREACH, channel: 'email', to: 'sla-alerts@example.org', messageId: '<m@x>' },
      },
    ]));
    expect(ticket.slaAlerts[0]?.sentAtMs).toEqual({ email: Date.parse(at), webhook: null });
    const emailed = withOpened(raise(breach), sent(breach, 'email', at));
    spec.given(emailed).when(sent(breach, 'email', iso(breach.dueAtMs + 9_000))).thenNothingHappened();
    spec.given(emailed).when(sent(breach, 'webhook', iso(breach.dueAtMs + 9_000))).thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['TicketSlaAlertSent']));
    spec.given(opened).when(sent(breach, 'email', at)).thenFails('SLA_ALERT_NOT_RAISED');
    spec.given(raised).when(sent(breach, 'email', at, actors.administrator)).thenFails('NOT_PERMITTED');
  });

  it('the codecs refuse a level that is neither a breach nor a fraction, and events stored before the alerts still decode', () => {
    const bad = (level: string) => E.isLeft(decodeCommand({ ...raise(warning), data: { ...raise(warning).data, level } }));
    expect(bad('0.75')).toBe(false);
    expect(bad('breach')).toBe(false);
    expect(['1', '0', '1.5', '', 'warning', '0.750', ' 0.5'].filter(bad)).toEqual(['1', '0', '1.5', '', 'warning', '0.750', ' 0.5']);
    const stored = { type: 'TicketNotificationSent', schemaVersion: 1, data: { ticketId: 't', at: T0, by: actors.agent, purpose: 'resolution', messageId: '<r@x>', to: 'ada@example.org' } };
    expect(E.isRight(decodeEvent(stored))).toBe(true);
  });
});
