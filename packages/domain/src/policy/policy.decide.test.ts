import * as E from 'fp-ts/Either';
import { isOpenAt, usFederalHolidays } from '@support-sla/sla-calendar';
import * as fc from 'fast-check';
import { DeciderSpecification, actors, openTicketCommand } from '../testing';
import { arbPolicy } from '../testing/arbitraries';
import { historyOf, ticketOf } from '../ticket/ticket.test-support';
import { ticketSla } from '../sla/ticket-sla';
import type { Actor } from '../shared/actor';
import { decodeWith } from '../shared/decode';
import type { PolicyCommand } from './policy.commands';
import { policyCalendars } from './policy.calendars';
import { defaultPolicy } from './policy.default';
import { policyDecider } from './policy.decider';
import type { PolicyEvent } from './policy.events';
import { SlaPolicy } from './policy.schema';
import { currentPolicy, entitlementsFor, policyInForceAt, policyVersion } from './policy.state';

const spec = DeciderSpecification.for(policyDecider);
const publish = (policy: SlaPolicy, now = '2026-01-01T00:00:00Z', actor: Actor = actors.admin): PolicyCommand => ({ type: 'PublishPolicy', now, actor, data: { policy } });
const published = (policy: SlaPolicy, at = '2026-01-01T00:00:00Z'): PolicyEvent => ({ type: 'PolicyPublished', schemaVersion: 1, data: { at, by: actors.admin, policy } });
const v2: SlaPolicy = { ...defaultPolicy, version: 2, customerWaitPauses: ['response', 'resolution'] };

