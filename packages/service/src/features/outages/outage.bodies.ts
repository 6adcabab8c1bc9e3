import * as t from 'io-ts';
import { IsoInstant, Monitor, MonitorStatus, NonEmptyString } from '@support-sla/domain';

/** `POST /monitors/{location}/reports`: what the monitor saw, and when. */
export const MonitorReportBody = t.type({ status: MonitorStatus, observedAt: IsoInstant }, 'MonitorReportBody');
export const MonitorPath = t.type({ location: Monitor }, 'MonitorPath');

export const DebriefBody = t.type(
  { whenItOccurred: NonEmptyString, howItOccurred: NonEmptyString, preventionPlan: NonEmptyString },
  'DebriefBody',
);
export const OutagePath = t.type({ id: NonEmptyString }, 'OutagePath');
export const CloseOutageBody = t.partial({}, 'CloseOutageBody');
