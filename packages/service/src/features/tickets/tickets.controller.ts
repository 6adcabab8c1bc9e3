import { Body, Controller, Get, HttpCode, Param, Post, Query as QueryParams } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import * as t from 'io-ts';
import { IsoInstant, ticketExists, type TicketState } from '@support-sla/domain';
import { Clock } from '../../application/clock';
import type { ExecutionResult } from '../../application/command-executor';
import type { TicketAction } from '../../application/ticket.application';
import { positionText, ticketView } from '../../application/views';
import { ApiParamsFrom, ApiQueryFrom, ApiStandardErrors, openApiSchemaOf } from '../../http/io-ts-openapi';
import { REQUESTERS, requireRole, Scope, STAFF, type RequestScope } from '../../http/request-context';
import { decodeRequest } from '../../http/validation';
import {
  AcknowledgeTicketBody,
  AwaitCustomerBody,
  ClassifyTicketBody,
  CloseTicketBody,
  CustomerReplyBody,
  LinkToOutageBody,
  OpenTicketBody,
  ReopenTicketBody,
  ResolveTicketBody,
  RespondToTicketBody,
  TicketRef,
} from './ticket.bodies';
import { OpenTicketCommand, TicketActionCommand } from './ticket.commands';
import { GetTicketAsOfQuery, GetTicketHistoryQuery, GetTicketQuery } from './ticket.queries';

const SlaQuery = t.intersection(
  [t.partial({ asOf: IsoInstant }), t.partial({ reading: t.keyof({ occurred: null, recorded: null }, 'Reading') })],
  'SlaQuery',
);
const AsOfQuery = t.partial({ asOf: IsoInstant }, 'TicketQuery');

/** What every command answers: what it wrote, and the position to wait for on the read side. */
export const commandResponse = (result: ExecutionResult<TicketState>) => ({
  ticketId: ticketExists(result.state) ? result.state.ticketId : null,
  ticketNumber: ticketExists(result.state) ? result.state.ticketNumber : null,
  events: result.events.map((e) => e.type),
  revision: result.revision === undefined ? null : result.revision.toString(),
  position: positionText(result.position),
  ticket: ticketExists(result.state) ? ticketView(result.state) : null,
});

interface ActionRoute {
  readonly codec: t.Mixed;
  readonly roles: readonly RequestScope['caller']['role'][];
}

// Who may do what on an existing ticket. The domain re-checks the staff-only rules; requesters
// are limited here to their own tickets (the application hides everyone else's).
const ACTIONS: Record<TicketAction, ActionRoute> = {
  ClassifyTicket: { codec: ClassifyTicketBody, roles: STAFF },
  AcknowledgeTicket: { codec: AcknowledgeTicketBody, roles: STAFF },
  RespondToTicket: { codec: RespondToTicketBody, roles: STAFF },
  AwaitCustomer: { codec: AwaitCustomerBody, roles: STAFF },
  RecordCustomerReply: { codec: CustomerReplyBody, roles: [...STAFF, ...REQUESTERS] },
  ResolveTicket: { codec: ResolveTicketBody, roles: STAFF },
  CloseTicket: { codec: CloseTicketBody, roles: STAFF },
  ReopenTicket: { codec: ReopenTicketBody, roles: [...STAFF, ...REQUESTERS] },
  LinkTicketToOutage: { codec: LinkToOutageBody, roles: STAFF },
};

