import * as t from 'io-ts';
import {
  Category,
  Channel,
  IsoInstant,
  NamedUser,
  PositiveInt,
  RequestDefinition,
  RequestDetails,
  Tier,
  TICKET_EVENT_CODECS,
} from '@support-sla/domain';
import { component, described } from '../io-ts-openapi';
import { freshness, Millis, nullable, written } from './common';

const TicketStatus = t.keyof({ open: null, resolved: null, closed: null }, 'TicketStatus');
/** The type of a ticket event. */
export const TicketEventType = t.keyof(
  Object.fromEntries(Object.keys(TICKET_EVENT_CODECS).map((k) => [k, null])) as { [K in keyof typeof TICKET_EVENT_CODECS]: null },
  'TicketEventType',
);

const Response = t.type({ definedAs: RequestDefinition, actionPlan: nullable(t.string) }, 'TicketResponse');

/** The public JSON shape of a ticket (`application/views.ts`): instants as ISO-8601 text. */
export const TicketView = component(
  t.type(
    {
      ticketId: described(t.string, 'The ticket id (`T-…`)'),
      ticketNumber: described(t.string, 'The ticket number people quote (`SS-000042`)'),
      status: TicketStatus,
      channel: Channel,
      tier: Tier,
      namedUser: NamedUser,
      request: RequestDetails,
      suggestedCategory: nullable(Category),
      category: described(nullable(Category), 'The category support staff classified it as (`null` until then)'),
      queue: described(t.string, 'The SLA queue, `<tier>:<class>` or `<tier>:unclassified`'),
      policyVersion: described(PositiveInt, 'The SLA policy version pinned when the ticket was opened'),
      receivedAt: described(IsoInstant, 'When the request was received: every SLA clock starts here'),
      openedAt: IsoInstant,
      classifiedAt: nullable(IsoInstant),
      reclassifications: t.number,
      acknowledgedAt: nullable(IsoInstant),
      respondedAt: nullable(IsoInstant),
      response: nullable(Response),
      awaitingCustomerSince: described(nullable(IsoInstant), 'Set while support waits on the customer'),
      customerWaits: described(t.array(t.type({ from: nullable(IsoInstant), to: nullable(IsoInstant) }, 'CustomerWait')), 'Completed waits on the customer, in order'),
      resolvedAt: nullable(IsoInstant),
      resolution: nullable(t.string),
      closedAt: nullable(IsoInstant),
      resolutionDetails: nullable(t.string),
      reopenCount: t.number,
      outageId: described(nullable(t.string), 'The outage the ticket is linked to'),
    },
    'TicketView',
  ),
  'A ticket as the service shows it',
);

const ClockName = t.keyof({ confirmation: null, response: null, resolution: null }, 'ClockName');
const ClockStatus = t.keyof({ running: null, paused: null, met: null, breached: null, 'at-risk': null }, 'ClockStatus');
const ClockCalendar = t.keyof({ support: null, outage: null }, 'ClockCalendar');

/** One SLA clock as of an instant (`ClockReport` of the domain). */
export const ClockReport = component(
  t.type(
    {
      clock: ClockName,
      calendar: described(ClockCalendar, 'Which calendar measures it: the support hours, or the outage calendar (24/7 by default)'),
      startedAt: IsoInstant,
      startedAtMs: Millis,
      deadline: described(nullable(IsoInstant), 'When the target is reached given the pauses so far; `null` for resolution (best effort, no target)'),
      deadlineMs: nullable(Millis),
      stoppedAt: nullable(IsoInstant),
      stoppedAtMs: nullable(Millis),
      targetMs: described(nullable(Millis), 'The target as business time; `null` for resolution'),
      businessTimeUsedMs: described(Millis, 'Business time counted against the target (pauses excluded)'),
      businessTimeRemainingMs: nullable(Millis),
      overdueMs: Millis,
      pausedTimeMs: described(Millis, 'Wall-clock time the clock stood still'),
      pausedBusinessTimeMs: Millis,
      status: ClockStatus,
      warningLevel: described(nullable(t.number), 'The highest warning fraction reached, or `null` below the first'),
    },
    'ClockReport',
  ),
  'One SLA clock of a ticket as of an instant. Durations are milliseconds.',
);

/** A ticket's three clocks as of an instant, under the policy version it pinned. */
export const TicketSla = component(
  t.type({ ticketId: t.string, policyVersion: PositiveInt, asOf: IsoInstant, confirmation: ClockReport, response: ClockReport, resolution: ClockReport }, 'TicketSla'),
);

/** `POST /tickets` and every `POST /tickets/{id}/…`. */
export const TicketCommandAnswer = component(
  t.type(
    {
      ticketId: nullable(t.string),
      ticketNumber: nullable(t.string),
      events: described(t.array(TicketEventType), 'The types of the events the command appended, in order (empty when it changed nothing)'),
      ...written,
      ticket: described(nullable(TicketView), 'The ticket after the command'),
    },
    'TicketCommandAnswer',
  ),
  'What a ticket command wrote, and the position to wait for on the read side',
);

