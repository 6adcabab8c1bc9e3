import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type * as t from 'io-ts';
import { STAFF_ROLES, type OutageBoard, type OutageCommandOf } from '@support-sla/domain';
import { Clock } from '../application/clock';
import type { ExecutionResult } from '../application/command-executor';
import { positionText } from '../application/views';
import { ApiCommand, ApiStandardErrors, ApiSuccess } from '../http/api-responses';
import { ApiParamsFrom, openApiSchemaOf } from '../http/io-ts-openapi';
import { OUTAGE_COMMAND_EXAMPLE, OUTAGE_LISTING_EXAMPLE } from '../http/responses/examples';
import { OutageCommandAnswer, OutageListing } from '../http/responses/outage.responses';
import { Roles } from '../auth/auth.guard';
import { Scope, type RequestScope } from '../http/request-context';
import { decodeRequest } from '../http/validation';
import { AcknowledgeAlertBody, CloseOutageBody, DebriefBody, DeclareOutageBody, MonitorPath, MonitorReportBody, OutagePath, RestorationBody } from './outage.bodies';
import { OutageBoardCommand, type OutageAction } from './outage.commands';
import { ListOutagesQuery } from './outage.queries';

const outageResponse = (result: ExecutionResult<OutageBoard>) => ({
  events: result.events.map((e) => e.type),
  outages: result.events.flatMap((e) => ('outageId' in e.data ? [e.data.outageId] : [])),
  revision: result.revision === undefined ? null : result.revision.toString(),
  position: positionText(result.position),
});

const outageIdOf = (path: unknown): string => decodeRequest(OutagePath, path, 'path').id;

/** The `{id}` of every outage route. */
const OUTAGE_ID_DOCS = { id: { description: 'The outage id, as `POST /outages` or `GET /outages` gave it', example: 'O-000001' } };

/**
 * A staff command on an existing outage (`POST /outages/{id}/<path>`): the decorators each such
 * route carried, applied in the same order, so the OpenAPI document is as before.
 */
const OutageCommandRoute = (path: string, summary: string, body: t.Mixed, options: { optionalBody?: boolean } = {}) =>
  applyDecorators(
    ...[
      Post(`outages/:id/${path}`),
      ApiParamsFrom(OutagePath, OUTAGE_ID_DOCS),
      HttpCode(200),
      ApiCommand({ status: 200, description: 'The command was applied (or replayed): the events written and the position to wait for', codec: OutageCommandAnswer, example: OUTAGE_COMMAND_EXAMPLE }),
      ApiOperation({ summary }),
      ApiBody({ schema: openApiSchemaOf(body), ...(options.optionalBody ? { required: false } : {}) }),
      Roles(...STAFF_ROLES),
    ].reverse(), // written top to bottom, decorators apply bottom up
  );

@ApiTags('outages')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class OutagesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly clock: Clock,
  ) {}

  @Post('monitors/:location/reports')
  @ApiParamsFrom(MonitorPath, { location: { description: 'The status monitor reporting: `chicago`, `california` or `atlanta` (a monitor token reports for its own location only)', example: 'chicago' } })
  @HttpCode(200)
  @ApiCommand({ status: 200, description: 'The report was recorded (or replayed); when all three monitors are down it declares an outage and alerts the engineers', codec: OutageCommandAnswer, example: OUTAGE_COMMAND_EXAMPLE })
  @ApiOperation({ summary: 'A status monitor (chicago, california, atlanta) reports the service up or down' })
  @ApiBody({ schema: openApiSchemaOf(MonitorReportBody) })
  @Roles('monitor', 'admin')
  async report(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    const { location } = decodeRequest(MonitorPath, path, 'path');
    return this.run('ReportMonitorStatus', { monitor: location, ...decodeRequest(MonitorReportBody, body, 'body') }, scope);
  }

  @Post('outages')
  @HttpCode(201)
  @ApiCommand({ status: 201, description: 'The outage was declared (or replayed): `outages` names its id', codec: OutageCommandAnswer, example: OUTAGE_COMMAND_EXAMPLE })
  @ApiOperation({
    summary: 'Staff declare an outage the monitors do not all see (an error affecting all or a majority of users); engineers are alerted at once',
  })
  @ApiBody({ schema: openApiSchemaOf(DeclareOutageBody) })
  @Roles(...STAFF_ROLES)
  async declare(@Body() body: unknown, @Scope() scope: RequestScope) {
    return this.run('DeclareOutage', decodeRequest(DeclareOutageBody, body, 'body'), scope);
  }

  @OutageCommandRoute('restoration', 'Staff end an outage they declared: service restored (`occurredAt` when it came back); linked contacts get one notice', RestorationBody, { optionalBody: true })
  async restore(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.run('EndOutage', { outageId: outageIdOf(path), ...decodeRequest(RestorationBody, body, 'body') }, scope);
  }

  @OutageCommandRoute('acknowledgement', 'An engineer acknowledges the outage alert (stops the outage’s acknowledgement clock)', AcknowledgeAlertBody, { optionalBody: true })
  async acknowledge(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    const outageId = outageIdOf(path);
    decodeRequest(AcknowledgeAlertBody, body, 'body');
    return this.run('AcknowledgeOutageAlert', { outageId }, scope);
  }

  @OutageCommandRoute('debrief', 'Record the debrief: when and how it occurred, and what will prevent a repeat', DebriefBody)
  async debrief(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    return this.run('RecordOutageDebrief', { outageId: outageIdOf(path), ...decodeRequest(DebriefBody, body, 'body') }, scope);
  }

  @OutageCommandRoute('closure', 'Close an ended outage (needs its debrief)', CloseOutageBody, { optionalBody: true })
  async close(@Param() path: unknown, @Body() body: unknown, @Scope() scope: RequestScope) {
    const outageId = outageIdOf(path);
    decodeRequest(CloseOutageBody, body, 'body');
    return this.run('CloseOutage', { outageId }, scope);
  }

  @Get('outages')
  @ApiOperation({ summary: 'Monitor status and every outage' })
  @ApiSuccess({ status: 200, description: 'What each monitor last reported, and every outage', codec: OutageListing, example: OUTAGE_LISTING_EXAMPLE })
  @Roles(...STAFF_ROLES, 'auditor', 'monitor')
  list() {
    return this.queries.execute(new ListOutagesQuery(this.clock.now().toISOString()));
  }

  private async run<T extends OutageAction>(action: T, data: OutageCommandOf<T>['data'], scope: RequestScope) {
    return outageResponse(await this.commands.execute(new OutageBoardCommand(action, data, scope.caller, scope.context)));
  }
}
