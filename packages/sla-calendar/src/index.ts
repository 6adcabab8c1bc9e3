/**
 * @support-sla/sla-calendar — business-hours calendars and exact deadline math across time zones
 * and daylight saving. See README.md.
 */
export { Temporal } from './temporal';
export {
  CalendarSpecError,
  HOLIDAY_RULES,
  MAX_YEAR,
  MIN_YEAR,
  WEEKDAYS,
  type CalendarSpec,
  type HolidayRule,
  type HolidaySpec,
  type NormalizedCalendarSpec,
  type PartialHoliday,
  type Weekday,
  type WeeklyShift,
} from './spec';
export { CalendarRangeError } from './engine';
export { ALWAYS_OPEN, defineCalendar, type BusinessCalendar } from './calendar';
export { usFederalHolidays, usFederalHolidaysBetween } from './holidays';
export {
  addBusinessMillis,
  addBusinessTime,
  businessMillisBetween,
  businessTimeBetween,
  endOfNextBusinessDay,
  endOfNextBusinessDayMillis,
  isOpen,
  isOpenAt,
  nextClosing,
  nextClosingMillis,
  nextOpening,
  nextOpeningMillis,
  type CountFrom,
  type DurationLike,
  type EndOfNextBusinessDayOptions,
} from './api';
