import * as E from 'fp-ts/Either';
import { isRequester, isStaff, type Actor } from '../shared/actor';
import { needsReproduction, tierForLicense, type Category } from '../shared/agreement';
import { invalidInstant, lateEntryInstant } from '../shared/instants';
import { domainError, type DomainError } from '../shared/errors';
import { fromMillis, toMillis } from '../shared/primitives';
import type { TicketCommand, TicketCommandOf } from './ticket.commands';
import type { RequestDetails, TicketEvent, TicketEventOf } from './ticket.events';
import { alertStillDue } from '../sla/alert-points';
import { queueOf, raisedSlaAlert, ticketExists, type Ticket, type TicketState } from './ticket.state';

/** The instants TicketCommands carry besides `now`. */
const INSTANT_FIELDS = ['receivedAt', 'occurredAt', 'restoredAt', 'dueAt'];

type Decision = E.Either<DomainError, readonly TicketEvent[]>;

const NOTHING: Decision = E.right([]);
const fail = (error: DomainError): Decision => E.left(error);

const isBlank = (s: string | undefined): boolean => s === undefined || s.trim() === '';
/** Blank, or only punctuation and symbols ("-", "...", "?!"): says nothing. */
const saysNothing = (s: string | undefined): boolean => s === undefined || /^[\p{P}\p{S}\p{Z}\s]*$/u.test(s);

/**
 * When the fact happened: `occurredAt` for staff recording it after the fact (not in the future,
 * not before the ticket's previous event), else the command's `now`.
 */
const occurredAt = (command: Exclude<TicketCommand, { type: 'OpenTicket' }>, ticket: Ticket): E.Either<DomainError, string> => {
  const given = (command.data as { occurredAt?: string }).occurredAt;
  if (given !== undefined && !isStaff(command.actor)) {
    return E.left(domainError('NOT_PERMITTED', 'Only support staff may record when something happened (occurredAt).'));
  }
  return lateEntryInstant(command.now, given, ticket.lastEventAtMs, `the ticket's previous event (${fromMillis(ticket.lastEventAtMs)})`);
};

const staffOnly = (actor: Actor, what: string): DomainError | null =>
  isStaff(actor) ? null : domainError('NOT_PERMITTED', `Only support staff may ${what} (actor role: ${actor.role}).`);

const staffOrNamedUser = (actor: Actor, ticket: Ticket, what: string): DomainError | null =>
  isStaff(actor) || (isRequester(actor) && actor.id === ticket.namedUser.id)
    ? null
    : domainError('NOT_PERMITTED', `Only support staff or the ticket's named user may ${what}.`);

const missingReproduction = (request: RequestDetails, category: Category): DomainError | null => {
  if (!needsReproduction(category)) return null;
  const missing = [
    request.stepsToReproduce === undefined ? 'steps to reproduce' : null,
    request.usersAffected === undefined ? 'the number of users affected' : null,
  ].filter((m): m is string => m !== null);
  return missing.length === 0
    ? null
    : domainError('INSUFFICIENT_INFORMATION', `An error or bug (${category}) needs ${missing.join(' and ')}.`);
};

const notClassified = (ticket: Ticket, what: string): DomainError | null =>
  ticket.category === null
    ? domainError('NOT_CLASSIFIED', `Classify ticket ${ticket.ticketNumber} before ${what}: every request is assigned a type and an SLA queue.`)
    : null;

