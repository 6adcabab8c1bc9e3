import * as t from 'io-ts';
import { Actor } from '../shared/actor';
import { Category, Channel, License, Tier } from '../shared/agreement';
import { eventCodec, withOptional } from '../shared/message';
import { Email, IsoInstant, NonEmptyString, PositiveInt } from '../shared/primitives';

/** The person the ticket is attached to; every notification goes to their e-mail address. */
export const NamedUser = withOptional(
  'NamedUser',
  { id: NonEmptyString, email: Email, license: License },
  { name: NonEmptyString },
);
export type NamedUser = t.TypeOf<typeof NamedUser>;

/** Enough information to define and recreate the request. */
export const RequestDetails = withOptional(
  'RequestDetails',
  { summary: NonEmptyString, description: NonEmptyString },
  { stepsToReproduce: NonEmptyString, usersAffected: PositiveInt },
);
export type RequestDetails = t.TypeOf<typeof RequestDetails>;

/** How a Premium or Professional response defines the request. */
export const RequestDefinition = t.keyof({ 'support-ticket': null, 'support-item': null, project: null }, 'RequestDefinition');
export type RequestDefinition = t.TypeOf<typeof RequestDefinition>;

/** Data every ticket event carries: which ticket, when it happened, and who caused it. */
const base = { ticketId: NonEmptyString, at: IsoInstant, by: Actor };

export const TicketOpened = eventCodec(
  'TicketOpened',
  withOptional(
    'TicketOpenedData',
    {
      ...base,
      ticketNumber: NonEmptyString,
      /** When support received the request; the SLA clocks start here (≤ `at`). */
      receivedAt: IsoInstant,
      channel: Channel,
      namedUser: NamedUser,
      tier: Tier,
      request: RequestDetails,
      /** The policy version in force at opening; the ticket's deadlines always use it. */
      policyVersion: PositiveInt,
    },
    { suggestedCategory: Category },
  ),
);

export const TicketClassified = eventCodec(
  'TicketClassified',
  withOptional(
    'TicketClassifiedData',
    { ...base, category: Category, reclassified: t.boolean },
    {
      previousCategory: Category,
      reason: NonEmptyString,
      /** Facts staff gathered while classifying an error (completes the request details). */
      stepsToReproduce: NonEmptyString,
      usersAffected: PositiveInt,
    },
  ),
);

/** Placed in an SLA queue: `<tier>:<priority class>`, or `<tier>:unclassified` before triage. */
export const TicketQueued = eventCodec('TicketQueued', t.type({ ...base, queue: NonEmptyString }, 'TicketQueuedData'));

/** The confirmation e-mail that the ticket was opened. */
export const TicketAcknowledged = eventCodec(
  'TicketAcknowledged',
  withOptional('TicketAcknowledgedData', { ...base, automatic: t.boolean, notifyEmail: Email }, { messageId: NonEmptyString }),
);

/** Whom a response contacted: the named user unless staff say otherwise. */
export const ContactedPerson = withOptional('ContactedPerson', { email: Email }, { name: NonEmptyString });
export type ContactedPerson = t.TypeOf<typeof ContactedPerson>;

/**
 * The response that contacts the named user and defines the request (stops the response clock).
 * `contacted` and `via` (whom it reached, and how) are recorded on every response since they
 * were added; responses stored before that lack them.
 */
export const TicketResponded = eventCodec(
  'TicketResponded',
  withOptional(
    'TicketRespondedData',
    { ...base, message: NonEmptyString, definedAs: RequestDefinition },
    { actionPlan: NonEmptyString, contacted: ContactedPerson, via: Channel },
  ),
);

/** Support is waiting on the customer: the clocks the policy names pause (by default resolution only). */
export const TicketAwaitingCustomer = eventCodec(
  'TicketAwaitingCustomer',
  t.type({ ...base, reason: NonEmptyString }, 'TicketAwaitingCustomerData'),
);

/** The customer answered: the clocks the wait paused resume. */
export const CustomerReplied = eventCodec(
  'CustomerReplied',
  withOptional('CustomerRepliedData', { ...base }, { message: NonEmptyString }),
);

export const TicketResolved = eventCodec(
  'TicketResolved',
  withOptional('TicketResolvedData', { ...base }, { resolution: NonEmptyString }),
);

/** Closed with the resolution details e-mailed to the named contact. */
export const TicketClosed = eventCodec(
  'TicketClosed',
  t.type({ ...base, resolutionDetails: NonEmptyString, notifyEmail: Email }, 'TicketClosedData'),
);

export const TicketReopened = eventCodec('TicketReopened', t.type({ ...base, reason: NonEmptyString }, 'TicketReopenedData'));

