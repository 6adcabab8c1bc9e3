/**
 * `Temporal`, as this package exports it: temporal-polyfill's own object at run time, and its own
 * types, reached through a type-only import that says `resolution-mode: import`.
 *
 * Why not `export { Temporal } from 'temporal-polyfill'`: temporal-polyfill ships ES modules only,
 * and TypeScript copies that line into our declarations. A CommonJS app compiled with
 * `module`/`moduleResolution: node16` (a Node that cannot `require` an ES module) then rejects our
 * `index.d.ts` with TS1479 unless it sets `skipLibCheck`. A type-only import with
 * `resolution-mode: import` is allowed from CommonJS under every module setting (TypeScript ≥ 5.3),
 * but it cannot carry a value, so the value is a `const` of the polyfill's type and the types are a
 * namespace merged with it: the emitted `temporal.d.ts` imports nothing else from the polyfill.
 *
 * The library's modules import `Temporal` from here (never from 'temporal-polyfill') so that no
 * other declaration file names the polyfill. `temporal.test.ts` checks that the namespace below
 * lists every type of the polyfill's `Temporal`.
 */
import { Temporal as polyfill } from 'temporal-polyfill';
import type { Temporal as T } from 'temporal-polyfill' with { 'resolution-mode': 'import' };

/** temporal-polyfill's `Temporal` object (the same object, not a copy). */
export const Temporal: typeof T = polyfill;

/* eslint-disable @typescript-eslint/no-namespace -- a namespace is the only way to give the
   `Temporal` value above the polyfill's `Temporal.Instant`, `Temporal.Duration`, … type names */
/** The types of temporal-polyfill's `Temporal` namespace, each an alias of the polyfill's own. */
export namespace Temporal {
  export type CalendarLike = T.CalendarLike;
  export type DurationLike = T.DurationLike;
  export type InstantLike = T.InstantLike;
  export type PlainDateLike = T.PlainDateLike;
  export type PlainDateTimeLike = T.PlainDateTimeLike;
  export type PlainMonthDayLike = T.PlainMonthDayLike;
  export type PlainTimeLike = T.PlainTimeLike;
  export type PlainYearMonthLike = T.PlainYearMonthLike;
  export type TimeZoneLike = T.TimeZoneLike;
  export type ZonedDateTimeLike = T.ZonedDateTimeLike;
  export type PartialTemporalLike<X extends object> = T.PartialTemporalLike<X>;
  export type DateLikeObject = T.DateLikeObject;
  export type DateTimeLikeObject = T.DateTimeLikeObject;
  export type DurationLikeObject = T.DurationLikeObject;
  export type TimeLikeObject = T.TimeLikeObject;
  export type YearMonthLikeObject = T.YearMonthLikeObject;
  export type ZonedDateTimeLikeObject = T.ZonedDateTimeLikeObject;
  export type DateUnit = T.DateUnit;
  export type TimeUnit = T.TimeUnit;
  export type PluralizeUnit<U extends T.DateUnit | T.TimeUnit> = T.PluralizeUnit<U>;
  export type DisambiguationOptions = T.DisambiguationOptions;
  export type OverflowOptions = T.OverflowOptions;
  export type TransitionOptions = T.TransitionOptions;
  export type RoundingOptions<U extends T.DateUnit | T.TimeUnit> = T.RoundingOptions<U>;
  export type RoundingOptionsWithLargestUnit<U extends T.DateUnit | T.TimeUnit> = T.RoundingOptionsWithLargestUnit<U>;
  export type ToStringRoundingOptions<U extends T.DateUnit | T.TimeUnit> = T.ToStringRoundingOptions<U>;
  export type ToStringRoundingOptionsWithFractionalSeconds<U extends T.DateUnit | T.TimeUnit> =
    T.ToStringRoundingOptionsWithFractionalSeconds<U>;
  export type PlainDateToStringOptions = T.PlainDateToStringOptions;
  export type PlainDateToZonedDateTimeOptions = T.PlainDateToZonedDateTimeOptions;
  export type PlainDate = T.PlainDate;
  export type PlainDateConstructor = T.PlainDateConstructor;
  export type PlainTimeToStringOptions = T.PlainTimeToStringOptions;
  export type PlainTime = T.PlainTime;
  export type PlainTimeConstructor = T.PlainTimeConstructor;
  export type PlainDateTimeToStringOptions = T.PlainDateTimeToStringOptions;
  export type PlainDateTime = T.PlainDateTime;
  export type PlainDateTimeConstructor = T.PlainDateTimeConstructor;
  export type ZonedDateTimeToStringOptions = T.ZonedDateTimeToStringOptions;
  export type ZonedDateTimeFromOptions = T.ZonedDateTimeFromOptions;
  export type ZonedDateTime = T.ZonedDateTime;
  export type ZonedDateTimeConstructor = T.ZonedDateTimeConstructor;
  export type DurationRelativeToOptions = T.DurationRelativeToOptions;
  export type DurationRoundingOptions = T.DurationRoundingOptions;
  export type DurationToStringOptions = T.DurationToStringOptions;
  export type DurationTotalOptions = T.DurationTotalOptions;
  export type DurationFormatOptions = T.DurationFormatOptions;
  export type Duration = T.Duration;
  export type DurationConstructor = T.DurationConstructor;
  export type InstantToStringOptions = T.InstantToStringOptions;
  export type Instant = T.Instant;
  export type InstantConstructor = T.InstantConstructor;
  export type PlainYearMonthToPlainDateOptions = T.PlainYearMonthToPlainDateOptions;
  export type PlainYearMonth = T.PlainYearMonth;
  export type PlainYearMonthConstructor = T.PlainYearMonthConstructor;
  export type PlainMonthDayToPlainDateOptions = T.PlainMonthDayToPlainDateOptions;
  export type PlainMonthDay = T.PlainMonthDay;
  export type PlainMonthDayConstructor = T.PlainMonthDayConstructor;
}
/* eslint-enable @typescript-eslint/no-namespace */
