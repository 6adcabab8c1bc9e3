import * as t from 'io-ts';
import { IsoInstant, MonitorStatus, OUTAGE_EVENT_CODECS } from '@support-sla/domain';
import { component, described } from '../io-ts-openapi';
import { written } from './common';

const OutageEventType = t.keyof(
  Object.fromEntries(Object.keys(OUTAGE_EVENT_CODECS).map((k) => [k, null])) as { [K in keyof typeof OUTAGE_EVENT_CODECS]: null },
  'OutageEventType',
);

/** Every outage command (`POST /monitors/{location}/reports`, `POST /outages…`). */
export const OutageCommandAnswer = component(
  t.type(
    {
      events: described(t.array(OutageEventType), 'The types of the events the command appended, in order (empty when it changed nothing)'),
      outages: described(t.array(t.string), 'The outage id of each appended event that names one, in order (a declaration names the new outage)'),
      ...written,
    },
    'OutageCommandAnswer',
  ),
  'What an outage command wrote, and the position to wait for on the read side',
);

/** `GET /outages`. */
export const OutageListing = component(
  t.type(
    {
      monitors: described(t.type({ chicago: MonitorStatus, california: MonitorStatus, atlanta: MonitorStatus }, 'MonitorStatuses'), 'What each status monitor last reported (`up` before any report)'),
      outages: t.array(
        t.type(
          {
            outageId: t.string,
            declaredAt: t.union([IsoInstant, t.null]),
            endedAt: described(t.union([IsoInstant, t.null]), 'When service was restored (`null` while it lasts)'),
            debriefed: t.boolean,
            closed: t.boolean,
            linkedTickets: described(
              t.array(t.string),
              "The numbers of the tickets linked to it, sorted, as far as the read models have folded the log (the outage itself is read from its stream)",
            ),
          },
          'OutageListingEntry',
        ),
      ),
    },
    'OutageListing',
  ),
  'Monitor status and every outage, oldest first',
);