describe('SLA policy', () => {
  it('the default policy encodes the agreement: New York 08:00–18:00 Monday–Friday with US federal holidays', () => {
    expect(defaultPolicy.supportCalendar.timeZone).toBe('America/New_York');
    expect(defaultPolicy.supportCalendar.weeklyHours.map((h) => `${h.day} ${h.start}-${h.end}`)).toEqual([
      'monday 08:00-18:00', 'tuesday 08:00-18:00', 'wednesday 08:00-18:00', 'thursday 08:00-18:00', 'friday 08:00-18:00',
    ]);
    expect(defaultPolicy.supportCalendar.holidayRules).toEqual(['us-federal']);
    const support = policyCalendars(defaultPolicy).support;
    for (const year of [2024, 2026, 2035, 2041, 2150]) {
      for (const day of usFederalHolidays(year)) expect(isOpenAt(support, Date.parse(`${day}T16:00:00Z`))).toBe(false);
    }
    expect(defaultPolicy.targets.premium.confirmation).toEqual({ kind: 'business-minutes', minutes: 120 });
    expect(defaultPolicy.targets.professional.confirmation).toEqual({ kind: 'business-minutes', minutes: 240 });
    expect(defaultPolicy.targets.premium.response).toEqual({ kind: 'end-of-next-business-day' });
    expect(defaultPolicy).toMatchObject({ outageCalendar: 'always-open', resolution: 'best-effort', nextBusinessDayCountsFrom: 'receipt-date', confirmation: 'automatic', customerWaitPauses: ['resolution'], priorityRaises: [], warningFractions: [0.5, 0.75, 0.9] });
  });

  it('a policy is versioned data with a codec', () => {
    expect(decodeWith(SlaPolicy)(JSON.parse(JSON.stringify(defaultPolicy)))).toEqual(E.right(defaultPolicy));
    const bad = { ...defaultPolicy, warningFractions: [1.5] };
    const result = decodeWith(SlaPolicy)(bad);
    expect(E.isLeft(result) && result.left.issues.map((i) => [i.path, i.expected])).toEqual([['warningFractions.0', 'Fraction']]);
  });

  it('each tier lists its entitlements: channels and training', () => {
    expect(entitlementsFor(defaultPolicy, 'premium')).toEqual({
      channels: ['phone', 'email', 'chat', 'dashboard', 'web-portal'],
      training: ['live-scheduled-sessions', 'user-guides', 'online-videos'],
    });
    expect(entitlementsFor(defaultPolicy, 'professional').channels).not.toContain('phone');
    expect(entitlementsFor(defaultPolicy, 'professional').training).toEqual(['live-scheduled-sessions', 'user-guides', 'online-videos']);
  });

  it('publishing a new version is an event of the policy aggregate', () => {
    spec.given([]).when(publish(defaultPolicy)).then([published(defaultPolicy)]);
    spec.given([published(defaultPolicy)]).when(publish(v2, '2026-06-01T00:00:00Z')).thenEvents((events, history) => {
      expect(events.length).toBe(1);
      expect(currentPolicy(history)?.version).toBe(2);
      expect(policyVersion(history, 1)).toEqual(defaultPolicy);
      expect(policyInForceAt(history, Date.parse('2026-03-01T00:00:00Z'))?.version).toBe(1);
      expect(policyInForceAt(history, Date.parse('2026-07-01T00:00:00Z'))?.version).toBe(2);
    });
  });

  it('versions follow each other without gaps; republishing the current version changes nothing', () => {
    spec.given([]).when(publish(v2)).thenFails('POLICY_VERSION_CONFLICT');
    spec.given([published(defaultPolicy)]).when(publish({ ...defaultPolicy, warningFractions: [0.5] })).thenFails('POLICY_VERSION_CONFLICT');
    spec.given([published(defaultPolicy)]).when(publish(defaultPolicy)).thenNothingHappened();
  });

  it('only an admin publishes a policy', () => {
    spec.given([]).when(publish(defaultPolicy, undefined, actors.agent)).thenFails('NOT_PERMITTED');
    spec.given([]).when(publish(defaultPolicy, undefined, actors.administrator)).thenFails('NOT_PERMITTED');
  });

  it('an invalid policy is refused', () => {
    spec.given([]).when(publish({ ...defaultPolicy, supportCalendar: { timeZone: 'Mars/Olympus_Mons', weeklyHours: [] } })).thenFails('INVALID_POLICY');
    spec.given([]).when(publish({ ...defaultPolicy, warningFractions: [0.9, 0.5] })).thenFails('INVALID_POLICY');
    spec.given([]).when(publish({ ...defaultPolicy, entitlements: { ...defaultPolicy.entitlements, professional: { channels: [], training: [] } } })).thenFails('INVALID_POLICY');
  });

  it('compiled calendars are cached per policy version', () => {
    const copy = JSON.parse(JSON.stringify(defaultPolicy)) as SlaPolicy;
    expect(policyCalendars(copy)).toBe(policyCalendars(defaultPolicy));
    const otherZone: SlaPolicy = { ...defaultPolicy, supportCalendar: { ...defaultPolicy.supportCalendar, timeZone: 'America/Chicago' } };
    expect(policyCalendars(otherZone).support).not.toBe(policyCalendars(defaultPolicy).support);
  });

  it('a priority raise must name a higher class than the request type already has', () => {
    const raised: SlaPolicy = { ...defaultPolicy, version: 2, priorityRaises: [{ category: 'technical/question/security-incident', to: 'outage' }] };
    spec.given([published(defaultPolicy)]).when(publish(raised)).thenEvents((events) => expect(events).toHaveLength(1));
    const lowered: SlaPolicy = { ...defaultPolicy, version: 2, priorityRaises: [{ category: 'technical/bug', to: 'how-to' }] };
    spec.given([published(defaultPolicy)]).when(publish(lowered)).thenFails('INVALID_POLICY');
  });

  it('a policy must be computable before it is published: targets of at most 30 business days', () => {
    const huge: SlaPolicy = { ...defaultPolicy, version: 2, targets: { ...defaultPolicy.targets, premium: { ...defaultPolicy.targets.premium, confirmation: { kind: 'business-minutes', minutes: 1_000_000_000 } } } };
    spec.given([published(defaultPolicy)]).when(publish(huge)).thenFails('INVALID_POLICY');
    // New York 08:00–18:00, five days: 30 business days are 18,000 minutes.
    const limit: SlaPolicy = { ...huge, targets: { ...huge.targets, premium: { ...huge.targets.premium, confirmation: { kind: 'business-minutes', minutes: 18_000 } } } };
    spec.given([published(defaultPolicy)]).when(publish(limit)).thenEvents((events) => expect(events).toHaveLength(1));
    const over: SlaPolicy = { ...huge, targets: { ...huge.targets, premium: { ...huge.targets.premium, confirmation: { kind: 'business-minutes', minutes: 18_001 } } } };
    spec.given([published(defaultPolicy)]).when(publish(over)).thenFails('INVALID_POLICY');
  });

  it('every policy PublishPolicy accepts computes every clock of random tickets without throwing', () => {
    fc.assert(
      fc.property(arbPolicy, fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2199-12-01T00:00:00Z') }), fc.integer({ min: 0, max: 90 * 86_400_000 }), (raw, receivedMs, laterMs) => {
        const policy: SlaPolicy = { ...raw, version: 1 };
        const accepted = policyDecider.decide(publish(policy), policyDecider.initialState);
        if (E.isLeft(accepted)) return;
        const receivedAt = new Date(receivedMs).toISOString();
        const ticket = ticketOf(historyOf(openTicketCommand({ now: receivedAt, policy, license: 'administrator', channel: policy.entitlements.premium.channels[0] ?? 'email' })));
        const sla = ticketSla(ticket, policy, receivedMs + laterMs);
        expect(sla.confirmation.deadlineMs).not.toBeNull();
        expect(sla.response.deadlineMs).not.toBeNull();
      }),
      { numRuns: 60 },
    );
  });
});
