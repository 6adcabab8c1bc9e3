import type { Monitor } from '../shared/agreement';
import { MONITORS } from '../shared/agreement';
import type { AlertChannel, MonitorStatus, OutageSource } from './outage.events';

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
  readonly source: OutageSource;
  /** Staff declarations only: what is affected, and why it is an outage. */
  readonly scope: string | null;
  readonly reason: string | null;
  readonly declaredAtMs: number;
  readonly endedAtMs: number | null;
  /** When the alert went out on each channel (`null`: not yet, or not configured). */
  readonly alertsSentAtMs: Readonly<Record<AlertChannel, number | null>>;
  readonly acknowledgedAtMs: number | null;
  readonly acknowledgedBy: string | null;
  readonly debrief: Debrief | null;
  readonly debriefRecordedAtMs: number | null;
  readonly closed: boolean;
  readonly closedAtMs: number | null;
}

/** When engineers were first alerted about the outage, on any channel (`null`: not yet). */
export const alertSentAtMs = (outage: Outage): number | null => {
  const sent = [outage.alertsSentAtMs.email, outage.alertsSentAtMs.webhook].filter((ms): ms is number => ms !== null);
  return sent.length === 0 ? null : Math.min(...sent);
};

/**
 * How far back, behind the newest observation, individual reports are kept. Older reports are
 * folded into a per-monitor baseline (the latest report of each monitor), which keeps the board
 * small however long the stream runs. A report arriving later than this window still updates
 * the baseline, but the instant a monitor "went down" is then approximated by its latest report.
 */
export const REPORT_WINDOW_MS = 24 * 3_600_000;

/**
 * The outage aggregate is the status board: one stream holding the monitor reports and the
 * outages derived from them, so the "all three down" rule sees all monitors at once.
 */
export interface OutageBoard {
  /** Reports observed at or after `horizonMs`, sorted by observation time then arrival order. */
  readonly reports: readonly MonitorReport[];
  /** Per monitor, the latest report observed before `horizonMs` (`null`: none). */
  readonly baseline: Readonly<Record<Monitor, MonitorReport | null>>;
  /** Reports before this instant live only in `baseline`. Starts at -Infinity. */
  readonly horizonMs: number;
  readonly latestObservedMs: number;
  /** Reports recorded so far (gives each report its arrival sequence number). */
  readonly reportCount: number;
  readonly outages: readonly Outage[];
}

export const initialOutageBoard: OutageBoard = {
  reports: [],
  baseline: { chicago: null, california: null, atlanta: null },
  horizonMs: Number.NEGATIVE_INFINITY,
  latestObservedMs: Number.NEGATIVE_INFINITY,
  reportCount: 0,
  outages: [],
};

/** Orders reports by observation time; arrival order breaks ties. */
export const compareReports = (a: MonitorReport, b: MonitorReport): number => a.observedAtMs - b.observedAtMs || a.seq - b.seq;

/** The outage not yet ended, if any. */
export const openOutage = (board: OutageBoard): Outage | undefined => board.outages.find((o) => o.endedAtMs === null);

export const findOutage = (board: OutageBoard, outageId: string): Outage | undefined => board.outages.find((o) => o.outageId === outageId);

/** Deterministic ids: the n-th outage of the board is `OUTAGE-000n`. */
export const outageIdFor = (n: number): string => `OUTAGE-${String(n).padStart(4, '0')}`;

/** The instant after which a new outage may start: the end (or start) of the latest one. */
export const boundaryOf = (board: OutageBoard): number =>
  board.outages.reduce((max, o) => Math.max(max, o.endedAtMs ?? o.declaredAtMs), Number.NEGATIVE_INFINITY);

/**
 * What each monitor last said at or before `atMs` (monitors never heard from count as up).
 * Before the board's horizon only the baseline is known.
 */
export const monitorStatusAt = (board: OutageBoard, atMs: number): Record<Monitor, MonitorStatus> => {
  const status = Object.fromEntries(MONITORS.map((m) => [m, board.baseline[m]?.status ?? 'up'])) as Record<Monitor, MonitorStatus>;
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
 * Sweeps the baseline then the reports in observation order: an interval starts when the last
 * of the three goes down and ends at the first later `up` from any monitor. Zero-length
 * intervals are dropped.
 */
export const allDownIntervals = (board: Pick<OutageBoard, 'baseline' | 'reports'>): DownInterval[] => {
  const down = new Set<Monitor>();
  let startMs: number | null = null;
  let lastDownMs = Number.NEGATIVE_INFINITY;
  for (const m of MONITORS) {
    const r = board.baseline[m];
    if (r?.status === 'down') {
      down.add(m);
      lastDownMs = Math.max(lastDownMs, r.observedAtMs);
    }
  }
  if (down.size === MONITORS.length) startMs = lastDownMs;
  const intervals: DownInterval[] = [];
  for (const r of board.reports) {
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

/** Folds reports observed before `horizonMs` into the baseline. */
export const advanceHorizon = (board: OutageBoard, horizonMs: number): OutageBoard => {
  if (horizonMs <= board.horizonMs) return board;
  let cut = 0;
  const baseline = { ...board.baseline };
  while (cut < board.reports.length) {
    const r = board.reports[cut] as MonitorReport;
    if (r.observedAtMs >= horizonMs) break;
    baseline[r.monitor] = r; // reports are sorted, so the last one folded is the latest
    cut += 1;
  }
  return { ...board, baseline, horizonMs, reports: cut === 0 ? board.reports : board.reports.slice(cut) };
};
