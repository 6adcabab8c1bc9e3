import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query as QueryParams } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import * as t from 'io-ts';
import { IsoInstant, REQUESTER_ROLES, STAFF_ROLES, ticketExists, type Role, type TicketState } from '@support-sla/domain';
import { Clock } from '../application/clock';
import type { ExecutionResult } from '../application/command-executor';
import { positionText, ticketView } from '../application/views';
import { ApiCommand, ApiStandardErrors, ApiSuccess } from '../http/api-responses';
import { ApiParamsFrom, ApiQueryFrom, openApiSchemaOf } from '../http/io-ts-openapi';
import { TICKET_COMMAND_EXAMPLE, TICKET_DETAILS_EXAMPLE } from '../http/responses/examples';
import { TicketAsOf, TicketCommandAnswer, TicketDetails, TicketHistory } from '../http/responses/ticket.responses';
import { Roles } from '../auth/auth.guard';
import { Scope, type RequestScope } from '../http/request-context';
import { decodeRequest } from '../http/validation';
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
import { OpenTicketCommand, TicketActionCommand, type TicketAction } from './ticket.commands';
import { GetTicketAsOfQuery, GetTicketHistoryQuery, GetTicketQuery } from './ticket.queries';

/** Why the ticket reads go to the stream (issue 23 asks the API to say so). */
const READS_THE_STREAM =
  "Read from the ticket's own stream, not from the read models: exact and immediately consistent (a command's answer is visible at once, with no `minPosition`), and the same fold the command side decides on.";

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

// The body codec of each command on an existing ticket. Who may send it is the route's `@Roles`;
// the domain re-checks the staff-only rules, and requesters reach only their own tickets (the
// handler hides everyone else's).
const ACTION_BODIES: Record<TicketAction, t.Mixed> = {
  ClassifyTicket: ClassifyTicketBody,
  AcknowledgeTicket: AcknowledgeTicketBody,
  RespondToTicket: RespondToTicketBody,
  AwaitCustomer: AwaitCustomerBody,
  RecordCustomerReply: CustomerReplyBody,
  ResolveTicket: ResolveTicketBody,
  CloseTicket: CloseTicketBody,
  ReopenTicket: ReopenTicketBody,
  LinkTicketToOutage: LinkToOutageBody,
};

/** The `{id}` of every ticket route. */
const TICKET_REF_DOCS = { id: { description: 'The ticket id (`T-…`) or its number (`SS-000042`), up to 64 characters', example: 'SS-000042' } };

/**
 * A command on an existing ticket (`POST /tickets/{id}/<path>`): its roles, path parameter, body
 * and answer as the OpenAPI document shows them. The decorators are those each route carried,
 * applied in the same order.
 */
