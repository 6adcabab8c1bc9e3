import * as t from 'io-ts';
import { DOMAIN_ERROR_CODES } from '@support-sla/domain';
import { component, described } from '../io-ts-openapi';

/** The JSON body of every error answer (see `platform/http-errors.ts`). */
export const ErrorBody = component(
  t.intersection(
    [
      t.type({
        error: described(
          t.string,
          `What went wrong, stable for programs: \`validation\`, \`malformed_json\`, \`unauthorized\`, \`forbidden\`, \`not_found\`, \`conflict\`, \`payload_too_large\`, \`unsupported_media_type\`, \`idempotency_key_reused\`, \`unstorable_event\`, \`unavailable\`, \`read_model_lagging\`, \`undecodable_event\`, \`internal\`, or a domain rule's code (${DOMAIN_ERROR_CODES.map((c) => `\`${c}\``).join(', ')})`,
        ),
      }),
      t.partial({
        message: described(t.string, 'For humans; may change'),
        issues: described(
          t.array(t.type({ field: described(t.string, 'The field at fault, as a dotted path (`(root)` for the whole value)'), message: t.string }, 'FieldIssue')),
          'With `validation` (and `unstorable_event`): one entry per failing field',
        ),
      }),
    ],
    'ErrorBody',
  ),
  'The body of every error answer',
);
