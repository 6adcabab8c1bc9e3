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

/** `POST /outages`: staff declare an outage the monitors do not all see (an error affecting all or most users). */
export const DeclareOutageBody = t.intersection(
  [t.type({ scope: NonEmptyString, reason: NonEmptyString }), t.partial({ occurredAt: IsoInstant })],
  'DeclareOutageBody',
);
/** `POST /outages/{id}/restoration`: staff end the outage they declared; `occurredAt` when service came back. */
export const RestorationBody = t.partial({ occurredAt: IsoInstant }, 'RestorationBody');
/** `POST /outages/{id}/acknowledgement`: an engineer acknowledges the alert (no fields). */
export const AcknowledgeAlertBody = t.partial({}, 'AcknowledgeAlertBody');
