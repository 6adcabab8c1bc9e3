import * as t from 'io-ts';
import { Monitor } from '../shared/agreement';
import { commandCodec, withOptional } from '../shared/message';
import { IsoInstant, NonEmptyString } from '../shared/primitives';
import { AlertChannel, MonitorStatus } from './outage.events';

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

/**
 * Staff declare an outage the monitors do not all see: an error affecting all or a majority of
 * users. `occurredAt` (staff only, not in the future) dates it when it is recorded late.
 */
export const DeclareOutage = commandCodec(
  'DeclareOutage',
  withOptional('DeclareOutageData', { scope: NonEmptyString, reason: NonEmptyString }, { occurredAt: IsoInstant }),
);

/** Staff end an outage they declared (service restored). */
export const EndOutage = commandCodec('EndOutage', withOptional('EndOutageData', { outageId: NonEmptyString }, { occurredAt: IsoInstant }));

/** The host's alert system records that the on-call engineers were alerted (once per channel). */
export const RecordOutageAlertSent = commandCodec(
  'RecordOutageAlertSent',
  withOptional('RecordOutageAlertSentData', { outageId: NonEmptyString, channel: AlertChannel, to: NonEmptyString }, { messageId: NonEmptyString }),
);

/** An engineer acknowledges the outage alert. */
export const AcknowledgeOutageAlert = commandCodec('AcknowledgeOutageAlert', t.type({ outageId: NonEmptyString }, 'AcknowledgeOutageAlertData'));

export const OUTAGE_COMMAND_CODECS = {
  ReportMonitorStatus,
  RecordOutageDebrief,
  CloseOutage,
  DeclareOutage,
  EndOutage,
  RecordOutageAlertSent,
  AcknowledgeOutageAlert,
} as const;

export const OutageCommand = t.union(
  [ReportMonitorStatus, RecordOutageDebrief, CloseOutage, DeclareOutage, EndOutage, RecordOutageAlertSent, AcknowledgeOutageAlert],
  'OutageCommand',
);
export type OutageCommand = t.TypeOf<typeof OutageCommand>;
export type OutageCommandOf<T extends OutageCommand['type']> = Extract<OutageCommand, { type: T }>;
