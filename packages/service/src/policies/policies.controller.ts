import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SlaPolicy } from '@support-sla/domain';
import { positionText } from '../application/views';
import { ApiCommand, ApiStandardErrors, ApiSuccess } from '../http/api-responses';
import { openApiSchemaOf } from '../http/io-ts-openapi';
import { ENTITLEMENTS_EXAMPLE, POLICY_PUBLISHED_EXAMPLE } from '../http/responses/examples';
import { EntitlementsView, PolicyList, PolicyPublished } from '../http/responses/policy.responses';
import { Roles } from '../auth/auth.guard';
import { Scope, type RequestScope } from '../http/request-context';
import { decodeRequest } from '../http/validation';
import { PublishPolicyCommand } from './policy.commands';
import { GetEntitlementsQuery, ListPoliciesQuery } from './policy.queries';

@ApiTags('policies')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller('policies')
export class PoliciesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiCommand({ status: 201, description: 'The version was published (or replayed); tickets opened from now on pin it', codec: PolicyPublished, example: POLICY_PUBLISHED_EXAMPLE })
  @ApiOperation({ summary: 'Publish the next SLA policy version (admin). Tickets keep the version they pinned.' })
  @ApiBody({ schema: openApiSchemaOf(SlaPolicy) })
  @Roles('admin')
  async publish(@Body() body: unknown, @Scope() scope: RequestScope) {
    const policy = decodeRequest(SlaPolicy, body, 'body');
    const result = await this.commands.execute(new PublishPolicyCommand(policy, scope.caller, scope.context));
    return {
      events: result.events.map((e) => e.type),
      version: policy.version,
      revision: result.revision === undefined ? null : result.revision.toString(),
      position: positionText(result.position),
    };
  }

  @Get()
  @ApiOperation({ summary: 'Every published policy version' })
  @ApiSuccess({ status: 200, description: 'Every published version, oldest first', codec: PolicyList })
  @Roles('admin', 'agent', 'auditor')
  list() {
    return this.queries.execute(new ListPoliciesQuery());
  }

  @Get('entitlements')
  @ApiOperation({ summary: 'What each license includes under the policy in force: support channels and training (a requester sees their own tier)' })
  @ApiSuccess({ status: 200, description: 'The channels and training of each tier under the policy in force', codec: EntitlementsView, example: ENTITLEMENTS_EXAMPLE })
  @Roles('administrator', 'publisher', 'teacher', 'agent', 'admin', 'auditor')
  entitlements(@Scope() scope: RequestScope) {
    return this.queries.execute(new GetEntitlementsQuery(scope.caller));
  }
}
