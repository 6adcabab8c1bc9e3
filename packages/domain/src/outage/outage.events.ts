import * as t from 'io-ts';
import { Actor } from '../shared/actor';
import { Monitor } from '../shared/agreement';
import { eventCodec, withOptional } from '../shared/message';
import { IsoInstant, NonEmptyString } from '../shared/primitives';

export const MonitorStatus = t.keyof({ up: null, down: null }, 'MonitorStatus');
export type MonitorStatus = t.TypeOf<typeof MonitorStatus>;

const base = { at: IsoInstant, by: Actor };

/** A status monitor observed the service `up` or `down` at `observedAt` (reports may arrive late). */
export const MonitorReportedStatus = eventCodec(
  'MonitorReportedStatus',
  t.type({ ...base, monitor: Monitor, status: MonitorStatus, observedAt: IsoInstant }, 'MonitorReportedStatusData'),
);

/** Who declared an outage: the three monitors (all down), or support staff. */
export const OutageSource = t.keyof({ monitors: null, staff: null }, 'OutageSource');
export type OutageSource = t.TypeOf<typeof OutageSource>;

/**
 * An outage began. Declared by the monitors (`source` absent or `monitors`): `declaredAt` is when
 * the last of the three went down. Declared by staff (`source: 'staff'`) for an error affecting
 * all or a majority of users that the monitors do not all see, with its `scope` and `reason`.
 */
export const OutageDeclared = eventCodec(
  'OutageDeclared',
  withOptional(
    'OutageDeclaredData',
    { ...base, outageId: NonEmptyString, declaredAt: IsoInstant },
    { source: OutageSource, scope: NonEmptyString, reason: NonEmptyString },
  ),
);

/** Service was restored: the first `up` report after a monitor declaration, or staff ending theirs. */
export const OutageEnded = eventCodec(
  'OutageEnded',
  t.type({ ...base, outageId: NonEmptyString, endedAt: IsoInstant, endedBy: t.union([Monitor, t.literal('staff')], 'OutageEndedBy') }, 'OutageEndedData'),
);

/** How the on-call engineers are alerted. */
export const AlertChannel = t.keyof({ email: null, webhook: null }, 'AlertChannel');
export type AlertChannel = t.TypeOf<typeof AlertChannel>;

/** The alert system delivered the outage alert to the on-call engineers (`at`: when it was accepted). */
export const OutageAlertSent = eventCodec(
  'OutageAlertSent',
  withOptional('OutageAlertSentData', { ...base, outageId: NonEmptyString, channel: AlertChannel, to: NonEmptyString }, { messageId: NonEmptyString }),
);

/** An engineer acknowledged the outage alert. */
export const OutageAlertAcknowledged = eventCodec(
  'OutageAlertAcknowledged',
  t.type({ ...base, outageId: NonEmptyString }, 'OutageAlertAcknowledgedData'),
);

/** The debrief's three answers. */
export const OutageDebriefRecorded = eventCodec(
  'OutageDebriefRecorded',
  t.type(
    { ...base, outageId: NonEmptyString, whenItOccurred: NonEmptyString, howItOccurred: NonEmptyString, preventionPlan: NonEmptyString },
    'OutageDebriefRecordedData',
  ),
);

export const OutageClosed = eventCodec('OutageClosed', t.type({ ...base, outageId: NonEmptyString }, 'OutageClosedData'));

export const OUTAGE_EVENT_CODECS = {
  MonitorReportedStatus,
  OutageDeclared,
  OutageEnded,
  OutageAlertSent,
  OutageAlertAcknowledged,
  OutageDebriefRecorded,
  OutageClosed,
} as const;

export const OutageEvent = t.union(
  [MonitorReportedStatus, OutageDeclared, OutageEnded, OutageAlertSent, OutageAlertAcknowledged, OutageDebriefRecorded, OutageClosed],
  'OutageEvent',
);
export type OutageEvent = t.TypeOf<typeof OutageEvent>;
export type OutageEventOf<T extends OutageEvent['type']> = Extract<OutageEvent, { type: T }>;
