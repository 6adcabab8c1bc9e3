import * as t from 'io-ts';
import { IsoInstant, Monitor, MonitorStatus } from '@support-sla/domain';
import { Revision } from '../../seals/seal';
import { component, described } from '../io-ts-openapi';
import { nullable } from './common';

/** `GET /status` (`console/console.controller.ts`): public, nothing about tickets or organizations. */
export const PublicStatus = component(
  t.type(
    {
      monitors: described(
        t.array(
          t.type(
            {
              monitor: Monitor,
              status: described(nullable(MonitorStatus), 'What it last reported (`null`: it has not reported yet)'),
              reportedAt: described(nullable(IsoInstant), 'When that report was observed'),
            },
            'PublicMonitorState',
          ),
        ),
        'The three status monitors (chicago, california, atlanta), in that order',
      ),
      outage: t.type(
        {
          declared: described(t.boolean, 'An outage is declared and not yet ended'),
          since: described(nullable(IsoInstant), 'When the open outage was declared'),
          source: described(nullable(t.keyof({ monitors: null, staff: null }, 'PublicOutageSource')), '`monitors` (all three saw the service down) or `staff`'),
        },
        'PublicOutageState',
      ),
      lastRestoration: described(nullable(IsoInstant), 'When service was last restored after an outage (`null`: never)'),
      boardRevision: described(nullable(Revision), "The outage board's revision this was computed from (`null`: no report or outage yet)"),
      checkedAt: described(IsoInstant, 'When the service last checked the outage board (the answer is cached; it changes only when a monitor reports)'),
    },
    'PublicStatus',
  ),
  'The public status: each monitor’s latest state and time, whether an outage is declared and since when, and the last restoration',
);
