import { usFederalHolidays } from '@support-sla/sla-calendar';
import type { CalendarSpecData, SlaPolicy } from './policy.schema';

/** Years whose US federal holidays the default support calendar lists. */
export const DEFAULT_HOLIDAY_YEARS = { from: 2020, to: 2040 } as const;

const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as const;

/** America/New_York, 08:00–18:00 Monday–Friday, closed on US federal holidays (observed dates). */
export const defaultSupportCalendar: CalendarSpecData = {
  timeZone: 'America/New_York',
  weeklyHours: weekdays.map((day) => ({ day, start: '08:00', end: '18:00' })),
  holidays: Array.from({ length: DEFAULT_HOLIDAY_YEARS.to - DEFAULT_HOLIDAY_YEARS.from + 1 }, (_, i) =>
    usFederalHolidays(DEFAULT_HOLIDAY_YEARS.from + i),
  ).flat(),
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
  // The agreement says outages get "immediate" priority; 15 minutes around the clock is the
  // explicit reading of "immediate" for an on-call engineer alerted by the monitors.
  outageResponseTarget: { minutes: 15 },
  nextBusinessDayCountsFrom: 'receipt-date',
  outageReclassificationRetroactive: false,
  resolution: 'best-effort',
  warningFractions: [0.5, 0.75, 0.9],
  confirmation: 'automatic',
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
