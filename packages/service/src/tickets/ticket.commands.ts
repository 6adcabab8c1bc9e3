import { createHash, randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  domainError,
  isStaff,
  License,
  linkableOutage,
  outageDecider,
  ticketDecider,
  ticketExists,
  type NamedUser,
  type TicketCommand,
  type TicketCommandOf,
  type TicketState,
} from '@support-sla/domain';
import { Clock } from '../application/clock';
import { CommandExecutor, DomainRuleViolation, type CommandContext, type ExecutionResult } from '../application/command-executor';
import { formatTicketNumber, type TicketNumberAllocator } from '../application/ticket-number';
import type { AuthenticatedUser } from '../auth/token.service';
import type { StoredEvent } from '../event-store/event-store.port';
import { OUTAGE_BOARD_STREAM, ticketStream } from '../event-store/streams';
import { RequestValidationError } from '../http/validation';
import { TICKET_NUMBERS } from '../platform/tokens';
import { PolicyHistoryCache } from '../policies/policy-history';
import { actorOf, ticketIdOf, visibleTicket } from './ticket-access';
import type { OpenTicketBody } from './ticket.bodies';

/** `POST /tickets`. */
export class OpenTicketCommand extends Command<ExecutionResult<TicketState>> {
  constructor(
    readonly body: OpenTicketBody,
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(OpenTicketCommand)
export class OpenTicketHandler implements ICommandHandler<OpenTicketCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(TICKET_NUMBERS) private readonly numbers: TicketNumberAllocator,
    private readonly clock: Clock,
    private readonly policies: PolicyHistoryCache,
  ) {}

  async execute({ body, caller, context }: OpenTicketCommand): Promise<ExecutionResult<TicketState>> {
    const staff = isStaff(actorOf(caller));
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
    const policy = await this.policies.current();
    const now = this.clock.now().toISOString();
    const commandWith = (ticketNumber: string): TicketCommandOf<'OpenTicket'> => ({
      type: 'OpenTicket',
      now,
      actor: actorOf(caller),
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
    });
    const streamId = ticketStream(ticketId);
    const executionContext = { ...context, extraMetadata: { ...context.extraMetadata, organization } };
    const keyed = context.idempotencyKey !== undefined;
    if (keyed) {
      // A retry (on this replica or another) of an open that was stored: the executor answers
      // with what was stored, the stored ticket's number included. No number is claimed.
      const { state } = await this.executor.load(ticketDecider, streamId);
      if (ticketExists(state)) return this.executor.execute(ticketDecider, streamId, commandWith(state.ticketNumber), executionContext);
    }
    // A number is claimed only for an open that will be stored: the executor's checks (instants,
    // the pure decision on the new stream, the events reading back) run first with a stand-in
    // number, so a refused open (400, 422) claims nothing.
    const checked = this.executor.check(ticketDecider, commandWith(PROVISIONAL_NUMBER), ticketDecider.initialState);
    if (checked._tag === 'Left') throw new DomainRuleViolation(checked.left);
    const ticketNumber = await this.numbers.numberFor(ticketId, {
      correlationId: context.correlationId,
      causationId: context.causationId,
      actorId: context.actorId,
      actorRole: context.actorRole,
      occurredAt: now,
      ...(keyed ? { idempotencyKey: context.idempotencyKey } : {}),
    });
    // The stream is new: a random id nobody has written, or a keyed one just read empty. A keyed
    // retry racing on another replica may have stored the ticket since: its events have the same
    // ids (they derive from the key), so the store takes this append as a repeat and the executor
    // answers with what is stored, the other replica's number included (this one stays unused).
    return this.executor.execute(ticketDecider, streamId, commandWith(ticketNumber), executionContext, { newStream: true });
  }
}

/** Stands in for the number in the decision made before one is claimed (any valid number does). */
const PROVISIONAL_NUMBER = formatTicketNumber(1);

/** Ticket commands a person sends on an existing ticket (the mailer's records are in ticket-notices.ts). */
export type TicketAction = Exclude<TicketCommand['type'], 'OpenTicket' | 'RecordNotificationSent' | 'RaiseSlaAlert' | 'RecordSlaAlertSent'>;

/** Every other ticket command (`POST /tickets/{id}/…`): `data` is the body its route validated. */
export class TicketActionCommand<T extends TicketAction = TicketAction> extends Command<ExecutionResult<TicketState>> {
  constructor(
    readonly action: T,
    readonly ref: string,
    readonly data: Omit<TicketCommandOf<T>['data'], 'ticketId'>,
    readonly caller: AuthenticatedUser,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(TicketActionCommand)
export class TicketActionHandler implements ICommandHandler<TicketActionCommand> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(TICKET_NUMBERS) private readonly numbers: TicketNumberAllocator,
  ) {}

  async execute<T extends TicketAction>({ action, ref, data, caller, context }: TicketActionCommand<T>): Promise<ExecutionResult<TicketState>> {
    const ticketId = await ticketIdOf(this.numbers, ref);
    if (action === 'LinkTicketToOutage') {
      const { state: board } = await this.executor.load(outageDecider, OUTAGE_BOARD_STREAM);
      const linkable = linkableOutage(board, (data as unknown as { outageId: string }).outageId);
      if (linkable._tag === 'Left') throw new DomainRuleViolation(linkable.left);
    }
    // Visibility is checked on the state the command is decided on: one stream read per attempt.
    const build = (state: TicketState, now: string, stored: readonly StoredEvent[]) => {
      visibleTicket(ref, state, stored, caller);
      return { type: action, now, actor: actorOf(caller), data: { ...data, ticketId } } as TicketCommand;
    };
    // A link is re-decided on a conflict (the ticket changed meanwhile, typically on another
    // replica): the domain checks it again on the fresh ticket, and nobody chose it looking at
    // the state that changed. Every other action is a person's decision on what they saw: 409.
    return this.executor.execute(ticketDecider, ticketStream(ticketId), build, context, { redecide: action === 'LinkTicketToOutage' });
  }
}
