import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Tier } from '@support-sla/domain';
import { queueView, slaStatusBoard, type QueueView, type SlaStatusBoard } from '@support-sla/projections';
import { ReadModelsHost } from '../application/read-models.host';
import { renderComplianceReport, reportPeriod, type ReportFormat } from '../application/report-rendering';
import { Clock } from '../application/clock';
import { positionText, type Freshness } from '../application/views';
import { ComplianceReportCache } from './report-cache';

export class GetQueueQuery extends Query<QueueView & Freshness> {
  constructor(
    readonly tier: Tier | undefined,
    readonly limit: number | undefined,
  ) {
    super();
  }
}

export class GetSlaBoardQuery extends Query<SlaStatusBoard & Freshness> {
  constructor(readonly asOf: string) {
    super();
  }
}

export class GetComplianceReportQuery extends Query<{ body: string; readModelPosition: string | null }> {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly format: ReportFormat,
    readonly whatIfPolicyVersion: number | undefined,
    readonly asOf: string | undefined,
  ) {
    super();
  }
}

@QueryHandler(GetQueueQuery)
export class GetQueueHandler implements IQueryHandler<GetQueueQuery> {
  constructor(private readonly readModels: ReadModelsHost) {}
  async execute(q: GetQueueQuery): Promise<QueueView & Freshness> {
    const view = queueView(this.readModels.current().queue, { tier: q.tier, limit: q.limit });
    return { ...view, readModelPosition: positionText(this.readModels.position()) };
  }
}

@QueryHandler(GetSlaBoardQuery)
export class GetSlaBoardHandler implements IQueryHandler<GetSlaBoardQuery> {
  constructor(private readonly readModels: ReadModelsHost) {}
  async execute(q: GetSlaBoardQuery): Promise<SlaStatusBoard & Freshness> {
    return { ...slaStatusBoard(this.readModels.current(), q.asOf), readModelPosition: positionText(this.readModels.position()) };
  }
}

/** The what-if names a policy version the log does not have (HTTP 404). */
export class PolicyVersionNotFoundError extends Error {
  override readonly name = 'PolicyVersionNotFoundError';
  constructor(readonly version: number) {
    super(`policy version ${version} has not been published`);
  }
}

@QueryHandler(GetComplianceReportQuery)
export class GetComplianceReportHandler implements IQueryHandler<GetComplianceReportQuery> {
  constructor(
    private readonly readModels: ReadModelsHost,
    private readonly clock: Clock,
    private readonly cache: ComplianceReportCache,
  ) {}
  async execute(q: GetComplianceReportQuery): Promise<{ body: string; readModelPosition: string | null }> {
    const nowMs = this.clock.now().getTime();
    const period = reportPeriod(q.from, q.to, q.asOf, nowMs);
    const model = this.readModels.current();
    if (q.whatIfPolicyVersion !== undefined && !model.policies.versions.some((p) => p.version === q.whatIfPolicyVersion)) {
      throw new PolicyVersionNotFoundError(q.whatIfPolicyVersion);
    }
    const render = (): string => renderComplianceReport(model, period, q.format, q.whatIfPolicyVersion);
    // A period not over yet, asked without asOf, is judged at this instant: no later request asks
    // for it again, so it is rendered without taking a place in the cache.
    const judgedNow = q.asOf === undefined && Date.parse(q.to) > nowMs;
    // The same bytes as rendering it now (the cache drops an answer as soon as the fold changes what it was computed from).
    const key = { from: period.from, to: period.to, asOf: period.asOf ?? period.to, format: q.format, whatIf: q.whatIfPolicyVersion };
    return {
      body: judgedNow ? render() : this.cache.answer(key, model, render),
      readModelPosition: positionText(this.readModels.position()),
    };
  }
}
