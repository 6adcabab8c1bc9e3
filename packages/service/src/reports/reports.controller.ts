import { Controller, Get, Header, Query as QueryParams, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import * as t from 'io-ts';
import { IsoInstant, PositiveInt, Tier } from '@support-sla/domain';
import { Clock } from '../application/clock';
import { ReadModelsHost } from '../application/read-models.host';
import type { GlobalPosition } from '../event-store/event-store.port';
import { STAFF_ROLES } from '@support-sla/domain';
import { Roles } from '../auth/auth.guard';
import { ApiStandardErrors, ApiSuccess } from '../http/api-responses';
import { ApiQueryFrom } from '../http/io-ts-openapi';
import { COMPLIANCE_CSV_EXAMPLE, QUEUE_EXAMPLE } from '../http/responses/examples';
import { NO_STORE, READ_MODEL_POSITION } from '../http/responses/headers';
import { COMPLIANCE_CSV_SCHEMA, ComplianceAnswer, QueueView, SlaStatusBoard } from '../http/responses/report.responses';
import { decodeRequest, RequestValidationError } from '../http/validation';
import { GetComplianceReportQuery, GetQueueQuery, GetSlaBoardQuery } from './report.queries';

const PositiveIntFromString = new t.Type<number, string, unknown>(
  'PositiveIntFromString',
  (u): u is number => PositiveInt.is(u),
  (u, c) => (typeof u === 'string' && /^[1-9]\d{0,8}$/.test(u) ? t.success(Number(u)) : t.failure(u, c, 'a positive integer')),
  String,
);

const POSITION = /^(\d{1,19})(?:\/(\d{1,19}))?$/;
/** `minPosition=<commit>/<prepare>` (or one number): the position a command answered with. */
const PositionParam = new t.Type<GlobalPosition, string, unknown>(
  'GlobalPosition',
  (u): u is GlobalPosition => typeof u === 'object' && u !== null && 'commit' in u,
  (u, c) => {
    const m = typeof u === 'string' ? POSITION.exec(u) : null;
    return m ? t.success({ commit: BigInt(m[1]!), prepare: BigInt(m[2] ?? m[1]!) }) : t.failure(u, c, 'a position such as 42/42, as returned by a command');
  },
  (p) => `${p.commit.toString()}/${p.prepare.toString()}`,
);
const Freshness = { minPosition: PositionParam };

const QueueQuery = t.partial({ tier: Tier, limit: PositiveIntFromString, ...Freshness }, 'QueueQuery');
const BoardQuery = t.partial({ asOf: IsoInstant, ...Freshness }, 'SlaBoardQuery');
const ReportQuery = t.intersection(
  [
    t.type({ from: IsoInstant, to: IsoInstant }),
    t.partial({ format: t.keyof({ json: null, csv: null }, 'ReportFormat'), policyVersion: PositiveIntFromString, asOf: IsoInstant, ...Freshness }),
  ],
  'ComplianceReportQuery',
);

/** How long a query waits for the read models to reach `minPosition` before answering 503. */
const FRESHNESS_WAIT_MS = 5_000;

const MIN_POSITION_DOC =
  'Read your writes: wait (up to 5 s, else 503 `read_model_lagging`) until the read models have folded this global position, the `position` a command answered with (`commit/prepare`, or one number)';

@ApiTags('queries')
@ApiBearerAuth()
@ApiStandardErrors()
@Controller()
export class ReportsController {
  constructor(
    private readonly queries: QueryBus,
    private readonly clock: Clock,
    private readonly readModels: ReadModelsHost,
  ) {}

  /** Read-your-writes: wait until the read models have folded the position a command returned. */
  private async fresh(minPosition: GlobalPosition | undefined): Promise<void> {
    if (minPosition !== undefined) await this.readModels.waitFor(minPosition, FRESHNESS_WAIT_MS);
  }

  @Get('queue')
  @ApiQueryFrom(QueueQuery, {
    tier: 'Only this tier’s queue (default: both tiers, in one order)',
    limit: 'Only the first `limit` tickets (default: all); `total` still counts every one',
    minPosition: { description: MIN_POSITION_DOC, example: '42/42' },
  })
  @ApiSuccess({ status: 200, description: 'The queue in service order', codec: QueueView, example: QUEUE_EXAMPLE })
  @ApiOperation({ summary: 'Open tickets in the agreement’s priority order, overall or for one tier (`?tier=premium`); `minPosition` waits for a command’s position' })
  @Roles(...STAFF_ROLES, 'auditor')
  async queue(@QueryParams() query: unknown) {
    const q = decodeRequest(QueueQuery, query, 'query');
    await this.fresh(q.minPosition);
    return this.queries.execute(new GetQueueQuery(q.tier, q.limit));
  }

  @Get('sla')
  @ApiQueryFrom(BoardQuery, {
    asOf: 'The instant to evaluate the clocks at (default: now); an ISO-8601 instant with an offset or Z',
    minPosition: { description: MIN_POSITION_DOC, example: '42/42' },
  })
  @ApiSuccess({ status: 200, description: 'Every ticket not closed with its clocks, and the at-risk and breached lists', codec: SlaStatusBoard })
  @ApiOperation({ summary: 'SLA status board: every ticket not closed, with at-risk and breached lists' })
  @Roles(...STAFF_ROLES, 'auditor')
  async board(@QueryParams() query: unknown) {
    const q = decodeRequest(BoardQuery, query, 'query');
    await this.fresh(q.minPosition);
    return this.queries.execute(new GetSlaBoardQuery(q.asOf ?? this.clock.now().toISOString()));
  }

  @Get('reports/compliance')
  @Roles(...STAFF_ROLES, 'auditor')
  @ApiQueryFrom(ReportQuery, {
    from: { description: 'Start of the period (inclusive): tickets received at or after it', example: '2026-03-01T00:00:00-05:00' },
    to: { description: 'End of the period (exclusive), after `from`', example: '2026-04-01T00:00:00-04:00' },
    format: '`json` (default; canonical, sorted keys) or `csv`',
    policyVersion: 'A what-if: the same period measured under this published policy version too, beside the real report (404 if it was never published)',
    asOf: 'The instant clocks are judged at (default: the earlier of `to` and now): a clock due after it is pending, not breached',
    minPosition: { description: MIN_POSITION_DOC, example: '42/42' },
  })
  @ApiSuccess({
    status: 200,
    description: 'The report: JSON (a `ComplianceReport`, or a `WhatIfReport` with `policyVersion`), or CSV with `format=csv`',
    codec: ComplianceAnswer,
    headers: { ...READ_MODEL_POSITION, ...NO_STORE },
    alsoAs: { 'text/csv': { schema: COMPLIANCE_CSV_SCHEMA, example: COMPLIANCE_CSV_EXAMPLE } },
  })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Compliance report for tickets received in [from, to): JSON (canonical) or CSV; `policyVersion` adds a what-if beside it',
  })
  async compliance(@QueryParams() query: unknown, @Res({ passthrough: true }) res: Response) {
    const q = decodeRequest(ReportQuery, query, 'query');
    if (Date.parse(q.to) <= Date.parse(q.from)) {
      throw new RequestValidationError('query', [{ field: 'to', message: 'must be after from' }]);
    }
    await this.fresh(q.minPosition);
    const result = await this.queries.execute(new GetComplianceReportQuery(q.from, q.to, q.format ?? 'json', q.policyVersion, q.asOf));
    res.setHeader('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    if (result.readModelPosition !== null) res.setHeader('X-Read-Model-Position', result.readModelPosition);
    return result.body;
  }
}
