import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SlaPolicy } from '@support-sla/domain';
import { positionText } from '../../application/views';
import { ApiStandardErrors, openApiSchemaOf } from '../../http/io-ts-openapi';
import { Roles } from '../../auth/auth.guard';
import { Scope, type RequestScope } from '../../http/request-context';
import { decodeRequest } from '../../http/validation';
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
  @Roles('admin', 'agent', 'auditor')
  list() {
    return this.queries.execute(new ListPoliciesQuery());
  }

  @Get('entitlements')
  @ApiOperation({ summary: 'What each license includes under the policy in force: support channels and training (a requester sees their own tier)' })
  @Roles('administrator', 'publisher', 'teacher', 'agent', 'admin', 'auditor')
  entitlements(@Scope() scope: RequestScope) {
    return this.queries.execute(new GetEntitlementsQuery(scope.caller));
  }
}