export const TicketLinkedToOutage = eventCodec(
  'TicketLinkedToOutage',
  t.type({ ...base, outageId: NonEmptyString }, 'TicketLinkedToOutageData'),
);

/** Which notification a {@link TicketNotificationSent} records (the confirmation is `TicketAcknowledged`). */
export const NotificationPurpose = t.keyof({ resolution: null, 'outage-restored': null }, 'NotificationPurpose');
export type NotificationPurpose = t.TypeOf<typeof NotificationPurpose>;

/**
 * The host's mailer sent the named contact an e-mail about the ticket (accepted by the mail
 * server at `at`). An `outage-restored` notice carries `restoredAt`, when the outage ended: it is
 * the one contact a ticket linked to an outage gets, and counts as its confirmation and response.
 */
export const TicketNotificationSent = eventCodec(
  'TicketNotificationSent',
  withOptional(
    'TicketNotificationSentData',
    { ...base, purpose: NotificationPurpose, messageId: NonEmptyString, to: Email },
    { restoredAt: IsoInstant },
  ),
);

/** The two clocks SLA alerts watch (resolution is best effort and never alerts). */
export const SlaAlertClock = t.keyof({ confirmation: null, response: null }, 'SlaAlertClock');
export type SlaAlertClock = t.TypeOf<typeof SlaAlertClock>;

const isSlaAlertLevel = (u: unknown): u is string => {
  if (typeof u !== 'string') return false;
  if (u === 'breach') return true;
  const fraction = Number(u);
  return u.trim() !== '' && Number.isFinite(fraction) && fraction > 0 && fraction < 1 && String(fraction) === u;
};

/** `'breach'`, or the warning fraction reached as text (`'0.75'`): the level an SLA alert is keyed under. */
export const SlaAlertLevel = new t.Type<string, string, unknown>(
  'SlaAlertLevel',
  isSlaAlertLevel,
  (u, c) => (isSlaAlertLevel(u) ? t.success(u) : t.failure(u, c, "'breach' or a warning fraction strictly between 0 and 1 as text ('0.75')")),
  t.identity,
);

/**
 * The host's SLA watcher found that a running clock reached a warning fraction of its target,
 * or its deadline (`level: 'breach'`), at `dueAt`, and it still held on the ticket's history:
 * support staff are to be alerted. Raised once per clock and level. `at` is `dueAt`, or the
 * ticket's latest event when that is later. An observation about the clocks, not a step of the
 * ticket: it does not bound when later facts may be dated (`occurredAt`).
 */
export const TicketSlaAlertRaised = eventCodec(
  'TicketSlaAlertRaised',
  t.type({ ...base, clock: SlaAlertClock, level: SlaAlertLevel, dueAt: IsoInstant }, 'TicketSlaAlertRaisedData'),
);

/** Where an SLA alert went: the alert address by e-mail, or the alert webhook. */
export const SlaAlertChannel = t.keyof({ email: null, webhook: null }, 'SlaAlertChannel');
export type SlaAlertChannel = t.TypeOf<typeof SlaAlertChannel>;

/**
 * The host's mailer delivered a raised SLA alert on one channel (accepted by the mail server or
 * the webhook at `at`). `to` is the alert address, or only the webhook's origin (its path may
 * carry a secret); `messageId` is the e-mail's. Once per clock, level and channel.
 */
export const TicketSlaAlertSent = eventCodec(
  'TicketSlaAlertSent',
  withOptional(
    'TicketSlaAlertSentData',
    { ...base, clock: SlaAlertClock, level: SlaAlertLevel, channel: SlaAlertChannel, to: NonEmptyString },
    { messageId: NonEmptyString },
  ),
);

export const TICKET_EVENT_CODECS = {
  TicketOpened,
  TicketClassified,
  TicketQueued,
  TicketAcknowledged,
  TicketResponded,
  TicketAwaitingCustomer,
  CustomerReplied,
  TicketResolved,
  TicketClosed,
  TicketReopened,
  TicketLinkedToOutage,
  TicketNotificationSent,
  TicketSlaAlertRaised,
  TicketSlaAlertSent,
} as const;

export const TicketEvent = t.union(
  [
    TicketOpened,
    TicketClassified,
    TicketQueued,
    TicketAcknowledged,
    TicketResponded,
    TicketAwaitingCustomer,
    CustomerReplied,
    TicketResolved,
    TicketClosed,
    TicketReopened,
    TicketLinkedToOutage,
    TicketNotificationSent,
    TicketSlaAlertRaised,
    TicketSlaAlertSent,
  ],
  'TicketEvent',
);
export type TicketEvent = t.TypeOf<typeof TicketEvent>;
export type TicketEventType = TicketEvent['type'];
export type TicketEventOf<T extends TicketEventType> = Extract<TicketEvent, { type: T }>;

