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
      const d = event.data;
      const outage: Outage = {
        outageId: d.outageId,
        source: d.source ?? 'monitors',
        scope: d.scope ?? null,
        reason: d.reason ?? null,
        declaredAtMs: toMillis(d.declaredAt),
        endedAtMs: null,
        alertsSentAtMs: { email: null, webhook: null },
        acknowledgedAtMs: null,
        acknowledgedBy: null,
        debrief: null,
        debriefRecordedAtMs: null,
        closed: false,
        closedAtMs: null,
      };
      const declared = { ...board, outages: [...board.outages, outage] };
      return advanceHorizon(declared, boundaryOf(declared));
    }
    case 'OutageEnded': {
      const ended = updateOutage(board, event.data.outageId, (o) => ({ ...o, endedAtMs: toMillis(event.data.endedAt) }));
      return advanceHorizon(ended, boundaryOf(ended));
    }
    case 'OutageAlertSent': {
      const { channel } = event.data;
      const atMs = toMillis(event.data.at);
      return updateOutage(board, event.data.outageId, (o) =>
        o.alertsSentAtMs[channel] !== null ? o : { ...o, alertsSentAtMs: { ...o.alertsSentAtMs, [channel]: atMs } },
      );
    }
    case 'OutageAlertAcknowledged':
      return updateOutage(board, event.data.outageId, (o) =>
        o.acknowledgedAtMs !== null ? o : { ...o, acknowledgedAtMs: toMillis(event.data.at), acknowledgedBy: event.data.by.id },
      );
    case 'OutageDebriefRecorded': {
      const { whenItOccurred, howItOccurred, preventionPlan } = event.data;
      const atMs = toMillis(event.data.at);
      return updateOutage(board, event.data.outageId, (o) => ({
        ...o,
        debrief: { whenItOccurred, howItOccurred, preventionPlan },
        debriefRecordedAtMs: o.debriefRecordedAtMs ?? atMs,
      }));
    }
    case 'OutageClosed':
      return updateOutage(board, event.data.outageId, (o) => ({ ...o, closed: true, closedAtMs: toMillis(event.data.at) }));
  }
};