const openTicket = (command: TicketCommandOf<'OpenTicket'>, state: TicketState): Decision => {
  const { actor, data } = command;
  if (ticketExists(state)) return fail(domainError('TICKET_ALREADY_EXISTS', `Ticket ${state.ticketNumber} already exists.`));
  const nowMs = toMillis(command.now);
  const receivedAt = data.receivedAt ?? command.now;
  if (isRequester(actor)) {
    if (actor.id !== data.namedUser.id) {
      return fail(domainError('NOT_PERMITTED', 'A requester may only open tickets for themselves.'));
    }
    if (data.receivedAt !== undefined && toMillis(data.receivedAt) !== nowMs) {
      return fail(domainError('NOT_PERMITTED', 'Only support staff may record an earlier receipt time.'));
    }
  } else if (!isStaff(actor)) {
    return fail(domainError('NOT_PERMITTED', `A ${actor.role} may not open tickets.`));
  }
  if (toMillis(receivedAt) > nowMs) {
    return fail(domainError('RECEIVED_IN_FUTURE', `The request cannot be received (${receivedAt}) after it is recorded (${command.now}).`));
  }
  const tier = tierForLicense(data.namedUser.license);
  const entitlement = data.policy.entitlements[tier];
  if (!entitlement.channels.includes(data.channel)) {
    return fail(domainError('CHANNEL_NOT_ENTITLED', `The ${tier} tier does not include the ${data.channel} channel.`));
  }
  if (data.suggestedCategory !== undefined) {
    const missing = missingReproduction(data.request, data.suggestedCategory);
    if (missing !== null) return fail(missing);
  }
  const base = { ticketId: data.ticketId, at: command.now, by: actor };
  const opened: TicketEventOf<'TicketOpened'> = {
    type: 'TicketOpened',
    schemaVersion: 1,
    data: {
      ...base,
      ticketNumber: data.ticketNumber,
      receivedAt,
      channel: data.channel,
      namedUser: data.namedUser,
      tier,
      request: data.request,
      policyVersion: data.policy.version,
      ...(data.suggestedCategory !== undefined ? { suggestedCategory: data.suggestedCategory } : {}),
    },
  };
  const queued: TicketEventOf<'TicketQueued'> = {
    type: 'TicketQueued',
    schemaVersion: 1,
    data: { ...base, queue: queueOf({ tier, category: null, outageId: null, suggestedCategory: null }) },
  };
  // The confirmation is not part of opening: it is recorded when the e-mail actually goes out
  // (by the host's mailer under `confirmation: 'automatic'`, or by an agent), so the
  // confirmation clock measures the real delay, including a mail server being down.
  return E.right([opened, queued]);
};

const classify = (command: TicketCommandOf<'ClassifyTicket'>, ticket: Ticket): Decision => {
  const denied = staffOnly(command.actor, 'classify tickets');
  if (denied !== null) return fail(denied);
  const { data } = command;
  const supplement = {
    ...(data.stepsToReproduce !== undefined && data.stepsToReproduce !== ticket.request.stepsToReproduce
      ? { stepsToReproduce: data.stepsToReproduce }
      : {}),
    ...(data.usersAffected !== undefined && data.usersAffected !== ticket.request.usersAffected
      ? { usersAffected: data.usersAffected }
      : {}),
  };
  const changesInfo = Object.keys(supplement).length > 0;
  if (ticket.category === data.category && !changesInfo) return NOTHING;
  const reclassified = ticket.category !== null && ticket.category !== data.category;
  if (reclassified && isBlank(data.reason)) {
    return fail(domainError('MISSING_RECLASSIFICATION_REASON', `Reclassifying from ${ticket.category} needs a reason.`));
  }
  const missing = missingReproduction({ ...ticket.request, ...supplement }, data.category);
  if (missing !== null) return fail(missing);
  const base = { ticketId: ticket.ticketId, at: command.now, by: command.actor };
  const events: TicketEvent[] = [
    {
      type: 'TicketClassified',
      schemaVersion: 1,
      data: {
        ...base,
        category: data.category,
        reclassified,
        ...(ticket.category !== null && reclassified ? { previousCategory: ticket.category } : {}),
        ...(data.reason !== undefined ? { reason: data.reason } : {}),
        ...supplement,
      },
    },
  ];
  const queue = queueOf({ ...ticket, category: data.category });
  if (queue !== ticket.queue) events.push({ type: 'TicketQueued', schemaVersion: 1, data: { ...base, queue } });
  return E.right(events);
};

const acknowledgement = (command: TicketCommand, ticket: Ticket, at: string): TicketEventOf<'TicketAcknowledged'> => {
  const sent: { automatic?: boolean; messageId?: string } = command.type === 'AcknowledgeTicket' ? command.data : {};
  return {
    type: 'TicketAcknowledged',
    schemaVersion: 1,
    data: {
      ticketId: ticket.ticketId,
      at,
      by: command.actor,
      automatic: sent.automatic ?? false,
      notifyEmail: ticket.namedUser.email,
      ...(sent.messageId !== undefined ? { messageId: sent.messageId } : {}),
    },
  };
};

