import * as t from 'io-ts';
import { PositionText, Seal } from '../../seals/seal';
import { component, described } from '../io-ts-openapi';
import { nullable } from './common';

const SealDocument = component(Seal, 'A signed seal of the log (see the seals README): the heads of every stream, signed with Ed25519', 'Seal');

/** `POST /seals`. */
export const SealAnswer = component(
  t.type(
    {
      seals: described(
        t.array(
          t.type(
            {
              sequence: t.number,
              sealId: described(t.string, 'SHA-256 of the seal’s canonical JSON (hex)'),
              sealedAt: t.string,
              headPosition: nullable(PositionText),
              streams: t.number,
              events: t.number,
              digest: t.string,
              keyId: t.string,
              position: described(PositionText, 'The position of the seal’s own event in the log'),
              copies: described(t.record(t.string, t.string), 'Per copy (`file`, `stdout`, `webhook`): `written`, or why not'),
            },
            'SealSummary',
          ),
        ),
        'The seals made (more than one when the log had more streams than one seal holds), in order',
      ),
      seal: described(nullable(SealDocument), 'The last seal made, in full'),
    },
    'SealAnswer',
  ),
  'The seals `POST /seals` made',
);
