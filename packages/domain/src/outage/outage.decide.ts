import * as E from 'fp-ts/Either';
import { isStaff } from '../shared/actor';
import { domainError, type DomainError } from '../shared/errors';
import { fromMillis, toMillis } from '../shared/primitives';
import type { OutageCommand, OutageCommandOf } from './outage.commands';
import type { OutageEvent } from './outage.events';
import { evolveOutage } from './outage.evolve';
import { allDownIntervals, boundaryOf, findOutage, openOutage, outageIdFor, type MonitorReport, type Outage, type OutageBoard } from './outage.state';

type Decision = E.Either<DomainError, readonly OutageEvent[]>;

const reportStatus = (command: OutageCommandOf<'ReportMonitorStatus'>, board: OutageBoard): Decision => {
  const { actor, data, now } = command;
  if (actor.role !== 'monitor' && actor.role !== 'admin') {
    return E.left(domainError('NOT_PERMITTED', 'Only a status monitor (or an admin) reports monitor status.'));
  }
  const observedAtMs = toMillis(data.observedAt);
  if (observedAtMs > toMillis(now)) {
    return E.left(domainError('RECEIVED_IN_FUTURE', `An observation (${data.observedAt}) cannot be later than its report (${now}).`));
  }
  const isRepeat = (r: MonitorReport | null | undefined): boolean =>
    r !== null && r !== undefined && r.monitor === data.monitor && r.status === data.status && r.observedAtMs === observedAtMs;
  if (board.reports.some(isRepeat) || isRepeat(board.baseline[data.monitor])) return E.right([]);
  const base = { at: now, by: actor };
  const reported: OutageEvent = {
    type: 'MonitorReportedStatus',
    schemaVersion: 1,
    data: { ...base, monitor: data.monitor, status: data.status, observedAt: data.observedAt },
  };
  const events: OutageEvent[] = [reported];
  const after = evolveOutage(board, reported);

  // Recorded decisions are final: a late report may end the open outage or declare new ones
  // after the latest, but never rewrites an outage already declared or ended.
  let count = board.outages.length;
  let boundaryMs = boundaryOf(board);
  const open = openOutage(board);
  if (open !== undefined) {
    // Any earlier `up` after the declaration would already have ended it, so only this report can.
    if (data.status !== 'up' || observedAtMs <= open.declaredAtMs) return E.right(events);
    events.push({ type: 'OutageEnded', schemaVersion: 1, data: { ...base, outageId: open.outageId, endedAt: fromMillis(observedAtMs), endedBy: data.monitor } });
    boundaryMs = observedAtMs;
  }
  for (const interval of allDownIntervals(after)) {
    if (interval.startMs < boundaryMs || board.outages.some((o) => o.declaredAtMs === interval.startMs)) continue;
    count += 1;
    const outageId = outageIdFor(count);
    events.push({ type: 'OutageDeclared', schemaVersion: 1, data: { ...base, outageId, declaredAt: fromMillis(interval.startMs) } });
    if (interval.endMs === null || interval.endedBy === null) break;
    events.push({ type: 'OutageEnded', schemaVersion: 1, data: { ...base, outageId, endedAt: fromMillis(interval.endMs), endedBy: interval.endedBy } });
  }
  return E.right(events);
};

const isBlank = (s: string): boolean => s.trim() === '';

/** Decides what an outage-board command changes, or why it is refused. */
export const decideOutage = (command: OutageCommand, board: OutageBoard): Decision => {
  if (command.type === 'ReportMonitorStatus') return reportStatus(command, board);
  if (!isStaff(command.actor)) return E.left(domainError('NOT_PERMITTED', 'Only support staff debrief and close outages.'));
  const outage = findOutage(board, command.data.outageId);
  if (outage === undefined) return E.left(domainError('OUTAGE_NOT_FOUND', `Outage ${command.data.outageId} does not exist.`));
  const base = { at: command.now, by: command.actor, outageId: outage.outageId };
  switch (command.type) {
    case 'RecordOutageDebrief': {
      if (outage.closed) return E.left(domainError('OUTAGE_ALREADY_CLOSED', `Outage ${outage.outageId} is closed.`));
      if (outage.endedAtMs === null) return E.left(domainError('OUTAGE_NOT_ENDED', `Outage ${outage.outageId} is still going on.`));
      const { whenItOccurred, howItOccurred, preventionPlan } = command.data;
      const missing = [
        isBlank(whenItOccurred) ? 'when it occurred' : null,
        isBlank(howItOccurred) ? 'how it occurred' : null,
        isBlank(preventionPlan) ? 'what will prevent a repeat' : null,
      ].filter((m): m is string => m !== null);
      if (missing.length > 0) return E.left(domainError('INCOMPLETE_DEBRIEF', `The debrief must say ${missing.join(', ')}.`));
      const d = outage.debrief;
      if (d !== null && d.whenItOccurred === whenItOccurred && d.howItOccurred === howItOccurred && d.preventionPlan === preventionPlan) {
        return E.right([]);
      }
      return E.right([{ type: 'OutageDebriefRecorded', schemaVersion: 1, data: { ...base, whenItOccurred, howItOccurred, preventionPlan } }]);
    }
    case 'CloseOutage': {
      if (outage.closed) return E.right([]);
      if (outage.endedAtMs === null) return E.left(domainError('OUTAGE_NOT_ENDED', `Outage ${outage.outageId} is still going on.`));
      if (outage.debrief === null) return E.left(domainError('MISSING_DEBRIEF', `Outage ${outage.outageId} cannot be closed without a debrief.`));
      return E.right([{ type: 'OutageClosed', schemaVersion: 1, data: base }]);
    }
  }
};

/**
 * For hosts handling `LinkTicketToOutage` (the ticket stream cannot see the board): the outage
 * a ticket may be linked to — one that exists and is not closed (an outage that just ended still
 * collects the tickets reporting it).
 */
export const linkableOutage = (board: OutageBoard, outageId: string): E.Either<DomainError, Outage> => {
  const outage = findOutage(board, outageId);
  if (outage === undefined) return E.left(domainError('OUTAGE_NOT_FOUND', `Outage ${outageId} does not exist.`));
  if (outage.closed) return E.left(domainError('OUTAGE_ALREADY_CLOSED', `Outage ${outageId} is closed.`));
  return E.right(outage);
};
