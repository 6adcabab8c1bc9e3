import { usFederalHolidays } from '@support-sla/sla-calendar';
import { actors, openTicketCommand } from '../testing';
import { defaultPolicy } from '../policy/policy.default';
import type { SlaPolicy } from '../policy/policy.schema';
import { command, historyOf, ticketOf } from '../ticket/ticket.test-support';
import type { TicketCommand } from '../ticket/ticket.commands';
import { PolicyVersionMismatchError, ticketSla } from './ticket-sla';

const H = 3_600_000;
const M = 60_000;
const agentConfirms: SlaPolicy = { ...defaultPolicy, confirmation: 'agent' };

const slaOf = (commands: TicketCommand[], asOf: string, policy: SlaPolicy = defaultPolicy) => ticketSla(ticketOf(historyOf(...commands)), policy, asOf);
// Tuesday 2026-03-10 09:00 in New York (EDT, UTC-4).
const TUESDAY_9AM = '2026-03-10T13:00:00Z';

describe('ticket SLA clocks', () => {
  describe('confirmation: 2 business hours Premium, 4 Professional', () => {
    const open = (license: 'administrator' | 'teacher', now = TUESDAY_9AM) => openTicketCommand({ now, license, policy: agentConfirms });

    it('a Premium confirmation is due two business hours after receipt', () => {
      const sla = slaOf([open('administrator')], '2026-03-10T13:30:00Z', agentConfirms).confirmation;
      expect(sla).toMatchObject({
        calendar: 'support',
        startedAt: '2026-03-10T13:00:00.000Z',
        deadline: '2026-03-10T15:00:00.000Z',
        targetMs: 2 * H,
        businessTimeUsedMs: 30 * M,
        businessTimeRemainingMs: 90 * M,
        status: 'running',
        warningLevel: null,
        stoppedAt: null,
      });
    });
    it('a Professional confirmation is due four business hours after receipt, across the night', () => {
      const sla = slaOf([open('teacher', '2026-03-10T20:00:00Z')], '2026-03-10T21:00:00Z', agentConfirms).confirmation;
      expect(sla.deadline).toBe('2026-03-11T14:00:00.000Z');
      expect(sla.targetMs).toBe(4 * H);
    });
    it('business time crosses the daylight-saving change', () => {
      // Friday 2026-03-06 17:00 EST; clocks go forward on Sunday 03-08; Monday 09:00 EDT is 13:00Z.
      const sla = slaOf([open('administrator', '2026-03-06T22:00:00Z')], '2026-03-06T22:30:00Z', agentConfirms).confirmation;
      expect(sla.deadline).toBe('2026-03-09T13:00:00.000Z');
    });
    it('US federal holidays are closed days', () => {
      expect(usFederalHolidays(2026)).toContain('2026-07-03');
      // Thursday 2026-07-02 17:00 EDT; Friday 07-03 is the observed Independence Day.
      const sla = slaOf([open('administrator', '2026-07-02T21:00:00Z')], '2026-07-02T21:10:00Z', agentConfirms);
      expect(sla.confirmation.deadline).toBe('2026-07-06T13:00:00.000Z');
      expect(sla.response.deadline).toBe('2026-07-06T22:00:00.000Z');
    });
    it('a clock is at risk once it has used a warning fraction of its target', () => {
      const at = (asOf: string) => slaOf([open('administrator')], asOf, agentConfirms).confirmation;
      expect(at('2026-03-10T14:15:00Z')).toMatchObject({ status: 'at-risk', warningLevel: 0.5 });
      expect(at('2026-03-10T14:35:00Z')).toMatchObject({ status: 'at-risk', warningLevel: 0.75 });
      expect(at('2026-03-10T14:50:00Z')).toMatchObject({ status: 'at-risk', warningLevel: 0.9 });
      const custom = { ...agentConfirms, warningFractions: [0.8] };
      expect(slaOf([openTicketCommand({ now: TUESDAY_9AM, policy: custom })], '2026-03-10T14:15:00Z', custom).confirmation.status).toBe('running');
    });
    it('a clock is breached once it has used more than its target', () => {
      const sla = slaOf([open('administrator')], '2026-03-10T15:30:00Z', agentConfirms).confirmation;
      expect(sla).toMatchObject({ status: 'breached', overdueMs: 30 * M, businessTimeRemainingMs: 0 });
    });
    it('acknowledging in time meets the confirmation target', () => {
      const sla = slaOf([open('administrator'), command.acknowledge('2026-03-10T14:00:00Z')], '2026-03-12T12:00:00Z', agentConfirms).confirmation;
      expect(sla).toMatchObject({ status: 'met', stoppedAt: '2026-03-10T14:00:00.000Z', businessTimeUsedMs: H });
    });
    it('an automatic confirmation stops the clock when the e-mail went out, not at opening', () => {
      const mailed = { ...command.acknowledge('2026-03-10T13:05:00Z'), data: { ...command.acknowledge('2026-03-10T13:05:00Z').data, automatic: true } };
      expect(slaOf([openTicketCommand({ now: TUESDAY_9AM }), mailed], '2026-03-10T18:00:00Z').confirmation).toMatchObject({ status: 'met', businessTimeUsedMs: 5 * M });
      expect(slaOf([openTicketCommand({ now: TUESDAY_9AM })], '2026-03-10T18:00:00Z').confirmation).toMatchObject({ status: 'breached' });
    });
    it('a phone message’s clock starts when the message was left', () => {
      const phone = openTicketCommand({ now: '2026-03-10T14:30:00Z', receivedAt: TUESDAY_9AM, channel: 'phone', actor: actors.agent, policy: agentConfirms });
      const sla = slaOf([phone], '2026-03-10T14:30:00Z', agentConfirms).confirmation;
      expect(sla).toMatchObject({ startedAt: '2026-03-10T13:00:00.000Z', businessTimeUsedMs: 90 * M, status: 'at-risk' });
    });
  });

  describe('response: by the end of the next business day', () => {
    it('counts from the day of receipt by default', () => {
      const sla = slaOf([openTicketCommand({ now: TUESDAY_9AM })], '2026-03-10T14:00:00Z').response;
      expect(sla).toMatchObject({ deadline: '2026-03-11T22:00:00.000Z', targetMs: 19 * H, status: 'running' });
    });
    it('a request received on Friday evening is due Monday; with `next-opening` it is due Tuesday', () => {
      const friday = openTicketCommand({ now: '2026-03-13T23:00:00Z' });
      expect(slaOf([friday], '2026-03-14T12:00:00Z').response.deadline).toBe('2026-03-16T22:00:00.000Z');
      const nextOpening: SlaPolicy = { ...defaultPolicy, nextBusinessDayCountsFrom: 'next-opening' };
      const fridayNext = openTicketCommand({ now: '2026-03-13T23:00:00Z', policy: nextOpening });
      expect(slaOf([fridayNext], '2026-03-14T12:00:00Z', nextOpening).response.deadline).toBe('2026-03-17T22:00:00.000Z');
    });
    it('responding stops the response clock', () => {
      const sla = slaOf(
        [openTicketCommand({ now: TUESDAY_9AM }), command.classify('2026-03-10T14:00:00Z', { category: 'personal/how-to' }), command.respond('2026-03-11T15:00:00Z', { actionPlan: 'Call' })],
        '2026-03-20T00:00:00Z',
      ).response;
      expect(sla).toMatchObject({ status: 'met', stoppedAt: '2026-03-11T15:00:00.000Z', businessTimeUsedMs: 9 * H + 3 * H });
    });
  });

  describe('time awaiting the customer stops the clock and is reported apart', () => {
    const commands = [openTicketCommand({ now: TUESDAY_9AM }), command.await('2026-03-10T14:00:00Z')];
    it('while waiting, the clock is paused and the deadline assumes work resumes now', () => {
      const sla = slaOf(commands, '2026-03-10T16:00:00Z').response;
      expect(sla).toMatchObject({ status: 'paused', businessTimeUsedMs: H, pausedTimeMs: 2 * H, deadline: '2026-03-12T14:00:00.000Z' });
    });
    it('after the reply, the deadline moves by the business time spent waiting', () => {
      const sla = slaOf([...commands, command.reply('2026-03-10T18:00:00Z')], '2026-03-10T19:00:00Z').response;
      expect(sla).toMatchObject({ status: 'running', businessTimeUsedMs: 2 * H, pausedTimeMs: 4 * H, pausedBusinessTimeMs: 4 * H, deadline: '2026-03-12T16:00:00.000Z' });
    });
    it('a wait after the deadline does not move it', () => {
      const late = [openTicketCommand({ now: TUESDAY_9AM }), command.await('2026-03-12T14:00:00Z'), command.reply('2026-03-12T15:00:00Z')];
      const sla = slaOf(late, '2026-03-12T16:00:00Z').response;
      expect(sla).toMatchObject({ deadline: '2026-03-11T22:00:00.000Z', status: 'breached' });
    });
  });

  describe('resolution is best effort: measured, never breached', () => {
    it('an unresolved ticket keeps running however long it takes', () => {
      const sla = slaOf([openTicketCommand({ now: TUESDAY_9AM })], '2026-05-01T12:00:00Z').resolution;
      expect(sla).toMatchObject({ status: 'running', deadline: null, targetMs: null, businessTimeRemainingMs: null, overdueMs: 0 });
    });
    it('a resolved-then-reopened span is excluded from the resolution time', () => {
      const commands = [
        openTicketCommand({ now: TUESDAY_9AM }),
        command.resolve('2026-03-10T19:00:00Z', 'Fixed'),
        command.reopen('2026-03-11T13:00:00Z'),
        command.resolve('2026-03-11T15:00:00Z', 'Fixed again'),
      ];
      const sla = slaOf(commands, '2026-03-12T12:00:00Z').resolution;
      expect(sla).toMatchObject({ status: 'met', stoppedAt: '2026-03-11T15:00:00.000Z', businessTimeUsedMs: 8 * H, pausedTimeMs: 18 * H, pausedBusinessTimeMs: 4 * H });
    });
  });

  describe('outages run on the 24/7 clock', () => {
    const classifyOutage = command.classify('2026-03-10T14:00:00Z', { category: 'technical/outage' });
    it('reclassifying to an outage starts the outage response clock at reclassification by default', () => {
      const sla = slaOf([openTicketCommand({ now: TUESDAY_9AM }), command.acknowledge('2026-03-10T13:05:00Z'), classifyOutage], '2026-03-10T14:20:00Z');
      expect(sla.response).toMatchObject({ calendar: 'outage', startedAt: '2026-03-10T14:00:00.000Z', deadline: '2026-03-10T14:15:00.000Z', status: 'breached', overdueMs: 5 * M });
      expect(sla.confirmation).toMatchObject({ calendar: 'support', status: 'met' });
    });
    it('with `outageReclassificationRetroactive`, the outage clock starts at receipt', () => {
      const retro: SlaPolicy = { ...defaultPolicy, outageReclassificationRetroactive: true };
      const sla = slaOf([openTicketCommand({ now: TUESDAY_9AM, policy: retro }), classifyOutage], '2026-03-10T14:20:00Z', retro);
      expect(sla.response).toMatchObject({ calendar: 'outage', startedAt: '2026-03-10T13:00:00.000Z', deadline: '2026-03-10T13:15:00.000Z' });
    });
    it('a ticket linked to an outage on a Saturday is answered around the clock', () => {
      const saturday = openTicketCommand({ now: '2026-03-14T14:00:00Z' });
      const sla = slaOf([saturday, command.link('2026-03-14T14:01:00Z')], '2026-03-14T14:05:00Z');
      expect(sla.response).toMatchObject({ calendar: 'outage', deadline: '2026-03-14T14:16:00.000Z', businessTimeUsedMs: 4 * M, status: 'running' });
      expect(sla.resolution.calendar).toBe('outage');
    });
    it('the outage response target is a policy option', () => {
      const thirty: SlaPolicy = { ...defaultPolicy, outageResponseTarget: { minutes: 30 } };
      const sla = slaOf([openTicketCommand({ now: TUESDAY_9AM, policy: thirty }), classifyOutage], '2026-03-10T14:20:00Z', thirty);
      expect(sla.response).toMatchObject({ deadline: '2026-03-10T14:30:00.000Z', status: 'at-risk', warningLevel: 0.5 });
    });
  });

  describe('policy versions', () => {
    it('a ticket keeps the deadlines of the policy version it pinned', () => {
      const v2: SlaPolicy = { ...defaultPolicy, version: 2, targets: { ...defaultPolicy.targets, premium: { ...defaultPolicy.targets.premium, confirmation: { kind: 'business-minutes', minutes: 30 } } } };
      const ticket = ticketOf(historyOf(openTicketCommand({ now: TUESDAY_9AM, policy: agentConfirms })));
      expect(() => ticketSla(ticket, v2, '2026-03-10T13:10:00Z')).toThrow(PolicyVersionMismatchError);
      expect(ticketSla(ticket, agentConfirms, '2026-03-10T13:10:00Z').confirmation.deadline).toBe('2026-03-10T15:00:00.000Z');
    });
    it('is pure: the same inputs give the same report', () => {
      const ticket = ticketOf(historyOf(openTicketCommand({ now: TUESDAY_9AM }), command.await('2026-03-10T14:00:00Z')));
      expect(ticketSla(ticket, defaultPolicy, Date.parse('2026-03-10T16:00:00Z'))).toEqual(ticketSla(ticket, defaultPolicy, '2026-03-10T16:00:00Z'));
    });
  });
});
