import { toMillis } from '../shared/primitives';
import type { OutageEvent } from './outage.events';
import { advanceHorizon, boundaryOf, compareReports, REPORT_WINDOW_MS, type MonitorReport, type Outage, type OutageBoard } from './outage.state';

const updateOutage = (board: OutageBoard, outageId: string, change: (o: Outage) => Outage): OutageBoard => ({
  ...board,
  outages: board.outages.map((o) => (o.outageId === outageId ? change(o) : o)),
});

const addReport = (board: OutageBoard, report: MonitorReport): OutageBoard => {
  const latestObservedMs = Math.max(board.latestObservedMs, report.observedAtMs);
  let next: OutageBoard;
  if (report.observedAtMs >= board.horizonMs) {
    // Reports usually arrive in order: append, and only sort when one arrives late.
    const last = board.reports[board.reports.length - 1];
    const reports =
      last === undefined || compareReports(last, report) <= 0 ? [...board.reports, report] : [...board.reports, report].sort(compareReports);
    next = { ...board, reports, latestObservedMs, reportCount: board.reportCount + 1 };
  } else {
    const known = board.baseline[report.monitor];
    const baseline = known === null || known.observedAtMs <= report.observedAtMs ? { ...board.baseline, [report.monitor]: report } : board.baseline;
    next = { ...board, baseline, latestObservedMs, reportCount: board.reportCount + 1 };
  }
  return advanceHorizon(next, latestObservedMs - REPORT_WINDOW_MS);
};

/** Folds one outage-board event into the state. */
export const evolveOutage = (board: OutageBoard, event: OutageEvent): OutageBoard => {
  switch (event.type) {
    case 'MonitorReportedStatus':
      return addReport(board, {
        monitor: event.data.monitor,
        status: event.data.status,
        observedAtMs: toMillis(event.data.observedAt),
        seq: board.reportCount,
      });
    case 'OutageDeclared': {
      const declared = {
        ...board,
        outages: [...board.outages, { outageId: event.data.outageId, declaredAtMs: toMillis(event.data.declaredAt), endedAtMs: null, debrief: null, closed: false }],
      };
      return advanceHorizon(declared, boundaryOf(declared));
    }
    case 'OutageEnded': {
      const ended = updateOutage(board, event.data.outageId, (o) => ({ ...o, endedAtMs: toMillis(event.data.endedAt) }));
      return advanceHorizon(ended, boundaryOf(ended));
    }
    case 'OutageDebriefRecorded': {
      const { whenItOccurred, howItOccurred, preventionPlan } = event.data;
      return updateOutage(board, event.data.outageId, (o) => ({ ...o, debrief: { whenItOccurred, howItOccurred, preventionPlan } }));
    }
    case 'OutageClosed':
      return updateOutage(board, event.data.outageId, (o) => ({ ...o, closed: true }));
  }
};
