import type { CalendarSpecData, SlaPolicy } from './policy.schema';

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

/**
 * America/New_York, 08:00–18:00 Monday–Friday, closed on US federal holidays (observed dates),
 * computed for whatever year a clock reaches: a list of dates would run out.
 */
export const defaultSupportCalendar: CalendarSpecData = {
  timeZone: 'America/New_York',
  weeklyHours: weekdays.map((day) => ({ day, start: '08:00', end: '18:00' })),
  holidayRules: ['us-federal'],
};

/**
 * Version 1 of the policy: the support agreement as written, with every silent point made
 * explicit. The README explains each option.
 */
export const defaultPolicy: SlaPolicy = {
  version: 1,
  supportCalendar: defaultSupportCalendar,
  outageCalendar: 'always-open',
  targets: {
    premium: { confirmation: { kind: 'business-minutes', minutes: 120 }, response: { kind: 'end-of-next-business-day' } },
    professional: { confirmation: { kind: 'business-minutes', minutes: 240 }, response: { kind: 'end-of-next-business-day' } },
  },
  nextBusinessDayCountsFrom: 'receipt-date',
  resolution: 'best-effort',
  warningFractions: [0.5, 0.75, 0.9],
  confirmation: 'automatic',
  // "Resolution time is affected by client responsiveness": the agreement pauses nothing else.
  customerWaitPauses: ['resolution'],
  priorityRaises: [],
  entitlements: {
    premium: {
      channels: ['phone', 'email', 'chat', 'dashboard', 'web-portal'],
      training: ['live-scheduled-sessions', 'user-guides', 'online-videos'],
    },
    professional: {
      channels: ['email', 'chat', 'dashboard', 'web-portal'],
      training: ['live-scheduled-sessions', 'user-guides', 'online-videos'],
    },
  },
};
