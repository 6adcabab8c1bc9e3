import * as t from 'io-ts';
import { Category, Channel } from '../shared/agreement';
import { commandCodec, withOptional } from '../shared/message';
import { Email, IsoInstant, NonEmptyString, PositiveInt } from '../shared/primitives';
import { SlaPolicy } from '../policy/policy.schema';
import { NamedUser, NotificationPurpose, RequestDefinition, RequestDetails, SlaAlertChannel, SlaAlertClock, SlaAlertLevel } from './ticket.events';

const ref = { ticketId: NonEmptyString };

/**
 * Staff recording something after the fact say when it happened (`occurredAt`, with an offset):
 * not in the future, not before the ticket's previous event. The event's `at` is that instant;
 * the host keeps when it was recorded. Requesters cannot backdate.
 */
const late = { occurredAt: IsoInstant };

/**
 * Open a ticket. The caller allocates `ticketId` and `ticketNumber` and passes the policy in
 * force (the ticket pins its version). Staff opening a phone message on behalf of the named
 * user set `receivedAt` to when the message was left.
 */
export const OpenTicket = commandCodec(
  'OpenTicket',
  withOptional(
    'OpenTicketData',
    { ...ref, ticketNumber: NonEmptyString, channel: Channel, namedUser: NamedUser, request: RequestDetails, policy: SlaPolicy },
    { receivedAt: IsoInstant, suggestedCategory: Category },
  ),
);

/** Support staff set (or change, with a reason) the request's category. */
export const ClassifyTicket = commandCodec(
  'ClassifyTicket',
  withOptional(
    'ClassifyTicketData',
    { ...ref, category: Category },
    { reason: NonEmptyString, stepsToReproduce: NonEmptyString, usersAffected: PositiveInt },
  ),
);

/**
 * Record that the confirmation e-mail went out. Sent by an agent, or by the host's mailer with
 * `automatic: true` and the e-mail's `messageId` once the mail server accepted it.
 */
export const AcknowledgeTicket = commandCodec(
  'AcknowledgeTicket',
  withOptional('AcknowledgeTicketData', { ...ref }, { automatic: t.boolean, messageId: NonEmptyString, ...late }),
);

/**
 * Respond to the named user, defining the request. Premium needs an `actionPlan`;
 * Professional needs `definedAs` of `support-item` or `project`. `contactedEmail` /
 * `contactedName` say whom it reached (default: the named user) and `via` how (default: e-mail).
 */
export const RespondToTicket = commandCodec(
  'RespondToTicket',
  withOptional(
    'RespondToTicketData',
    { ...ref, message: NonEmptyString },
    { actionPlan: t.string, definedAs: RequestDefinition, contactedEmail: Email, contactedName: NonEmptyString, via: Channel, ...late },
  ),
);

export const AwaitCustomer = commandCodec('AwaitCustomer', withOptional('AwaitCustomerData', { ...ref, reason: NonEmptyString }, { ...late }));

export const RecordCustomerReply = commandCodec(
  'RecordCustomerReply',
  withOptional('RecordCustomerReplyData', { ...ref }, { message: NonEmptyString, ...late }),
);

export const ResolveTicket = commandCodec(
  'ResolveTicket',
  withOptional('ResolveTicketData', { ...ref }, { resolution: NonEmptyString, ...late }),
);

/** Close a resolved ticket; `resolutionDetails` falls back to the resolution given when resolving. */
export const CloseTicket = commandCodec(
  'CloseTicket',
  withOptional('CloseTicketData', { ...ref }, { resolutionDetails: t.string, ...late }),
);

export const ReopenTicket = commandCodec('ReopenTicket', withOptional('ReopenTicketData', { ...ref, reason: NonEmptyString }, { ...late }));

export const LinkTicketToOutage = commandCodec(
  'LinkTicketToOutage',
  withOptional('LinkTicketToOutageData', { ...ref, outageId: NonEmptyString }, { ...late }),
);

/**
 * Record that the host's mailer sent the named contact a resolution or restoration e-mail; a
 * restoration notice says when the outage ended (`restoredAt`).
 */
export const RecordNotificationSent = commandCodec(
  'RecordNotificationSent',
  withOptional('RecordNotificationSentData', { ...ref, purpose: NotificationPurpose, messageId: NonEmptyString }, { restoredAt: IsoInstant }),
);

/**
 * Raise an SLA alert that fell due at `dueAt` (the host's watcher, a system actor with a staff
 * role). `policy` is the policy version the ticket pinned: the domain checks on the ticket's
 * current history that the alert still holds (a clock stopped or paused since makes it nothing
 * to do), and raises each clock and level once.
 */
export const RaiseSlaAlert = commandCodec(
  'RaiseSlaAlert',
  t.type({ ...ref, clock: SlaAlertClock, level: SlaAlertLevel, dueAt: IsoInstant, policy: SlaPolicy }, 'RaiseSlaAlertData'),
);

/** Record that a raised SLA alert was delivered on one channel (the host's mailer); once per channel. */
export const RecordSlaAlertSent = commandCodec(
  'RecordSlaAlertSent',
  withOptional(
    'RecordSlaAlertSentData',
    { ...ref, clock: SlaAlertClock, level: SlaAlertLevel, channel: SlaAlertChannel, to: NonEmptyString },
    { messageId: NonEmptyString },
  ),
);

export const TICKET_COMMAND_CODECS = {
  OpenTicket,
  ClassifyTicket,
  AcknowledgeTicket,
  RespondToTicket,
  AwaitCustomer,
  RecordCustomerReply,
  ResolveTicket,
  CloseTicket,
  ReopenTicket,
  LinkTicketToOutage,
  RecordNotificationSent,
  RaiseSlaAlert,
  RecordSlaAlertSent,
} as const;

export const TicketCommand = t.union(
  [
    OpenTicket,
    ClassifyTicket,
    AcknowledgeTicket,
    RespondToTicket,
    AwaitCustomer,
    RecordCustomerReply,
    ResolveTicket,
    CloseTicket,
    ReopenTicket,
    LinkTicketToOutage,
    RecordNotificationSent,
    RaiseSlaAlert,
    RecordSlaAlertSent,
  ],
  'TicketCommand',
);
export type TicketCommand = t.TypeOf<typeof TicketCommand>;
export type TicketCommandType = TicketCommand['type'];
export type TicketCommandOf<T extends TicketCommandType> = Extract<TicketCommand, { type: T }>;
