import * as t from 'io-ts';
import {
  Category,
  Channel,
  Email,
  IsoInstant,
  NamedUser,
  NonEmptyString,
  PositiveInt,
  RequestDefinition,
  RequestDetails,
} from '@support-sla/domain';

/**
 * Request bodies of the ticket endpoints. They are io-ts codecs built from the domain's own
 * field codecs: the same codec validates the request (400 naming each field) and generates
 * the OpenAPI schema at /docs. `now` and the actor never come from the body: the service's
 * clock and the bearer token supply them.
 */
const opt = <R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) =>
  t.intersection([t.type(required), t.partial(optional)], name);

export const OpenTicketBody = opt(
  'OpenTicketBody',
  { channel: Channel, request: RequestDetails },
  {
    /** Staff only: the named user the ticket is opened for (a phone message, say). */
    namedUser: NamedUser,
    /**
     * Staff only, required with `namedUser`: the named user's organization. The ticket, its queue
     * and its e-mails belong to it, not to the staff member's own organization.
     */
    organization: t.refinement(NonEmptyString, (s) => s.length <= 100, 'Organization'),
    /** Staff only: when the message was received (not later than now). */
    receivedAt: IsoInstant,
    suggestedCategory: Category,
  },
);
export type OpenTicketBody = t.TypeOf<typeof OpenTicketBody>;

export const ClassifyTicketBody = opt(
  'ClassifyTicketBody',
  { category: Category },
  { reason: NonEmptyString, stepsToReproduce: NonEmptyString, usersAffected: PositiveInt },
);

/**
 * Staff recording something after the fact (a phone call that confirmed or answered a ticket, a
 * customer who said they would be away) say when it happened: an instant with an offset, not in
 * the future and not before the ticket's previous event. The service still records when it was
 * entered; `GET /tickets/{id}/sla?reading=recorded` shows what was known when. Requesters get 422.
 */
const late = { occurredAt: IsoInstant };

export const AcknowledgeTicketBody = t.partial({ ...late }, 'AcknowledgeTicketBody');

export const RespondToTicketBody = opt(
  'RespondToTicketBody',
  { message: NonEmptyString },
  {
    actionPlan: NonEmptyString,
    definedAs: RequestDefinition,
    /** Whom the response reached (default: the named user) and how (default: email). */
    contactedEmail: Email,
    contactedName: NonEmptyString,
    via: Channel,
    ...late,
  },
);

export const AwaitCustomerBody = opt('AwaitCustomerBody', { reason: NonEmptyString }, { ...late });
export const CustomerReplyBody = t.partial({ message: NonEmptyString, ...late }, 'CustomerReplyBody');
export const ResolveTicketBody = t.partial({ resolution: NonEmptyString, ...late }, 'ResolveTicketBody');
export const CloseTicketBody = t.partial({ resolutionDetails: NonEmptyString, ...late }, 'CloseTicketBody');
export const ReopenTicketBody = opt('ReopenTicketBody', { reason: NonEmptyString }, { ...late });
export const LinkToOutageBody = opt('LinkToOutageBody', { outageId: NonEmptyString }, { ...late });

/** `:id` in ticket routes: the ticket id (`T-…`) or its number (`SS-000042`). */
export const TicketRef = t.type({ id: t.refinement(NonEmptyString, (s) => s.length <= 64, 'TicketRef') }, 'TicketPath');