const respond = (command: TicketCommandOf<'RespondToTicket'>, ticket: Ticket, at: string): Decision => {
  const denied = staffOnly(command.actor, 'respond to tickets');
  if (denied !== null) return fail(denied);
  // A restoration notice stopped the clock but defined nothing: the defining response still comes.
  if (ticket.response !== null) return NOTHING;
  if (ticket.category === null && ticket.outageId === null) {
    return fail(domainError('NOT_CLASSIFIED', 'Classify the ticket before responding: the response defines the request.'));
  }
  const { data } = command;
  let definedAs: 'support-ticket' | 'support-item' | 'project';
  if (ticket.tier === 'premium') {
    if (saysNothing(data.actionPlan)) return fail(domainError('MISSING_ACTION_PLAN', 'A Premium response must carry an action plan (words, not only punctuation).'));
    definedAs = 'support-ticket';
  } else {
    if (data.definedAs !== 'support-item' && data.definedAs !== 'project') {
      return fail(domainError('MISSING_REQUEST_DEFINITION', 'A Professional response defines the request as a support item or a project.'));
    }
    definedAs = data.definedAs;
  }
  const events: TicketEvent[] = ticket.acknowledgedAtMs === null ? [acknowledgement(command, ticket, at)] : [];
  const contacted =
    data.contactedEmail === undefined
      ? { email: ticket.namedUser.email, ...(ticket.namedUser.name !== undefined ? { name: ticket.namedUser.name } : {}) }
      : { email: data.contactedEmail, ...(data.contactedName !== undefined ? { name: data.contactedName } : {}) };
  events.push({
    type: 'TicketResponded',
    schemaVersion: 1,
    data: {
      ticketId: ticket.ticketId,
      at,
      by: command.actor,
      message: data.message,
      definedAs,
      ...(!saysNothing(data.actionPlan) && data.actionPlan !== undefined ? { actionPlan: data.actionPlan } : {}),
      contacted,
      via: data.via ?? 'email',
    },
  });
  return E.right(events);
};

