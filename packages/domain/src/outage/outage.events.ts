import * as t from 'io-ts';
import { Actor } from '../shared/actor';
import { Monitor } from '../shared/agreement';
import { eventCodec } from '../shared/message';
import { IsoInstant, NonEmptyString } from '../shared/primitives';

export const MonitorStatus = t.keyof({ up: null, down: null }, 'MonitorStatus');
export type MonitorStatus = t.TypeOf<typeof MonitorStatus>;

const base = { at: IsoInstant, by: Actor };

/** A status monitor observed the service `up` or `down` at `observedAt` (reports may arrive late). */
export const MonitorReportedStatus = eventCodec(
  'MonitorReportedStatus',
  t.type({ ...base, monitor: Monitor, status: MonitorStatus, observedAt: IsoInstant }, 'MonitorReportedStatusData'),
);

/** All three monitors were down; `declaredAt` is when the last of them went down. */
export const OutageDeclared = eventCodec(
  'OutageDeclared',
  t.type({ ...base, outageId: NonEmptyString, declaredAt: IsoInstant }, 'OutageDeclaredData'),
);

/** The first `up` report after the declaration; `endedAt` is its observation time. */
export const OutageEnded = eventCodec(
  'OutageEnded',
  t.type({ ...base, outageId: NonEmptyString, endedAt: IsoInstant, endedBy: Monitor }, 'OutageEndedData'),
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
  OutageDebriefRecorded,
  OutageClosed,
} as const;

export const OutageEvent = t.union(
  [MonitorReportedStatus, OutageDeclared, OutageEnded, OutageDebriefRecorded, OutageClosed],
  'OutageEvent',
);
export type OutageEvent = t.TypeOf<typeof OutageEvent>;
export type OutageEventOf<T extends OutageEvent['type']> = Extract<OutageEvent, { type: T }>;
