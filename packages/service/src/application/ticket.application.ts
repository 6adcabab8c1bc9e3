import { createHash, randomUUID } from 'node:crypto';
import {
  domainError,
  isRequester,
  isStaff,
  License,
  linkableOutage,
  outageDecider,
  ticketDecider,
  ticketExists,
  type Actor,
  type NamedUser,
  type SlaPolicy,
  type Ticket,
  type TicketCommand,
  type TicketCommandOf,
  type TicketState,
} from '@support-sla/domain';
import type { EnvelopedEvent } from '@support-sla/projections';
import { envelopeOf, toDomainEvent } from './event-mapping';
import { CommandExecutor, DomainRuleViolation, type CommandContext, type ExecutionResult } from './command-executor';
import type { StoredEvent } from '../event-store/event-store.port';
import { OUTAGE_BOARD_STREAM, ticketStream } from '../event-store/streams';
import { TICKET_NUMBER_PREFIX, type TicketNumberAllocator } from './ticket-number';
import { RequestValidationError } from '../http/validation';
import type { AuthenticatedUser } from '../auth/token.service';

type OpenTicketData = TicketCommandOf<'OpenTicket'>['data'];

/**
 * What a request to open a ticket carries (the HTTP body decodes to it): the channel and the
 * request, and, from staff only, the named user, their organization and the receipt time.
 */
export type OpenTicketRequest = Pick<OpenTicketData, 'channel' | 'request'> &
  Partial<Pick<OpenTicketData, 'namedUser' | 'receivedAt' | 'suggestedCategory'>> & { readonly organization?: string };

/** The ticket was not found, or the caller may not know that it exists (HTTP 404). */
export class TicketNotFoundError extends Error {
  override readonly name = 'TicketNotFoundError';
  constructor(readonly ref: string) {
    super(`ticket ${ref} not found`);
  }
}

/** Ticket commands a person sends over HTTP (the mailer's records have their own methods). */
export type TicketAction = Exclude<TicketCommand['type'], 'OpenTicket' | 'RecordNotificationSent'>;

/** The service's mailer acts as support staff when it records a sent confirmation. */
export const MAILER_ACTOR: Actor = { id: 'system:mailer', role: 'agent' };

/**
 * The ticket use cases, framework-free: map an authenticated request to a domain command,
 * run it through the {@link CommandExecutor}, and enforce who may see which ticket
 * (requesters only their own; the rest of the rules live in the domain).
 */
