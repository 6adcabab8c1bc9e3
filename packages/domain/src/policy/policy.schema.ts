import * as t from 'io-ts';
import { Category, Channel, PRIORITY_CLASSES, Training } from '../shared/agreement';
import { literalUnion, NonEmptyString, PositiveInt } from '../shared/primitives';

const HHMM = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const isHhmm = (u: unknown): u is string => typeof u === 'string' && HHMM.test(u);
/** A wall-clock time `HH:MM` (24:00 allowed as an end of day). */
export const WallTime = new t.Type<string, string, unknown>(
  'WallTime',
  isHhmm,
  (u, c) => (isHhmm(u) ? t.success(u) : t.failure(u, c, 'a wall-clock time HH:MM')),
  t.identity,
);

const DATE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/;
const isDate = (u: unknown): u is string => typeof u === 'string' && DATE.test(u);
/** A calendar date `YYYY-MM-DD`. */
export const PlainDate = new t.Type<string, string, unknown>(
  'PlainDate',
  isDate,
  (u, c) => (isDate(u) ? t.success(u) : t.failure(u, c, 'a calendar date YYYY-MM-DD')),
  t.identity,
);

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const Weekday = literalUnion('Weekday', WEEKDAYS);

/** Serializable form of a `@support-sla/sla-calendar` CalendarSpec. */
export const CalendarSpecCodec = t.intersection(
  [
    t.type({
      timeZone: NonEmptyString,
      weeklyHours: t.array(t.type({ day: Weekday, start: WallTime, end: WallTime }, 'WeeklyHours')),
    }),
    t.partial({
      /** Whole-day holidays (`YYYY-MM-DD`) or partial closures (`{ date, start, end }`). */
      holidays: t.array(t.union([PlainDate, t.type({ date: PlainDate, start: WallTime, end: WallTime }, 'PartialHoliday')], 'Holiday')),
      /** Holidays computed for every year a clock reaches: `'us-federal'` (observed US federal holidays). */
      holidayRules: t.array(t.literal('us-federal')),
    }),
  ],
  'CalendarSpec',
);
export type CalendarSpecData = t.TypeOf<typeof CalendarSpecCodec>;

/** A clock target: a span of business time, or the end of the next business day. */
export const Target = t.union(
  [
    t.type({ kind: t.literal('business-minutes'), minutes: PositiveInt }, 'BusinessMinutes'),
    t.type({ kind: t.literal('end-of-next-business-day') }, 'EndOfNextBusinessDay'),
  ],
  'Target',
);
export type Target = t.TypeOf<typeof Target>;

export const TierTargets = t.type({ confirmation: Target, response: Target }, 'TierTargets');
export type TierTargets = t.TypeOf<typeof TierTargets>;

export const Entitlement = t.type({ channels: t.array(Channel), training: t.array(Training) }, 'Entitlement');
export type Entitlement = t.TypeOf<typeof Entitlement>;

const isFraction = (u: unknown): u is number => typeof u === 'number' && u > 0 && u < 1;
/** A number strictly between 0 and 1. */
export const Fraction = new t.Type<number, number, unknown>(
  'Fraction',
  isFraction,
  (u, c) => (isFraction(u) ? t.success(u) : t.failure(u, c, 'a fraction strictly between 0 and 1')),
  t.identity,
);

/** The three clocks of a ticket, as policy options name them. */
export const CLOCK_NAMES = ['confirmation', 'response', 'resolution'] as const;
export const ClockNameCodec = literalUnion('ClockName', CLOCK_NAMES);

export const PriorityClassCodec = literalUnion('PriorityClass', PRIORITY_CLASSES);

/** A request type served in a higher priority class than the agreement's default for it. */
export const PriorityRaise = t.type({ category: Category, to: PriorityClassCodec }, 'PriorityRaise');
export type PriorityRaise = t.TypeOf<typeof PriorityRaise>;

/** What a wait on the customer pauses when a policy does not say: resolution only (the agreement's words). */
export const DEFAULT_CUSTOMER_WAIT_PAUSES: readonly (typeof CLOCK_NAMES)[number][] = ['resolution'];

/**
 * A versioned SLA policy. See the package README for every option and its default
 * (`defaultPolicy`). Options added after the first release are optional, so that policies
 * published before them still decode; a missing one means its documented default.
 */
export const SlaPolicy = t.intersection(
  [
    t.type({
      version: PositiveInt,
      supportCalendar: CalendarSpecCodec,
      outageCalendar: t.union([t.literal('always-open'), CalendarSpecCodec], 'OutageCalendar'),
      targets: t.type({ premium: TierTargets, professional: TierTargets }, 'Targets'),
      nextBusinessDayCountsFrom: t.keyof({ 'receipt-date': null, 'next-opening': null }, 'NextBusinessDayCountsFrom'),
      resolution: t.literal('best-effort'),
      warningFractions: t.array(Fraction),
      confirmation: t.keyof({ automatic: null, agent: null }, 'ConfirmationMode'),
      entitlements: t.type({ premium: Entitlement, professional: Entitlement }, 'Entitlements'),
    }),
    t.partial({
      /** Which clocks a wait on the customer pauses (default: `['resolution']`). */
      customerWaitPauses: t.array(ClockNameCodec),
      /** Request types raised above their default priority class (default: none). */
      priorityRaises: t.array(PriorityRaise),
    }),
  ],
  'SlaPolicy',
);
export type SlaPolicy = t.TypeOf<typeof SlaPolicy>;

/** The clocks a wait on the customer pauses under `policy`. */
export const customerWaitPausesOf = (policy: SlaPolicy): readonly (typeof CLOCK_NAMES)[number][] =>
  policy.customerWaitPauses ?? DEFAULT_CUSTOMER_WAIT_PAUSES;
