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
          t.intersection(
            [
              t.type({ state: t.keyof({ starting: null, sending: null, standby: null, stopped: null, off: null }, 'NotificationsState') }),
              t.partial({
                lease: described(
                  t.type(
                    {
                      held: described(t.boolean, 'Whether this process holds the lease (and so sends the e-mails and runs the SLA watcher)'),
                      holder: described(nullable(t.string), 'The holder (`host:pid:random`) as this process last saw it; `null` when nobody holds it'),
                      expiresAt: described(nullable(t.string), 'Until when (ISO instant) the holder holds it unless it renews; `null` when nobody holds it'),
                    },
                    'NotificationsLease',
                  ),
                  'The lease in the event store that picks the one process that sends (absent with `NOTIFICATIONS=off`)',
                ),
              }),
            ],
            'NotificationsHealth',
          ),
          'With the e-mail module: `sending` (this process holds the lease and sends the e-mails), `standby` (another process holds the lease), `starting` (took the lease, catching up), `stopped`, or `off` (`NOTIFICATIONS=off`); and the lease as this process sees it',
        ),
      }),
    ],
    'HealthReport',
  ),
  'Whether the event store answers and how far each projection trails it',
);
