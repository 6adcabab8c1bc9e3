import { Inject, Injectable } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ticketSla, type SlaPolicy, type TicketSla } from '@support-sla/domain';
import { auditTimeline, slaContextOf, ticketAsOf, type AsOfReading, type AuditTimeline, type EnvelopedEvent, type TicketAsOf } from '@support-sla/projections';
import { CommandExecutor } from '../application/command-executor';
import { envelopeOf, toDomainEvent } from '../application/event-mapping';
import { ReadModelsHost } from '../application/read-models.host';
import type { TicketNumberAllocator } from '../application/ticket-number';
import { positionText, ticketView, type Freshness, type TicketView } from '../application/views';
import type { AuthenticatedUser } from '../auth/token.service';
import type { StoredEvent } from '../event-store/event-store.port';
import { TICKET_NUMBERS } from '../platform/tokens';
import { PolicyHistoryCache } from '../policies/policy-history';
import { readTicket } from './ticket-access';

// http/responses/conformance.ts checks the declared response schemas against this name.
export type { Freshness };

export interface TicketDetails extends Freshness {
  readonly ticket: TicketView;
  readonly sla: TicketSla;
  readonly asOf: string;
}

export class GetTicketQuery extends Query<TicketDetails> {
  constructor(
    readonly ref: string,
    readonly caller: AuthenticatedUser,
    readonly asOf: string,
  ) {
    super();
  }
}

export class GetTicketHistoryQuery extends Query<AuditTimeline & Freshness> {
  constructor(
    readonly ref: string,
    readonly caller: AuthenticatedUser,
  ) {
    super();
  }
}

export class GetTicketAsOfQuery extends Query<TicketAsOf & Freshness> {
  constructor(
    readonly ref: string,
    readonly caller: AuthenticatedUser,
    readonly asOf: string,
    readonly reading: AsOfReading,
  ) {
    super();
  }
}

const knownPolicies = async (policies: PolicyHistoryCache): Promise<SlaPolicy[]> =>
  (await policies.history()).versions.map((v) => v.policy);

/** The ticket's stored events with their envelopes, for the audit timeline and as-of views. */
const historyOf = (stored: readonly StoredEvent[]): EnvelopedEvent[] => stored.map((s) => ({ event: toDomainEvent(s), envelope: envelopeOf(s) }));

/** What every ticket read is given (the handlers below inherit the constructor and its injections). */
@Injectable()
abstract class TicketReader {
  constructor(
    protected readonly executor: CommandExecutor,
    @Inject(TICKET_NUMBERS) protected readonly numbers: TicketNumberAllocator,
    protected readonly policies: PolicyHistoryCache,
    protected readonly readModels: ReadModelsHost,
  ) {}
}

/**
 * Ticket reads go to the ticket's own stream (exact and immediately consistent), and run the
 * projections package's pure folds over it, so the service and the auditor's CLI agree.
 */
@QueryHandler(GetTicketQuery)
export class GetTicketHandler extends TicketReader implements IQueryHandler<GetTicketQuery> {
  async execute(q: GetTicketQuery): Promise<TicketDetails> {
    const { ticket } = await readTicket(this.executor, this.numbers, q.ref, q.caller);
    const history = await this.policies.history();
    const policy = history.versions.find((v) => v.policy.version === ticket.policyVersion)?.policy;
    if (policy === undefined) throw new Error(`policy version ${ticket.policyVersion} is missing from the log`);
    return {
      ticket: ticketView(ticket),
      // When a linked outage ended is on the outage board, which the read models follow.
      sla: ticketSla(ticket, policy, q.asOf, slaContextOf(this.readModels.current(), ticket)),
      asOf: q.asOf,
      readModelPosition: positionText(this.readModels.position()),
    };
  }
}

@QueryHandler(GetTicketHistoryQuery)
export class GetTicketHistoryHandler extends TicketReader implements IQueryHandler<GetTicketHistoryQuery> {
  async execute(q: GetTicketHistoryQuery): Promise<AuditTimeline & Freshness> {
    const { ticketId, stored } = await readTicket(this.executor, this.numbers, q.ref, q.caller);
    const timeline = auditTimeline(ticketId, historyOf(stored), { policies: await knownPolicies(this.policies) });
    return { ...timeline, readModelPosition: positionText(this.readModels.position()) };
  }
}

@QueryHandler(GetTicketAsOfQuery)
export class GetTicketAsOfHandler extends TicketReader implements IQueryHandler<GetTicketAsOfQuery> {
  async execute(q: GetTicketAsOfQuery): Promise<TicketAsOf & Freshness> {
    const { ticketId, stored } = await readTicket(this.executor, this.numbers, q.ref, q.caller);
    const view = ticketAsOf(ticketId, historyOf(stored), { at: q.asOf, reading: q.reading, policies: await knownPolicies(this.policies) });
    return { ...view, readModelPosition: positionText(this.readModels.position()) };
  }
}