const TicketCommandRoute = (path: string, summary: string, body: t.Mixed, roles: Role[], options: { optionalBody?: boolean } = {}) =>
  applyDecorators(
    ...[
      Post(`:id/${path}`),
      Roles(...roles),
      ApiParamsFrom(TicketRef, TICKET_REF_DOCS),
      HttpCode(200),
      ApiCommand({ status: 200, description: 'The command was applied (or replayed): the events written, the ticket after it, and the position to wait for', codec: TicketCommandAnswer, example: TICKET_COMMAND_EXAMPLE }),
      ApiOperation({ summary }),
      ApiBody({ schema: openApiSchemaOf(body), ...(options.optionalBody ? { required: false } : {}) }),
    ].reverse(), // written top to bottom, decorators apply bottom up
  );

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
  @ApiCommand({ status: 201, description: 'The ticket was opened (or the answer to the same keyed request is replayed): its number, the events written and the position to wait for', codec: TicketCommandAnswer, example: TICKET_COMMAND_EXAMPLE })
  @ApiOperation({ summary: 'Open a ticket (requesters for themselves; staff on behalf of a named user, e.g. a phone message)' })
  @ApiBody({ schema: openApiSchemaOf(OpenTicketBody) })
  @Roles(...REQUESTER_ROLES, ...STAFF_ROLES)
  async open(@Body() body: unknown, @Scope() scope: RequestScope) {
    const input = decodeRequest(OpenTicketBody, body, 'body');
    return commandResponse(await this.commands.execute(new OpenTicketCommand(input, scope.caller, scope.context)));
  }

  @TicketCommandRoute('classification', 'Classify or reclassify (staff; a reclassification needs a reason)', ClassifyTicketBody, [...STAFF_ROLES])
  classify(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('ClassifyTicket', path, body, scope);
  }

  @TicketCommandRoute('acknowledgement', 'Record the confirmation that the ticket was opened (staff)', AcknowledgeTicketBody, [...STAFF_ROLES], { optionalBody: true })
  acknowledge(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('AcknowledgeTicket', path, body, scope);
  }

  @TicketCommandRoute('response', 'Respond, defining the request (Premium: with an action plan)', RespondToTicketBody, [...STAFF_ROLES])
  respond(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('RespondToTicket', path, body, scope);
  }

  @TicketCommandRoute('awaiting-customer', 'Pause the clocks while waiting on the customer (staff)', AwaitCustomerBody, [...STAFF_ROLES])
  awaitCustomer(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('AwaitCustomer', path, body, scope);
  }

  @TicketCommandRoute('customer-reply', 'The customer replied: paused clocks resume', CustomerReplyBody, [...STAFF_ROLES, ...REQUESTER_ROLES], { optionalBody: true })
  customerReply(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('RecordCustomerReply', path, body, scope);
  }

  @TicketCommandRoute('resolution', 'Resolve (staff)', ResolveTicketBody, [...STAFF_ROLES], { optionalBody: true })
  resolve(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('ResolveTicket', path, body, scope);
  }

  @TicketCommandRoute('closure', 'Close a resolved ticket; the named contact is e-mailed the resolution', CloseTicketBody, [...STAFF_ROLES], { optionalBody: true })
  close(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('CloseTicket', path, body, scope);
  }

  @TicketCommandRoute('reopening', 'Reopen a closed ticket, with a reason', ReopenTicketBody, [...STAFF_ROLES, ...REQUESTER_ROLES])
  reopen(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('ReopenTicket', path, body, scope);
  }

  @TicketCommandRoute('outage-link', 'Link the ticket to an outage (staff)', LinkToOutageBody, [...STAFF_ROLES])
  linkToOutage(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.act('LinkTicketToOutage', path, body, scope);
  }

  @Get(':id')
  @ApiParamsFrom(TicketRef, TICKET_REF_DOCS)
  @ApiQueryFrom(AsOfQuery, { asOf: 'The instant to evaluate the SLA clocks at (default: now); an ISO-8601 instant with an offset or Z' })
  @ApiOperation({ summary: 'A ticket with its SLA clocks (as of now, or `asOf`)', description: READS_THE_STREAM })
  @ApiSuccess({ status: 200, description: 'The ticket and its three SLA clocks', codec: TicketDetails, example: TICKET_DETAILS_EXAMPLE })
  @Roles(...REQUESTER_ROLES, ...STAFF_ROLES, 'auditor')
  async get(@Param() path: unknown, @QueryParams() query: unknown, @Scope() scope: RequestScope) {
    const { id } = decodeRequest(TicketRef, path, 'path');
    const { asOf } = decodeRequest(AsOfQuery, query, 'query');
    return this.queries.execute(new GetTicketQuery(id, scope.caller, asOf ?? this.clock.now().toISOString()));
  }

  @Get(':id/history')
  @ApiParamsFrom(TicketRef, TICKET_REF_DOCS)
  @ApiOperation({ summary: 'The audit timeline: every event with both timestamps, the actor and the SLA state after it', description: READS_THE_STREAM })
  @ApiSuccess({ status: 200, description: 'Every event of the ticket, in order, with the SLA state after it', codec: TicketHistory })
  @Roles(...REQUESTER_ROLES, ...STAFF_ROLES, 'auditor')
  async history(@Param() path: unknown, @Scope() scope: RequestScope) {
    const { id } = decodeRequest(TicketRef, path, 'path');
    return this.queries.execute(new GetTicketHistoryQuery(id, scope.caller));
  }

  @Get(':id/sla')
  @ApiParamsFrom(TicketRef, TICKET_REF_DOCS)
  @ApiQueryFrom(SlaQuery, {
    asOf: 'The instant to look back at (default: now); an ISO-8601 instant with an offset or Z',
    reading: '`occurred` (default): what had happened by `asOf`, including facts entered later (a phone message); `recorded`: only what the service had recorded by then',
  })
  @ApiOperation({ summary: 'State and SLA clocks as of an instant: what had occurred, or what had been recorded', description: READS_THE_STREAM })
  @ApiSuccess({ status: 200, description: 'The ticket’s state and clocks as of `asOf` (`state` and `sla` are null if it did not exist yet)', codec: TicketAsOf })
  @Roles(...REQUESTER_ROLES, ...STAFF_ROLES, 'auditor')
  async sla(@Param() path: unknown, @QueryParams() query: unknown, @Scope() scope: RequestScope) {
    const { id } = decodeRequest(TicketRef, path, 'path');
    const q = decodeRequest(SlaQuery, query, 'query');
    return this.queries.execute(new GetTicketAsOfQuery(id, scope.caller, q.asOf ?? this.clock.now().toISOString(), q.reading ?? 'occurred'));
  }

  private async act(action: TicketAction, path: unknown, body: unknown, scope: RequestScope) {
    const { id } = decodeRequest(TicketRef, path, 'path');
    const input = decodeRequest(ACTION_BODIES[action], body, 'body') as never;
    return commandResponse(await this.commands.execute(new TicketActionCommand(action, id, input, scope.caller, scope.context)));
  }
}
