import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where the projection lag gauge reads its values (set by the projections host). */
export type LagSource = () => Promise<readonly { readonly projection: string; readonly lag: bigint }[]>;

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one) so
 * several service instances can live in one process, as the end-to-end tests do.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private lagSource: LagSource = async () => [];

  readonly commands = new Counter({
    name: 'support_sla_commands_total',
    help: 'Commands handled, by command type and outcome (ok, rejected, conflict, unavailable, error).',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly conflicts = new Counter({
    name: 'support_sla_append_conflicts_total',
    help: 'Appends refused because the stream had moved on (wrong expected revision), by stream category.',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });

  readonly appendSeconds = new Histogram({
    name: 'support_sla_append_duration_seconds',
    help: 'Time to append to the event store, by stream category.',
    labelNames: ['category'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly projectionLag = new Gauge({
    name: 'support_sla_projection_lag',
    help: 'How far each projection trails the head of the global log (events for SQLite, log bytes for EventStoreDB).',
    labelNames: ['projection'] as const,
    registers: [this.registry],
    collect: async () => {
      const lags = await this.lagSource().catch(() => []);
      this.projectionLag.reset();
      for (const { projection, lag } of lags) this.projectionLag.set({ projection }, Number(lag));
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'support_sla_' });
  }

  setLagSource(source: LagSource): void {
    this.lagSource = source;
  }

  /** The first dash-separated part of a stream id (`ticket-123` → `ticket`). */
  static category(streamId: string): string {
    const dash = streamId.indexOf('-');
    return dash > 0 ? streamId.slice(0, dash) : streamId;
  }
}