/** `GET /tickets/{id}`. */
export const TicketDetails = component(t.type({ ticket: TicketView, sla: TicketSla, asOf: IsoInstant, ...freshness }, 'TicketDetails'));

const TimelineClock = component(
  t.type(
    {
      status: ClockStatus,
      calendar: ClockCalendar,
      startedAt: IsoInstant,
      deadline: nullable(IsoInstant),
      stoppedAt: nullable(IsoInstant),
      businessTimeUsedMs: Millis,
      businessTimeRemainingMs: nullable(Millis),
      pausedTimeMs: Millis,
    },
    'TimelineClock',
  ),
);

const TimelineEntry = component(
  t.intersection([
    t.type({
      revision: t.number,
      globalPosition: t.string,
      eventId: t.string,
      type: TicketEventType,
      occurredAt: described(IsoInstant, 'When it happened'),
      recordedAt: described(IsoInstant, 'When the service stored it'),
      recordedAfterMs: described(Millis, '`recordedAt − occurredAt`: large for a phone message entered late'),
      actorId: t.string,
      actorRole: t.string,
      correlationId: t.string,
      causationId: t.string,
      ticketStatus: TicketStatus,
      queue: t.string,
      sla: described(
        t.type({ confirmation: TimelineClock, response: TimelineClock, resolution: TimelineClock }, 'TimelineSla'),
        "Clocks as of the event's own time, under the ticket's pinned policy",
      ),
    }),
    t.partial({ note: described(t.string, 'An SLA alert raised or delivered, in words; absent for other events') }),
  ], 'TimelineEntry'),
  'One event of the ticket’s history and the SLA state right after it',
);

/** `GET /tickets/{id}/history`. */
export const TicketHistory = component(
  t.type({ ticketId: t.string, ticketNumber: nullable(t.string), policyVersion: nullable(PositiveInt), entries: t.array(TimelineEntry), ...freshness }, 'TicketHistory'),
  'The audit timeline of a ticket',
);

const Interval = t.type({ fromMs: Millis, toMs: Millis }, 'Interval');

const RaisedSlaAlert = t.type(
  {
    clock: t.keyof({ confirmation: null, response: null }),
    level: described(t.string, "`breach`, or the warning fraction reached (`'0.75'`)"),
    dueAtMs: Millis,
    raisedAtMs: Millis,
    sentAtMs: described(t.type({ email: nullable(Millis), webhook: nullable(Millis) }), 'When it was delivered on each channel, as recorded'),
  },
  'RaisedSlaAlert',
);

/** The ticket aggregate's state (`Ticket` of the domain): instants as epoch milliseconds. */
export const TicketState = component(
  t.type(
    {
      status: TicketStatus,
      ticketId: t.string,
      ticketNumber: t.string,
      channel: Channel,
      namedUser: NamedUser,
      tier: Tier,
      request: RequestDetails,
      suggestedCategory: nullable(Category),
      policyVersion: PositiveInt,
      openedAtMs: Millis,
      receivedAtMs: Millis,
      category: nullable(Category),
      classifiedAtMs: nullable(Millis),
      reclassifications: t.number,
      queue: t.string,
      acknowledgedAtMs: nullable(Millis),
      respondedAtMs: nullable(Millis),
      response: nullable(Response),
      awaitingCustomerSinceMs: nullable(Millis),
      customerWaits: t.array(Interval),
      resolvedAtMs: nullable(Millis),
      resolution: nullable(t.string),
      reopenGaps: described(t.array(Interval), 'Spans between a resolution and a reopening: excluded from the resolution measure'),
      closedAtMs: nullable(Millis),
      resolutionDetails: nullable(t.string),
      reopenCount: t.number,
      outageId: nullable(t.string),
      outageSinceMs: nullable(Millis),
      outageRestoredAtMs: nullable(Millis),
      slaAlerts: described(t.array(RaisedSlaAlert), 'The SLA alerts raised on the ticket, once per clock and level'),
      lastEventAtMs: Millis,
    },
    'TicketState',
  ),
  'The ticket aggregate’s state as the domain folds it (instants as epoch milliseconds)',
);

const LateEntry = t.type({ revision: t.number, type: TicketEventType, occurredAt: IsoInstant, recordedAt: IsoInstant }, 'LateEntry');

/** `GET /tickets/{id}/sla`. */
export const TicketAsOf = component(
  t.type(
    {
      ticketId: t.string,
      asOf: IsoInstant,
      reading: described(t.keyof({ occurred: null, recorded: null }, 'Reading'), '`occurred`: what had happened by `asOf`; `recorded`: what the service knew by then'),
      state: described(nullable(TicketState), '`null` if the ticket did not exist yet'),
      sla: described(nullable(TicketSla), '`null` if the ticket did not exist yet'),
      eventsApplied: t.number,
      lastRevision: nullable(t.number),
      lateEntries: described(t.array(LateEntry), 'Events that had happened by `asOf` but were recorded after it'),
      ...freshness,
    },
    'TicketAsOf',
  ),
  'A ticket’s state and clocks as of an instant',
);
