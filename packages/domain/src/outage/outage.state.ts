import type { Monitor } from '../shared/agreement';
import { MONITORS } from '../shared/agreement';
import type { MonitorStatus } from './outage.events';

/** One monitor observation, in the order it was received (`seq`). */
export interface MonitorReport {
  readonly monitor: Monitor;
  readonly status: MonitorStatus;
  readonly observedAtMs: number;
  readonly seq: number;
}

export interface Debrief {
  readonly whenItOccurred: string;
  readonly howItOccurred: string;
  readonly preventionPlan: string;
}

export interface Outage {
  readonly outageId: string;
  readonly declaredAtMs: number;
  readonly endedAtMs: number | null;
  readonly debrief: Debrief | null;
  readonly closed: boolean;
}

/**
 * The outage aggregate is the status board: one stream holding every monitor report and the
 * outages derived from them, so the "all three down" rule sees all monitors at once.
 */
export interface OutageBoard {
  /** Sorted by observation time, then arrival order. */
  readonly reports: readonly MonitorReport[];
  readonly outages: readonly Outage[];
}

export const initialOutageBoard: OutageBoard = { reports: [], outages: [] };

/** Orders reports by observation time; arrival order breaks ties. */
export const compareReports = (a: MonitorReport, b: MonitorReport): number => a.observedAtMs - b.observedAtMs || a.seq - b.seq;

/** The outage not yet ended, if any. */
export const openOutage = (board: OutageBoard): Outage | undefined => board.outages.find((o) => o.endedAtMs === null);

export const findOutage = (board: OutageBoard, outageId: string): Outage | undefined => board.outages.find((o) => o.outageId === outageId);

/** Deterministic ids: the n-th outage of the board is `OUTAGE-000n`. */
export const outageIdFor = (n: number): string => `OUTAGE-${String(n).padStart(4, '0')}`;

/** What each monitor last said at or before `atMs` (monitors never heard from count as up). */
export const monitorStatusAt = (board: OutageBoard, atMs: number): Record<Monitor, MonitorStatus> => {
  const status = Object.fromEntries(MONITORS.map((m) => [m, 'up'])) as Record<Monitor, MonitorStatus>;
  for (const r of board.reports) {
    if (r.observedAtMs > atMs) break;
    status[r.monitor] = r.status;
  }
  return status;
};

/** A span during which all three monitors were down, by observation time. */
export interface DownInterval {
  readonly startMs: number;
  readonly endMs: number | null;
  readonly endedBy: Monitor | null;
}

/**
 * Sweeps the reports in observation order: an interval starts when the last of the three goes
 * down and ends at the first later `up` from any monitor. Zero-length intervals are dropped.
 */
export const allDownIntervals = (reports: readonly MonitorReport[]): DownInterval[] => {
  const down = new Set<Monitor>();
  const intervals: DownInterval[] = [];
  let startMs: number | null = null;
  for (const r of reports) {
    if (r.status === 'down') down.add(r.monitor);
    else down.delete(r.monitor);
    if (startMs === null && down.size === MONITORS.length) startMs = r.observedAtMs;
    else if (startMs !== null && r.status === 'up') {
      // Down and up at the same instant is no outage at all.
      if (r.observedAtMs > startMs) intervals.push({ startMs, endMs: r.observedAtMs, endedBy: r.monitor });
      startMs = null;
    }
  }
  if (startMs !== null) intervals.push({ startMs, endMs: null, endedBy: null });
  return intervals;
};
