import { Temporal } from './temporal';

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

/**
 * The UTC offsets of a time zone over a window of epoch time, read once from Temporal so that
 * wall-clock → instant conversions for a whole year are plain arithmetic (Temporal costs
 * microseconds per call; a year has hundreds of shift boundaries).
 *
 * `offsets[k]` applies on `[transitions[k-1], transitions[k])` (open-ended at both extremes).
 */
export class OffsetTimeline {
  private constructor(
    private readonly transitions: readonly number[],
    private readonly offsets: readonly number[],
  ) {}

  /** Reads the offsets in force during `[fromMs, toMs]`. */
  static read(timeZone: string, fromMs: number, toMs: number): OffsetTimeline {
    let zdt = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone);
    const transitions: number[] = [];
    const offsets: number[] = [zdt.offsetNanoseconds / 1e6];
    for (;;) {
      const next = zdt.getTimeZoneTransition('next');
      if (next === null || next.epochMilliseconds > toMs) break;
      transitions.push(next.epochMilliseconds);
      offsets.push(next.offsetNanoseconds / 1e6);
      zdt = next;
    }
    return new OffsetTimeline(transitions, offsets);
  }

  /**
   * The offset in force throughout the local day starting at wall time `wallMidnightMs` when no
   * transition comes near it (so every wall time of the day is `wall - offset`), else NaN.
   */
  steadyOffsetForDay(wallMidnightMs: number): number {
    const transitions = this.transitions;
    let k = 0;
    // Offsets are within ±26 h: a two-day margin either side of the wall-clock day is safe.
    while (k < transitions.length && transitions[k]! < wallMidnightMs - 2 * MS_PER_DAY) k++;
    if (k < transitions.length && transitions[k]! <= wallMidnightMs + 3 * MS_PER_DAY) return NaN;
    return this.offsets[k]!;
  }

  /** The earliest instant at which the local clock reads `wallMs` (wall time written as if UTC), or NaN in a gap. */
  private earliest(wallMs: number): number {
    const offsets = this.offsets;
    const transitions = this.transitions;
    const n = offsets.length;
    for (let k = 0; k < n; k++) {
      const epoch = wallMs - offsets[k]!;
      if ((k === 0 || epoch >= transitions[k - 1]!) && (k === n - 1 || epoch < transitions[k]!)) return epoch;
    }
    return NaN;
  }

  /** The forward transition whose skipped wall-clock range contains `wallMs`. */
  private gapAt(wallMs: number): number {
    for (let k = 0; k < this.transitions.length; k++) {
      const t = this.transitions[k]!;
      const before = this.offsets[k]!;
      const after = this.offsets[k + 1]!;
      if (after > before && wallMs >= t + before && wallMs < t + after) return k;
    }
    throw new Error(`internal: no instant for wall time ${wallMs}`);
  }

  /**
   * Temporal's `disambiguation: 'compatible'`: a repeated wall time is its earlier instant; a
   * skipped one is moved forward by the length of the gap (read with the offset before the gap).
   */
  wallToEpoch(wallMs: number): number {
    const epoch = this.earliest(wallMs);
    return epoch === epoch ? epoch : wallMs - this.offsets[this.gapAt(wallMs)]!;
  }

  /** Temporal's `startOfDay()`: local midnight, or the first instant after a gap that swallows it. */
  startOfDay(wallMidnightMs: number): number {
    const epoch = this.earliest(wallMidnightMs);
    return epoch === epoch ? epoch : this.transitions[this.gapAt(wallMidnightMs)]!;
  }
}

/** Proleptic Gregorian year of an epoch-millisecond instant in UTC (civil-from-days, no allocation). */
export function utcYear(ms: number): number {
  const z = Math.floor(ms / MS_PER_DAY) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/** ISO weekday index (0 = Monday … 6 = Sunday) of a count of days since 1970-01-01 (a Thursday). */
export function weekdayIndex(epochDay: number): number {
  return (((epochDay + 3) % 7) + 7) % 7;
}
