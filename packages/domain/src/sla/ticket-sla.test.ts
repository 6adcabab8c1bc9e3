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

  describe('waiting on the customer pauses resolution only', () => {
    const commands = [openTicketCommand({ now: TUESDAY_9AM }), command.await('2026-03-10T14:00:00Z')];
    const everyClock: SlaPolicy = { ...defaultPolicy, customerWaitPauses: ['confirmation', 'response', 'resolution'] };
    it('by default a wait on the customer leaves confirmation and response running', () => {
      const sla = slaOf(commands, '2026-03-10T16:00:00Z');
      expect(sla.response).toMatchObject({ status: 'running', businessTimeUsedMs: 3 * H, pausedTimeMs: 0, deadline: '2026-03-11T22:00:00.000Z' });
      expect(sla.confirmation).toMatchObject({ status: 'breached', pausedTimeMs: 0 });
      expect(sla.resolution).toMatchObject({ status: 'paused', businessTimeUsedMs: H, pausedTimeMs: 2 * H });
    });
    it('the default policy lists resolution as the only clock a wait pauses', () => {
      expect(defaultPolicy.customerWaitPauses).toEqual(['resolution']);
      const { customerWaitPauses: _omitted, ...older } = defaultPolicy;
      const sla = slaOf(commands, '2026-03-10T16:00:00Z', older);
      expect(sla.response.status).toBe('running');
      expect(sla.resolution.status).toBe('paused');
    });
    const pausedEverywhere = [openTicketCommand({ now: TUESDAY_9AM, policy: everyClock }), command.await('2026-03-10T14:00:00Z')];
    it('a policy whose customerWaitPauses lists response pauses it too, and the deadline assumes work resumes now', () => {
      const sla = slaOf(pausedEverywhere, '2026-03-10T16:00:00Z', everyClock).response;
      expect(sla).toMatchObject({ status: 'paused', businessTimeUsedMs: H, pausedTimeMs: 2 * H, deadline: '2026-03-12T14:00:00.000Z' });
    });
    it('with such a policy, after the reply the deadline moves by the business time spent waiting', () => {
      const sla = slaOf([...pausedEverywhere, command.reply('2026-03-10T18:00:00Z')], '2026-03-10T19:00:00Z', everyClock).response;
      expect(sla).toMatchObject({ status: 'running', businessTimeUsedMs: 2 * H, pausedTimeMs: 4 * H, pausedBusinessTimeMs: 4 * H, deadline: '2026-03-12T16:00:00.000Z' });
    });
    it('with such a policy, a wait after the deadline does not move it', () => {
      const late = [openTicketCommand({ now: TUESDAY_9AM, policy: everyClock }), command.await('2026-03-12T14:00:00Z'), command.reply('2026-03-12T15:00:00Z')];
      const sla = slaOf(late, '2026-03-12T16:00:00Z', everyClock).response;
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
        command.classify(TUESDAY_9AM, { category: 'personal/how-to' }),
        command.resolve('2026-03-10T19:00:00Z', 'Fixed'),
        command.reopen('2026-03-11T13:00:00Z'),
        command.resolve('2026-03-11T15:00:00Z', 'Fixed again'),
      ];
      const sla = slaOf(commands, '2026-03-12T12:00:00Z').resolution;
      expect(sla).toMatchObject({ status: 'met', stoppedAt: '2026-03-11T15:00:00.000Z', businessTimeUsedMs: 8 * H, pausedTimeMs: 18 * H, pausedBusinessTimeMs: 4 * H });
    });
  });

  describe('a ticket linked to an outage owes no individual confirmation or response while it lasts', () => {
    const classifyOutage = command.classify('2026-03-10T14:00:00Z', { category: 'technical/outage' });
    it('classifying a ticket as an outage changes no clock: there is no per-ticket outage target', () => {
      const sla = slaOf([openTicketCommand({ now: TUESDAY_9AM }), command.acknowledge('2026-03-10T13:05:00Z'), classifyOutage], '2026-03-10T14:20:00Z');
      expect(sla.response).toMatchObject({ calendar: 'support', startedAt: '2026-03-10T13:00:00.000Z', deadline: '2026-03-11T22:00:00.000Z', status: 'running' });
      expect(sla.confirmation).toMatchObject({ calendar: 'support', status: 'met' });
    });
    it('linked tickets hold confirmation and response from the link while the outage lasts', () => {
      const linked = [openTicketCommand({ now: TUESDAY_9AM }), command.link('2026-03-10T13:30:00Z')];
      const sla = slaOf(linked, '2026-03-11T23:00:00Z');
      expect(sla.confirmation).toMatchObject({ status: 'paused', businessTimeUsedMs: 30 * M, stoppedAt: null });
      expect(sla.response).toMatchObject({ status: 'paused', businessTimeUsedMs: 30 * M });
      expect(sla.resolution.calendar).toBe('outage');
    });
    it('the restoration notice counts as the linked ticket’s confirmation and response', () => {
      const linked = [
        openTicketCommand({ now: TUESDAY_9AM }),
        command.link('2026-03-10T13:30:00Z'),
        command.restored('2026-03-10T16:02:00Z', '2026-03-10T16:00:00Z'),
      ];
      const sla = slaOf(linked, '2026-03-12T12:00:00Z');
      expect(sla.confirmation).toMatchObject({ status: 'met', stoppedAt: '2026-03-10T16:02:00.000Z', businessTimeUsedMs: 32 * M, pausedTimeMs: 150 * M });
      expect(sla.response).toMatchObject({ status: 'met', stoppedAt: '2026-03-10T16:02:00.000Z', businessTimeUsedMs: 32 * M });
    });
    it('the hold ends at restoration: a notice that goes out late counts the time since restoration', () => {
      const linked = [openTicketCommand({ now: TUESDAY_9AM }), command.link('2026-03-10T13:30:00Z'), command.restored('2026-03-11T16:00:00Z', '2026-03-10T16:00:00Z')];
      const sla = slaOf(linked, '2026-03-12T12:00:00Z');
      // 30 min before the link, then 16:00 Tue → 16:00 Wed: 2 h Tue + 8 h Wed of business time.
      expect(sla.confirmation).toMatchObject({ status: 'breached', businessTimeUsedMs: 30 * M + 10 * H });
    });
    it('the host may tell when the linked outage ended before the notice is recorded', () => {
      const ticket = ticketOf(historyOf(openTicketCommand({ now: TUESDAY_9AM }), command.link('2026-03-10T13:30:00Z')));
      const sla = ticketSla(ticket, defaultPolicy, '2026-03-10T17:00:00Z', { outageRestoredAtMs: Date.parse('2026-03-10T16:00:00Z') });
      expect(sla.confirmation).toMatchObject({ status: 'at-risk', businessTimeUsedMs: 90 * M, pausedTimeMs: 150 * M });
    });
    it('a ticket linked after the outage ended owes its clocks as usual', () => {
      const linked = [openTicketCommand({ now: TUESDAY_9AM }), command.link('2026-03-10T14:00:00Z'), command.restored('2026-03-10T14:01:00Z', '2026-03-10T13:30:00Z')];
      const sla = slaOf(linked, '2026-03-12T12:00:00Z');
      expect(sla.confirmation).toMatchObject({ status: 'met', businessTimeUsedMs: H + M, pausedTimeMs: 0 });
    });
    it('a later defining response is still recorded after the restoration notice, without moving the clock', () => {
      const linked = [
        openTicketCommand({ now: TUESDAY_9AM }),
        command.link('2026-03-10T13:30:00Z'),
        command.restored('2026-03-10T16:02:00Z', '2026-03-10T16:00:00Z'),
        command.classify('2026-03-10T16:10:00Z', { category: 'technical/outage' }),
        command.respond('2026-03-10T17:00:00Z', { actionPlan: 'Root cause and prevention by Friday' }),
      ];
      const ticket = ticketOf(historyOf(...linked));
      expect(ticket.response).toEqual({ definedAs: 'support-ticket', actionPlan: 'Root cause and prevention by Friday' });
      expect(ticketSla(ticket, defaultPolicy, '2026-03-12T12:00:00Z').response.stoppedAt).toBe('2026-03-10T16:02:00.000Z');
    });
  });

  describe('the domain does not depend on the machine time zone', () => {
    it('an asOf without an offset is refused, never read in local time', () => {
      const ticket = ticketOf(historyOf(openTicketCommand({ now: TUESDAY_9AM })));
      expect(() => ticketSla(ticket, defaultPolicy, '2026-03-06T17:30:00')).toThrow(RangeError);
      expect(() => ticketSla(ticket, defaultPolicy, Number.NaN)).toThrow(RangeError);
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
