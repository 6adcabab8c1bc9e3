import { ALWAYS_OPEN, defineCalendar, type BusinessCalendar } from '@support-sla/sla-calendar';
import type { SlaPolicy } from './policy.schema';

/** The two compiled calendars a policy needs. */
export interface PolicyCalendars {
  readonly support: BusinessCalendar;
  readonly outage: BusinessCalendar;
}

const byObject = new WeakMap<SlaPolicy, PolicyCalendars>();
const byVersion = new Map<number, { readonly key: string; readonly calendars: PolicyCalendars }>();

const calendarKey = (policy: SlaPolicy): string => JSON.stringify([policy.supportCalendar, policy.outageCalendar]);

/**
 * Compiled calendars of a policy, memoized per policy object and per version (a decoded copy
 * of the same version reuses the compiled calendars). Pure: the cache only saves work.
 *
 * @throws CalendarSpecError (from `@support-sla/sla-calendar`) when a calendar spec is invalid;
 *   `PublishPolicy` refuses such policies, so published ones never throw.
 */
export const policyCalendars = (policy: SlaPolicy): PolicyCalendars => {
  const cached = byObject.get(policy);
  if (cached !== undefined) return cached;
  const key = calendarKey(policy);
  const known = byVersion.get(policy.version);
  let calendars: PolicyCalendars;
  if (known !== undefined && known.key === key) {
    calendars = known.calendars;
  } else {
    calendars = {
      support: defineCalendar(policy.supportCalendar),
      outage: policy.outageCalendar === 'always-open' ? ALWAYS_OPEN : defineCalendar(policy.outageCalendar),
    };
    byVersion.set(policy.version, { key, calendars });
  }
  byObject.set(policy, calendars);
  return calendars;
};
