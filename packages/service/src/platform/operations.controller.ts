import { Controller, Get, Inject, Res } from '@nestjs/common';
import { formatGlobalPosition } from '@support-sla/projections';
import { ModuleRef } from '@nestjs/core';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiSuccess } from '../http/api-responses';
import { HEALTH_EXAMPLE } from '../http/responses/examples';
import { REQUEST_ID } from '../http/responses/headers';
import { HealthReport as HealthReportCodec } from '../http/responses/operations.responses';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard';
import type { ServiceConfig } from '../config/service-config';
import type { EventStore } from '../event-store/event-store.port';
import type { LeaseKeeperStatus } from '../deployment/store-lease';
import { NOTIFICATIONS, type NotificationsRunner, type NotificationsRunnerState } from '../notifications/notifications.module';
import { ProjectionsHost, type ProjectionHealth } from '../projection-runner/projections.host';
import { MetricsService } from './metrics.service';
import { EVENT_STORE, SERVICE_CONFIG } from './tokens';

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly store: { readonly kind: string; readonly reachable: boolean; readonly head: string | null; readonly error?: string };
  readonly projections: readonly ProjectionHealth[];
  /**
   * With the e-mail module: `state` is `sending` when this process sends the e-mails and runs
   * the SLA watcher; `standby` while another process holds the lease in the store (this one
   * takes over when it is released or expires); `starting` while catching up with the log after
   * taking the lease; `stopped` when nothing sends from this process (the service is shutting
   * down); `off` with `NOTIFICATIONS=off`. `lease` (absent when `off`): whether this process
   * holds it, and who does and until when as far as this process last saw (null: nobody).
   */
  readonly notifications?: { readonly state: NotificationsRunnerState; readonly lease?: LeaseKeeperStatus };
}

const HEALTH_TIMEOUT_MS = 2_000;

/** `/health` and `/metrics`: open to everyone, as load balancers and Prometheus carry no tokens. */
@ApiTags('operations')
@Public()
@Controller()
export class OperationsController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly projections: ProjectionsHost,
    private readonly metrics: MetricsService,
    private readonly modules: ModuleRef,
  ) {}

  /** The e-mail module's runner (null when the application has no such module), looked up once. */
  private runner: NotificationsRunner | null | undefined;

  private notifications(): NotificationsRunner | null {
    if (this.runner === undefined) {
      try {
        this.runner = this.modules.get<NotificationsRunner>(NOTIFICATIONS, { strict: false });
      } catch {
        this.runner = null;
      }
    }
    return this.runner;
  }

  @Get('health')
  @ApiOperation({ summary: 'Whether the event store answers and how far each projection trails it' })
  @ApiSuccess({ status: 200, description: 'Store reachable and no projection failed (`status: ok`)', codec: HealthReportCodec, example: HEALTH_EXAMPLE })
  @ApiSuccess({ status: 503, description: 'Store unreachable or a projection failed (`status: degraded`); the same body says which', codec: HealthReportCodec })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    let store: HealthReport['store'];
    try {
      const head = await withTimeout(this.store.headPosition(), HEALTH_TIMEOUT_MS);
      store = { kind: this.config.eventStore, reachable: true, head: head === undefined ? null : formatGlobalPosition(head) };
    } catch (error) {
      store = { kind: this.config.eventStore, reachable: false, head: null, error: error instanceof Error ? error.message : String(error) };
    }
    const projections = await this.projections.health();
    const ok = store.reachable && projections.every((p) => p.status !== 'failed');
    res.status(ok ? 200 : 503);
    const notifications = this.notifications();
    const lease = notifications?.lease;
    return {
      status: ok ? 'ok' : 'degraded',
      store,
      projections,
      ...(notifications === null ? {} : { notifications: { state: notifications.state, ...(lease === undefined ? {} : { lease: { held: lease.held, holder: lease.holder, expiresAt: lease.expiresAt } }) } }),
    };
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Every metric in the Prometheus text exposition format (version 0.0.4)',
    headers: REQUEST_ID,
    content: { 'text/plain': { schema: { type: 'string' }, example: '# HELP support_sla_commands_total Commands handled, by command type and outcome (ok, rejected, conflict, unavailable, error).\n# TYPE support_sla_commands_total counter\n' } },
  })
  async metricsText(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    res.status(200).type(this.metrics.registry.contentType).send(body);
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error instanceof Error ? error : new Error(String(error)))),
    );
  });
