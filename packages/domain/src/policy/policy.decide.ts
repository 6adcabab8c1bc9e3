import * as E from 'fp-ts/Either';
import { priorityClassOf, TIERS } from '../shared/agreement';
import { PRIORITY_RANK } from '../ticket/ticket.state';
import { domainError, type DomainError } from '../shared/errors';
import { policyCalendars } from './policy.calendars';
import type { PolicyCommand } from './policy.commands';
import type { PolicyEvent } from './policy.events';
import type { SlaPolicy } from './policy.schema';
import { currentPolicy, type PolicyHistory } from './policy.state';

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** A business-minutes target may be at most this many average business days of its calendar. */
export const MAX_TARGET_BUSINESS_DAYS = 30;

const weekdayMinutes = (hhmm: string): number => (hhmm === '24:00' ? 1440 : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)));

/**
 * A policy's bounds, so that every clock of every ticket can be computed: the support calendar
 * opens at least once a week (its weekly hours are not empty), and a business-minutes target is
 * at most {@link MAX_TARGET_BUSINESS_DAYS} average business days of it (its weekly open minutes
 * divided by its open days). New York 08:00–18:00 Monday–Friday allows up to 18,000 minutes.
 */
const boundsProblem = (policy: SlaPolicy): string | null => {
  const shifts = policy.supportCalendar.weeklyHours;
  const weeklyMinutes = shifts.reduce((sum, s) => sum + Math.max(0, weekdayMinutes(s.end) - weekdayMinutes(s.start)), 0);
  const openDays = new Set(shifts.map((s) => s.day)).size;
  if (weeklyMinutes <= 0 || openDays === 0) return 'supportCalendar must open at least once a week';
  const maxMinutes = Math.floor((MAX_TARGET_BUSINESS_DAYS * weeklyMinutes) / openDays);
  for (const tier of TIERS) {
    for (const clock of ['confirmation', 'response'] as const) {
      const target = policy.targets[tier][clock];
      if (target.kind === 'business-minutes' && target.minutes > maxMinutes) {
        return `targets.${tier}.${clock}.minutes: ${target.minutes} is more than ${MAX_TARGET_BUSINESS_DAYS} business days of the support calendar (${maxMinutes} minutes)`;
      }
    }
  }
  return null;
};

/** Checks what the codec cannot: calendars compile, bounds hold, warning fractions ascend, raises raise, tiers have a channel. */
export const validatePolicy = (policy: SlaPolicy): DomainError | null => {
  try {
    policyCalendars(policy);
  } catch (error) {
    return domainError('INVALID_POLICY', `Invalid calendar: ${error instanceof Error ? error.message : String(error)}`);
  }
  const outOfBounds = boundsProblem(policy);
  if (outOfBounds !== null) return domainError('INVALID_POLICY', outOfBounds);
  const fractions = policy.warningFractions;
  if (fractions.some((f, i) => i > 0 && f <= (fractions[i - 1] ?? 0))) {
    return domainError('INVALID_POLICY', 'Warning fractions must be strictly ascending.');
  }
  for (const raise of policy.priorityRaises ?? []) {
    if (PRIORITY_RANK[raise.to] >= PRIORITY_RANK[priorityClassOf(raise.category)]) {
      return domainError('INVALID_POLICY', `priorityRaises: ${raise.category} is already served as ${priorityClassOf(raise.category)}; a raise must name a higher class than ${raise.to}.`);
    }
  }
  for (const tier of TIERS) {
    if (policy.entitlements[tier].channels.length === 0) return domainError('INVALID_POLICY', `The ${tier} tier needs at least one channel.`);
  }
  return null;
};

/** Publishing is for admins; versions go 1, 2, 3… without gaps; republishing the current one is a no-op. */
export const decidePolicy = (command: PolicyCommand, history: PolicyHistory): E.Either<DomainError, readonly PolicyEvent[]> => {
  if (command.actor.role !== 'admin') return E.left(domainError('NOT_PERMITTED', 'Only an admin publishes SLA policies.'));
  const { policy } = command.data;
  const current = currentPolicy(history);
  if (current !== undefined && current.version === policy.version && sameJson(current, policy)) return E.right([]);
  const expected = (current?.version ?? 0) + 1;
  if (policy.version !== expected) {
    return E.left(domainError('POLICY_VERSION_CONFLICT', `The next policy version must be ${expected}, got ${policy.version}.`));
  }
  const invalid = validatePolicy(policy);
  if (invalid !== null) return E.left(invalid);
  return E.right([{ type: 'PolicyPublished', schemaVersion: 1, data: { at: command.now, by: command.actor, policy } }]);
};