export class TicketApplication {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly numbers: TicketNumberAllocator,
    private readonly clock: () => Date,
    /** The policy in force (the service passes PolicyApplication's cached reading). */
    private readonly policyInForce: () => Promise<SlaPolicy>,
  ) {}

  actorOf(caller: AuthenticatedUser): Actor {
    return { id: caller.id, role: caller.role };
  }

  /** The ticket id behind a ticket id or number (404 when there is none). */
  private async ticketIdOf(ref: string): Promise<string> {
    const ticketId = ref.startsWith(TICKET_NUMBER_PREFIX) ? await this.numbers.ticketIdOf(ref) : ref;
    if (ticketId === undefined) throw new TicketNotFoundError(ref);
    return ticketId;
  }

  /**
   * The ticket in a loaded stream, or 404 — also for a requester who is not its named user in
   * its organization, so that existence does not leak.
   */
  private visibleTicket(ref: string, state: TicketState, stored: readonly StoredEvent[], caller: AuthenticatedUser): Ticket {
    if (!ticketExists(state)) throw new TicketNotFoundError(ref);
    const org = stored[0]?.metadata['organization'];
    if (isRequester(this.actorOf(caller)) && (state.namedUser.id !== caller.id || org !== caller.org)) {
      throw new TicketNotFoundError(ref);
    }
    return state;
  }

  /** Resolves a ticket id or number to the ticket, hiding other people's tickets from requesters. */
  async find(ref: string, caller: AuthenticatedUser): Promise<{ ticketId: string; ticket: Ticket }> {
    const ticketId = await this.ticketIdOf(ref);
    const { state, stored } = await this.executor.load(ticketDecider, ticketStream(ticketId));
    return { ticketId, ticket: this.visibleTicket(ref, state, stored, caller) };
  }

  /** The ticket's stored events with their envelopes, for the audit timeline and as-of views. */
  async history(ref: string, caller: AuthenticatedUser): Promise<{ ticketId: string; events: EnvelopedEvent[] }> {
    const ticketId = await this.ticketIdOf(ref);
    const { state, stored } = await this.executor.load(ticketDecider, ticketStream(ticketId));
    this.visibleTicket(ref, state, stored, caller);
    return { ticketId, events: stored.map((s) => ({ event: toDomainEvent(s), envelope: envelopeOf(s) })) };
  }

  async open(body: OpenTicketRequest, caller: AuthenticatedUser, context: CommandContext): Promise<ExecutionResult<TicketState>> {
    const staff = isStaff(this.actorOf(caller));
    if (!staff && (body.namedUser !== undefined || body.receivedAt !== undefined || body.organization !== undefined)) {
      throw new DomainRuleViolation(
        domainError('NOT_PERMITTED', 'Only support staff may open a ticket on behalf of a named user, for an organization, or with a receipt time.'),
      );
    }
    // Staff opening for a customer name the customer's organization: the ticket belongs to it, so
    // the customer finds it and another organization's requester with the same id does not.
    if (staff && body.namedUser !== undefined && body.organization === undefined) {
      throw new RequestValidationError('body', [{ field: 'organization', message: "is required with namedUser: the named user's organization" }]);
    }
    const organization = staff && body.organization !== undefined ? body.organization : caller.org;
    let namedUser: NamedUser;
    if (body.namedUser !== undefined) {
      namedUser = body.namedUser;
    } else if (License.is(caller.role) && caller.email !== undefined) {
      namedUser = { id: caller.id, email: caller.email, license: caller.role, ...(caller.name ? { name: caller.name } : {}) };
    } else if (License.is(caller.role)) {
      throw new DomainRuleViolation(domainError('INSUFFICIENT_INFORMATION', 'The token carries no e-mail address for the named user.'));
    } else {
      throw new DomainRuleViolation(domainError('INSUFFICIENT_INFORMATION', 'Staff must name the user the ticket is for (namedUser).'));
    }
    // A keyed request always names the same ticket, so a retry finds what the first attempt wrote.
    const ticketId =
      context.idempotencyKey === undefined
        ? `T-${randomUUID()}`
        : `T-${createHash('sha256').update(`${caller.org}\u0000${caller.id}\u0000${context.idempotencyKey}`).digest('hex').slice(0, 32)}`;
    const policy = await this.policyInForce();
    const ticketNumber = await this.numbers.numberFor(ticketId);
    const command: TicketCommandOf<'OpenTicket'> = {
      type: 'OpenTicket',
      now: this.clock().toISOString(),
      actor: this.actorOf(caller),
      data: {
        ticketId,
        ticketNumber,
        channel: body.channel,
        namedUser,
        request: body.request,
        policy,
        ...(body.receivedAt === undefined ? {} : { receivedAt: body.receivedAt }),
        ...(body.suggestedCategory === undefined ? {} : { suggestedCategory: body.suggestedCategory }),
      },
    };
    return this.executor.execute(
      ticketDecider,
      ticketStream(ticketId),
      command,
      { ...context, extraMetadata: { ...context.extraMetadata, organization } },
      // A random ticket id names a stream nobody has written yet; a keyed one may be a retry.
      { newStream: context.idempotencyKey === undefined },
    );
  }

  /**
   * The mailer's record that the confirmation e-mail went out (`at`: when the mail server
   * accepted it). Keyed by ticket, so a repeated call appends nothing.
   */
  recordConfirmationSent(ticketId: string, at: string, messageId: string): Promise<ExecutionResult<TicketState>> {
    return this.recordMail('AcknowledgeTicket', { ticketId, automatic: true, messageId }, at, messageId, `confirmation-sent:${ticketId}`);
  }

  /**
   * The mailer's record that a resolution or restoration e-mail went out; once per Message-ID.
   * A restoration notice carries `restoredAt` (when the outage ended): the domain counts it as
   * the linked ticket's confirmation and response.
   */
  recordNotificationSent(
    ticketId: string,
    purpose: 'resolution' | 'outage-restored',
    at: string,
    messageId: string,
    restoredAt?: string,
  ): Promise<ExecutionResult<TicketState>> {
    return this.recordMail(
      'RecordNotificationSent',
      { ticketId, purpose, messageId, ...(restoredAt === undefined ? {} : { restoredAt }) },
      at,
      messageId,
      `notification-sent:${messageId}`,
    );
  }

  /**
   * A mailer record, dated when the mail server accepted the e-mail (`at`), and keyed so that a
   * repeat is a no-op. Only if the ticket has an event later than that (recorded between the
   * acceptance and this record) is it dated at that event instead, the earliest instant the
   * ticket's history, which moves forward in time, allows. Never "now": a record retried later
   * keeps the acceptance time.
   */
  private recordMail<T extends 'AcknowledgeTicket' | 'RecordNotificationSent'>(
    type: T,
    data: TicketCommandOf<T>['data'],
    at: string,
    messageId: string,
    idempotencyKey: string,
  ): Promise<ExecutionResult<TicketState>> {
    const actor = MAILER_ACTOR;
    const build = (state: TicketState) =>
      ({ type, now: ticketExists(state) && Date.parse(at) < state.lastEventAtMs ? new Date(state.lastEventAtMs).toISOString() : at, actor, data }) as TicketCommandOf<T>;
    return this.executor.execute(ticketDecider, ticketStream(data.ticketId), build, {
      actorId: actor.id,
      actorRole: actor.role,
      correlationId: messageId,
      causationId: messageId,
      idempotencyKey,
    });
  }

  /** Any command on an existing ticket; `data` is the body plus the ticket id. */
  async act<T extends TicketAction>(
    type: T,
    ref: string,
    data: Omit<TicketCommandOf<T>['data'], 'ticketId'>,
    caller: AuthenticatedUser,
    context: CommandContext,
  ): Promise<ExecutionResult<TicketState>> {
    const ticketId = await this.ticketIdOf(ref);
    if (type === 'LinkTicketToOutage') {
      const outageId = (data as unknown as { outageId: string }).outageId;
      const { state: board } = await this.executor.load(outageDecider, OUTAGE_BOARD_STREAM);
      const linkable = linkableOutage(board, outageId);
      if (linkable._tag === 'Left') throw new DomainRuleViolation(linkable.left);
    }
    const actor = this.actorOf(caller);
    // Visibility is checked on the state the command is decided on: one stream read per attempt.
    const build = (state: TicketState, now: string, stored: readonly StoredEvent[]) => {
      this.visibleTicket(ref, state, stored, caller);
      return { type, now, actor, data: { ...data, ticketId } } as TicketCommandOf<T>;
    };
    return this.executor.execute(ticketDecider, ticketStream(ticketId), build, context);
  }
}
