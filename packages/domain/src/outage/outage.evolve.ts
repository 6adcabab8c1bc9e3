import { toMillis } from '../shared/primitives';
import type { OutageEvent } from './outage.events';
import { compareReports, type Outage, type OutageBoard } from './outage.state';

const updateOutage = (board: OutageBoard, outageId: string, change: (o: Outage) => Outage): OutageBoard => ({
  ...board,
  outages: board.outages.map((o) => (o.outageId === outageId ? change(o) : o)),
});

/** Folds one outage-board event into the state. */
export const evolveOutage = (board: OutageBoard, event: OutageEvent): OutageBoard => {
  switch (event.type) {
    case 'MonitorReportedStatus': {
      const report = {
        monitor: event.data.monitor,
        status: event.data.status,
        observedAtMs: toMillis(event.data.observedAt),
        seq: board.reports.length,
      };
      // Reports usually arrive in order: append, and only sort when one arrives late.
      const last = board.reports[board.reports.length - 1];
      const reports = last === undefined || compareReports(last, report) <= 0 ? [...board.reports, report] : [...board.reports, report].sort(compareReports);
      return { ...board, reports };
    }
    case 'OutageDeclared':
      return {
        ...board,
        outages: [
          ...board.outages,
          { outageId: event.data.outageId, declaredAtMs: toMillis(event.data.declaredAt), endedAtMs: null, debrief: null, closed: false },
        ],
      };
    case 'OutageEnded':
      return updateOutage(board, event.data.outageId, (o) => ({ ...o, endedAtMs: toMillis(event.data.endedAt) }));
    case 'OutageDebriefRecorded': {
      const { whenItOccurred, howItOccurred, preventionPlan } = event.data;
      return updateOutage(board, event.data.outageId, (o) => ({ ...o, debrief: { whenItOccurred, howItOccurred, preventionPlan } }));
    }
    case 'OutageClosed':
      return updateOutage(board, event.data.outageId, (o) => ({ ...o, closed: true }));
  }
};
