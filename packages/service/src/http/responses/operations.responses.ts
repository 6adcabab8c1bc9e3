import * as t from 'io-ts';
import { component, described } from '../io-ts-openapi';
import { PositionText } from '../../seals/seal';
import { nullable } from './common';

/** `GET /health` (`platform/operations.controller.ts`). */
export const HealthReport = component(
  t.intersection(
    [
      t.type({
        status: described(t.keyof({ ok: null, degraded: null }, 'HealthStatus'), '`ok` (200) or `degraded` (503)'),
        store: t.intersection(
          [
            t.type({
              kind: described(t.string, 'The event store: `sqlite`, `memory` or `esdb`'),
              reachable: t.boolean,
              head: described(nullable(PositionText), 'The position of the last event in the log (`null` when empty or unreachable)'),
            }),
            t.partial({ error: described(t.string, 'Why the store did not answer') }),
          ],
          'StoreHealth',
        ),
        projections: t.array(
          t.intersection(
            [
              t.type({
                name: t.string,
                status: t.keyof({ stopped: null, running: null, failed: null }, 'ProjectionStatus'),
                position: described(nullable(PositionText), 'The last folded event (`null` before the first)'),
                lag: described(t.string, 'Events between the store head and the projection, as a decimal number'),
              }),
              t.partial({
                error: t.string,
                undecodable: described(
                  t.type({ stream: t.string, revision: t.string, eventId: t.string, type: t.string, fields: t.array(t.string) }, 'UndecodableEvent'),
                  'When the projection stopped at a stored event that does not decode: where it is, and which fields fail',
                ),
              }),
            ],
            'ProjectionHealth',
          ),
        ),
      }),
      t.partial({
        notifications: described(
          t.type({ state: t.keyof({ starting: null, sending: null, standby: null, stopped: null, off: null }, 'NotificationsState') }, 'NotificationsHealth'),
          'With the e-mail module: `sending` (this process sends the e-mails), `standby` (another process on the same SQLite file does), `starting`, `stopped`, or `off` (`NOTIFICATIONS=off`)',
        ),
      }),
    ],
    'HealthReport',
  ),
  'Whether the event store answers and how far each projection trails it',
);
