import * as E from 'fp-ts/Either';
import { isStaff } from '../shared/actor';
import { invalidInstant, lateEntryInstant } from '../shared/instants';
import { domainError, type DomainError } from '../shared/errors';
import { fromMillis, toMillis } from '../shared/primitives';
import type { OutageCommand, OutageCommandOf } from './outage.commands';
import type { OutageEvent } from './outage.events';
import { evolveOutage } from './outage.evolve';
import { allDownIntervals, boundaryOf, findOutage, openOutage, outageIdFor, type MonitorReport, type Outage, type OutageBoard } from './outage.state';

/** The instants OutageCommands carry besides `now`. */
const INSTANT_FIELDS = ['observedAt', 'occurredAt'];

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
  // An outage staff declared is theirs to end: the monitors never saw it, so their reports are
  // recorded but neither end it nor declare another over it.
  if (open !== undefined && open.source === 'staff') return E.right(events);
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

const declareOutage = (command: OutageCommandOf<'DeclareOutage'>, board: OutageBoard): Decision => {
  const open = openOutage(board);
  if (open !== undefined) return E.left(domainError('OUTAGE_IN_PROGRESS', `Outage ${open.outageId} is still going on; link tickets to it instead.`));
  const { scope, reason, occurredAt } = command.data;
  const when = lateEntryInstant(command.now, occurredAt, boundaryOf(board), 'the end of the previous outage');
  if (E.isLeft(when)) return when;
  const outageId = outageIdFor(board.outages.length + 1);
  return E.right([
    { type: 'OutageDeclared', schemaVersion: 1, data: { at: command.now, by: command.actor, outageId, declaredAt: when.right, source: 'staff', scope, reason } },
  ]);
};

/** Decides what an outage-board command changes, or why it is refused. */
export const decideOutage = (command: OutageCommand, board: OutageBoard): Decision => {
  const invalid = invalidInstant(command, INSTANT_FIELDS);
  if (invalid !== null) return E.left(invalid);
  if (command.type === 'ReportMonitorStatus') return reportStatus(command, board);
  if (!isStaff(command.actor)) return E.left(domainError('NOT_PERMITTED', 'Only support staff declare, end, acknowledge, debrief and close outages.'));
  if (command.type === 'DeclareOutage') return declareOutage(command, board);
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
    case 'EndOutage': {
      if (outage.endedAtMs !== null) return E.right([]);
      if (outage.source !== 'staff') {
        return E.left(domainError('NOT_DECLARED_BY_STAFF', `Outage ${outage.outageId} was declared by the monitors; it ends at their first "up" report.`));
      }
      const when = lateEntryInstant(command.now, command.data.occurredAt, outage.declaredAtMs, `the outage was declared (${fromMillis(outage.declaredAtMs)})`);
      if (E.isLeft(when)) return when;
      return E.right([{ type: 'OutageEnded', schemaVersion: 1, data: { ...base, endedAt: when.right, endedBy: 'staff' } }]);
    }
    case 'RecordOutageAlertSent': {
      const { channel, to, messageId } = command.data;
      if (outage.alertsSentAtMs[channel] !== null) return E.right([]);
      return E.right([{ type: 'OutageAlertSent', schemaVersion: 1, data: { ...base, channel, to, ...(messageId !== undefined ? { messageId } : {}) } }]);
    }
    case 'AcknowledgeOutageAlert': {
      if (outage.acknowledgedAtMs !== null) return E.right([]);
      if (outage.closed) return E.left(domainError('OUTAGE_ALREADY_CLOSED', `Outage ${outage.outageId} is closed.`));
      return E.right([{ type: 'OutageAlertAcknowledged', schemaVersion: 1, data: base }]);
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
