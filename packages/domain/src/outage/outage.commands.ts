import * as t from 'io-ts';
import { Monitor } from '../shared/agreement';
import { commandCodec } from '../shared/message';
import { IsoInstant, NonEmptyString } from '../shared/primitives';
import { MonitorStatus } from './outage.events';

/** A monitor's observation. Sent by the monitor itself (role `monitor`) or by an admin. */
export const ReportMonitorStatus = commandCodec(
  'ReportMonitorStatus',
  t.type({ monitor: Monitor, status: MonitorStatus, observedAt: IsoInstant }, 'ReportMonitorStatusData'),
);

/** The three debrief answers; blank answers are refused with `INCOMPLETE_DEBRIEF`. */
export const RecordOutageDebrief = commandCodec(
  'RecordOutageDebrief',
  t.type(
    { outageId: NonEmptyString, whenItOccurred: t.string, howItOccurred: t.string, preventionPlan: t.string },
    'RecordOutageDebriefData',
  ),
);

export const CloseOutage = commandCodec('CloseOutage', t.type({ outageId: NonEmptyString }, 'CloseOutageData'));

export const OUTAGE_COMMAND_CODECS = { ReportMonitorStatus, RecordOutageDebrief, CloseOutage } as const;

export const OutageCommand = t.union([ReportMonitorStatus, RecordOutageDebrief, CloseOutage], 'OutageCommand');
export type OutageCommand = t.TypeOf<typeof OutageCommand>;
export type OutageCommandOf<T extends OutageCommand['type']> = Extract<OutageCommand, { type: T }>;