const decideOnTicket = (command: Exclude<TicketCommand, { type: 'OpenTicket' }>, ticket: Ticket): Decision => {
  const when = occurredAt(command, ticket);
  if (E.isLeft(when)) return when;
  const at = when.right;
  const base = { ticketId: ticket.ticketId, at, by: command.actor };
  const closedError = domainError('TICKET_ALREADY_CLOSED', `Ticket ${ticket.ticketNumber} is closed.`);
  switch (command.type) {
    case 'ClassifyTicket':
      return ticket.status === 'closed' && isStaff(command.actor) ? fail(closedError) : classify(command, ticket);
    case 'AcknowledgeTicket': {
      const denied = staffOnly(command.actor, 'acknowledge tickets');
      if (denied !== null) return fail(denied);
      if (ticket.acknowledgedAtMs !== null) return NOTHING;
      return ticket.status === 'closed' ? fail(closedError) : E.right([acknowledgement(command, ticket, at)]);
    }
    case 'RespondToTicket':
      return ticket.status === 'closed' && isStaff(command.actor) ? fail(closedError) : respond(command, ticket, at);
    case 'AwaitCustomer': {
      const denied = staffOnly(command.actor, 'put a ticket on hold for the customer');
      if (denied !== null) return fail(denied);
      if (ticket.status === 'closed') return fail(closedError);
      if (ticket.status === 'resolved') return fail(domainError('NOT_PERMITTED', 'A resolved ticket is not waiting on anyone; reopen it first.'));
      if (ticket.awaitingCustomerSinceMs !== null) return NOTHING;
      return E.right([{ type: 'TicketAwaitingCustomer', schemaVersion: 1, data: { ...base, reason: command.data.reason } }]);
    }
    case 'RecordCustomerReply': {
      const denied = staffOrNamedUser(command.actor, ticket, 'reply as the customer');
      if (denied !== null) return fail(denied);
      if (ticket.awaitingCustomerSinceMs === null) return NOTHING;
      const message = command.data.message;
      return E.right([{ type: 'CustomerReplied', schemaVersion: 1, data: { ...base, ...(message !== undefined ? { message } : {}) } }]);
    }
    case 'ResolveTicket': {
      const denied = staffOnly(command.actor, 'resolve tickets');
      if (denied !== null) return fail(denied);
      if (ticket.status === 'closed') return fail(closedError);
      if (ticket.status === 'resolved') return NOTHING;
      const unclassified = notClassified(ticket, 'resolving it');
      if (unclassified !== null) return fail(unclassified);
      const resolution = command.data.resolution;
      return E.right([{ type: 'TicketResolved', schemaVersion: 1, data: { ...base, ...(resolution !== undefined ? { resolution } : {}) } }]);
    }
    case 'CloseTicket': {
      const denied = staffOnly(command.actor, 'close tickets');
      if (denied !== null) return fail(denied);
      if (ticket.status === 'closed') return NOTHING;
      if (ticket.status !== 'resolved') return fail(domainError('NOT_RESOLVED', 'Only a resolved ticket can be closed.'));
      const unclassified = notClassified(ticket, 'closing it');
      if (unclassified !== null) return fail(unclassified);
      const given = command.data.resolutionDetails;
      const resolutionDetails = given !== undefined && !isBlank(given) ? given : ticket.resolution;
      if (resolutionDetails === null) {
        return fail(domainError('MISSING_RESOLUTION_DETAILS', 'Closing e-mails the resolution to the named contact: give resolution details.'));
      }
      return E.right([
        { type: 'TicketClosed', schemaVersion: 1, data: { ...base, resolutionDetails, notifyEmail: ticket.namedUser.email } },
      ]);
    }
    case 'ReopenTicket': {
      const denied = staffOrNamedUser(command.actor, ticket, 'reopen the ticket');
      if (denied !== null) return fail(denied);
      if (ticket.status === 'open') return NOTHING;
      return E.right([{ type: 'TicketReopened', schemaVersion: 1, data: { ...base, reason: command.data.reason } }]);
    }
    case 'LinkTicketToOutage': {
      const denied = staffOnly(command.actor, 'link tickets to outages');
      if (denied !== null) return fail(denied);
      if (ticket.status === 'closed') return fail(closedError);
      if (ticket.outageId === command.data.outageId) return NOTHING;
      if (ticket.outageId !== null) {
        return fail(domainError('LINKED_TO_ANOTHER_OUTAGE', `Ticket ${ticket.ticketNumber} is already linked to outage ${ticket.outageId}.`));
      }
      const events: TicketEvent[] = [{ type: 'TicketLinkedToOutage', schemaVersion: 1, data: { ...base, outageId: command.data.outageId } }];
      const queue = queueOf({ ...ticket, outageId: command.data.outageId });
      if (queue !== ticket.queue) events.push({ type: 'TicketQueued', schemaVersion: 1, data: { ...base, queue } });
      return E.right(events);
    }
    case 'RecordNotificationSent': {
      // A record of a fact (the e-mail went out), so it is accepted in any status, closed included.
      const denied = staffOnly(command.actor, 'record sent notifications');
      if (denied !== null) return fail(denied);
      const { purpose, messageId, restoredAt } = command.data;
      return E.right([
        {
          type: 'TicketNotificationSent',
          schemaVersion: 1,
          data: { ...base, purpose, messageId, to: ticket.namedUser.email, ...(restoredAt !== undefined ? { restoredAt } : {}) },
        },
      ]);
    }
    case 'RaiseSlaAlert': {
      // Like the records of what went out, accepted in any status: a breach stays a fact.
      const denied = staffOnly(command.actor, 'raise SLA alerts');
      if (denied !== null) return fail(denied);
      const { clock, level, dueAt, policy } = command.data;
      if (policy.version !== ticket.policyVersion) {
        return fail(domainError('POLICY_VERSION_CONFLICT', `Ticket ${ticket.ticketNumber} pinned policy version ${ticket.policyVersion}, not ${policy.version}.`));
      }
      const dueAtMs = toMillis(dueAt);
      if (dueAtMs > toMillis(at)) {
        return fail(domainError('OCCURRED_IN_FUTURE', `An SLA alert due at ${dueAt} cannot be raised before then (${at}).`));
      }
      // Once per clock and level; and only while it holds on the history as it is now (a clock
      // stopped or paused since, or a ticket no longer open, makes a warning stale).
      if (raisedSlaAlert(ticket, clock, level) !== undefined) return NOTHING;
      if (!alertStillDue(ticket, policy, { clock, level, dueAtMs })) return NOTHING;
      return E.right([{ type: 'TicketSlaAlertRaised', schemaVersion: 1, data: { ...base, clock, level, dueAt: fromMillis(dueAtMs) } }]);
    }
    case 'RecordSlaAlertSent': {
      const denied = staffOnly(command.actor, 'record sent SLA alerts');
      if (denied !== null) return fail(denied);
      const { clock, level, channel, to, messageId } = command.data;
      const alert = raisedSlaAlert(ticket, clock, level);
      if (alert === undefined) {
        return fail(domainError('SLA_ALERT_NOT_RAISED', `No ${level} alert of the ${clock} clock was raised on ticket ${ticket.ticketNumber}.`));
      }
      if (alert.sentAtMs[channel] !== null) return NOTHING;
      return E.right([
        { type: 'TicketSlaAlertSent', schemaVersion: 1, data: { ...base, clock, level, channel, to, ...(messageId !== undefined ? { messageId } : {}) } },
      ]);
    }
  }
};

/** Decides what a ticket command changes, or why it is refused. */
export const decideTicket = (command: TicketCommand, state: TicketState): Decision => {
  const invalid = invalidInstant(command, INSTANT_FIELDS);
  if (invalid !== null) return fail(invalid);
  if (command.type === 'OpenTicket') return openTicket(command, state);
  if (!ticketExists(state)) return fail(domainError('TICKET_NOT_FOUND', `Ticket ${command.data.ticketId} does not exist.`));
  if (toMillis(command.now) < state.lastEventAtMs) {
    return fail(
      domainError('TIME_BEFORE_LAST_EVENT', `Command issued at ${command.now}, before the ticket's latest event; history is append-only.`),
    );
  }
  return decideOnTicket(command, state);
};