@ApiTags('tickets')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open a ticket (requesters for themselves; staff on behalf of a named user, e.g. a phone message)' })
  @ApiBody({ schema: openApiSchemaOf(OpenTicketBody) })
  async open(@Body() body: unknown, @Scope() scope: RequestScope) {
    requireRole(scope.caller, [...REQUESTERS, ...STAFF], 'open tickets');
    const input = decodeRequest(OpenTicketBody, body, 'body');
    return commandResponse(await this.commands.execute(new OpenTicketCommand(input, scope.caller, scope.context)));
  }

  @Post(':id/classification')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Classify or reclassify (staff; a reclassification needs a reason)' })
  @ApiBody({ schema: openApiSchemaOf(ClassifyTicketBody) })
  classify(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('ClassifyTicket', path, body, scope);
  }

  @Post(':id/acknowledgement')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the confirmation that the ticket was opened (staff)' })
  @ApiBody({ schema: openApiSchemaOf(AcknowledgeTicketBody), required: false })
  acknowledge(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('AcknowledgeTicket', path, body, scope);
  }

  @Post(':id/response')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Respond, defining the request (Premium: with an action plan)' })
  @ApiBody({ schema: openApiSchemaOf(RespondToTicketBody) })
  respond(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('RespondToTicket', path, body, scope);
  }

  @Post(':id/awaiting-customer')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause the clocks while waiting on the customer (staff)' })
  @ApiBody({ schema: openApiSchemaOf(AwaitCustomerBody) })
  awaitCustomer(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('AwaitCustomer', path, body, scope);
  }

  @Post(':id/customer-reply')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'The customer replied: paused clocks resume' })
  @ApiBody({ schema: openApiSchemaOf(CustomerReplyBody), required: false })
  customerReply(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('RecordCustomerReply', path, body, scope);
  }

  @Post(':id/resolution')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve (staff)' })
  @ApiBody({ schema: openApiSchemaOf(ResolveTicketBody), required: false })
  resolve(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('ResolveTicket', path, body, scope);
  }

  @Post(':id/closure')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Close a resolved ticket; the named contact is e-mailed the resolution' })
  @ApiBody({ schema: openApiSchemaOf(CloseTicketBody), required: false })
  close(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('CloseTicket', path, body, scope);
  }

  @Post(':id/reopening')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Reopen a closed ticket, with a reason' })
  @ApiBody({ schema: openApiSchemaOf(ReopenTicketBody) })
  reopen(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('ReopenTicket', path, body, scope);
  }

  @Post(':id/outage-link')
  @ApiParamsFrom(TicketRef)
  @HttpCode(200)
  @ApiOperation({ summary: 'Link the ticket to an outage (staff)' })
  @ApiBody({ schema: openApiSchemaOf(LinkToOutageBody) })
  linkToOutage(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('LinkTicketToOutage', path, body, scope);
  }

  @Get(':id')
  @ApiParamsFrom(TicketRef)
  @ApiQueryFrom(AsOfQuery)
  @ApiOperation({ summary: 'A ticket with its SLA clocks (as of now, or `asOf`)' })
  async get(@Param() path: unknown, @QueryParams() query: unknown, @Scope() scope: RequestScope) {
    requireRole(scope.caller, [...REQUESTERS, ...STAFF, 'auditor'], 'read tickets');
    const { id } = decodeRequest(TicketRef, path, 'path');
    const { asOf } = decodeRequest(AsOfQuery, query, 'query');
    return this.queries.execute(new GetTicketQuery(id, scope.caller, asOf ?? this.clock.now().toISOString()));
  }

  @Get(':id/history')
  @ApiParamsFrom(TicketRef)
  @ApiOperation({ summary: 'The audit timeline: every event with both timestamps, the actor and the SLA state after it' })
  async history(@Param() path: unknown, @Scope() scope: RequestScope) {
    requireRole(scope.caller, [...REQUESTERS, ...STAFF, 'auditor'], 'read ticket history');
    const { id } = decodeRequest(TicketRef, path, 'path');
    return this.queries.execute(new GetTicketHistoryQuery(id, scope.caller));
  }

  @Get(':id/sla')
  @ApiParamsFrom(TicketRef)
  @ApiQueryFrom(SlaQuery)
  @ApiOperation({ summary: 'State and SLA clocks as of an instant: what had occurred, or what had been recorded' })
  async sla(@Param() path: unknown, @QueryParams() query: unknown, @Scope() scope: RequestScope) {
    requireRole(scope.caller, [...REQUESTERS, ...STAFF, 'auditor'], 'read SLA clocks');
    const { id } = decodeRequest(TicketRef, path, 'path');
    const q = decodeRequest(SlaQuery, query, 'query');
    return this.queries.execute(new GetTicketAsOfQuery(id, scope.caller, q.asOf ?? this.clock.now().toISOString(), q.reading ?? 'occurred'));
  }

  private async act(action: TicketAction, path: unknown, body: unknown, scope: RequestScope) {
    const route = ACTIONS[action];
    requireRole(scope.caller, route.roles, `${action}`);
    const { id } = decodeRequest(TicketRef, path, 'path');
    const input = decodeRequest(route.codec, body, 'body') as Record<string, unknown>;
    return commandResponse(await this.commands.execute(new TicketActionCommand(action, id, input, scope.caller, scope.context)));
  }
}
