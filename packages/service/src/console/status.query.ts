import { Inject, Injectable } from '@nestjs/common';
import { MONITORS, compareReports, openOutage, outageDecider, type MonitorReport, type OutageBoard, type OutageEvent } from '@support-sla/domain';
import { Clock } from '../application/clock';
import { iso } from '../application/views';
import { toDomainEvent } from '../application/event-mapping';
import { ReadModelsHost } from '../application/read-models.host';
import type { EventStore } from '../event-store/event-store.port';
import { OUTAGE_BOARD_STREAM } from '../event-store/streams';
import { EVENT_STORE } from '../platform/tokens';

/** One status monitor as the public status page shows it. */
export interface MonitorState {
  readonly monitor: string;
  /** What it last reported (`null`: it has not reported yet). */
  readonly status: 'up' | 'down' | null;
  /** When that report was observed. */
  readonly reportedAt: string | null;
}

/** `GET /status`: the monitors and outages only, nothing about tickets or organizations. */
export interface PublicStatus {
  readonly monitors: readonly MonitorState[];
  readonly outage: {
    /** An outage is declared and not yet ended. */
    readonly declared: boolean;
    readonly since: string | null;
    /** `monitors` (all three saw the service down) or `staff`. */
    readonly source: 'monitors' | 'staff' | null;
  };
  /** When service was last restored after an outage (`null`: never). */
  readonly lastRestoration: string | null;
  /** The outage board's revision this was computed from (`null`: no report or outage yet). */
  readonly boardRevision: string | null;
  /** When the service last checked the board. */
  readonly checkedAt: string;
}


/** The public status of a board (a pure function of the board). */
export const publicStatusOf = (board: OutageBoard, revision: bigint | undefined, checkedAtMs: number): PublicStatus => {
  const latest = new Map<string, MonitorReport>();
  for (const report of [...MONITORS.map((m) => board.baseline[m]), ...board.reports]) {
    if (report === null) continue;
    const before = latest.get(report.monitor);
    if (before === undefined || compareReports(before, report) <= 0) latest.set(report.monitor, report);
  }
  const open = openOutage(board);
  const lastEnded = board.outages.reduce<number | null>((max, o) => (o.endedAtMs !== null && (max === null || o.endedAtMs > max) ? o.endedAtMs : max), null);
  return {
    monitors: MONITORS.map((monitor) => {
      const report = latest.get(monitor);
      return { monitor, status: report?.status ?? null, reportedAt: iso(report?.observedAtMs ?? null) };
    }),
    outage: { declared: open !== undefined, since: iso(open?.declaredAtMs ?? null), source: open?.source ?? null },
    lastRestoration: iso(lastEnded),
    boardRevision: revision === undefined ? null : revision.toString(),
    checkedAt: new Date(checkedAtMs).toISOString(),
  };
};

/** How long an answer is served without looking at the log at all. */
export const STATUS_FRESH_MS = 250;
/** How long an answer is served while the read models' position has not moved. */
export const STATUS_IDLE_MS = 5_000;

/**
 * The public status, cached. The board is folded incrementally: a refresh reads only the board
 * events after the last one folded (usually none), and the answer is recomputed only when there
 * were some. Refreshes happen at most every {@link STATUS_FRESH_MS}, and while the log has not
 * moved (the read models' position) at most every {@link STATUS_IDLE_MS}; concurrent requests
 * share one refresh. So a flood of `/status` requests costs one indexed read per 250 ms.
 */
@Injectable()
export class PublicStatusService {
  private board: OutageBoard = outageDecider.initialState;
  private revision: bigint | undefined;
  private answer: PublicStatus | undefined;
  private checkedAtMs = Number.NEGATIVE_INFINITY;
  private seenPosition: string | undefined;
  private refreshing: Promise<PublicStatus> | undefined;
  /** Refreshes that read the log (for tests and metrics). */
  reads = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModelsHost,
    private readonly clock: Clock,
  ) {}

  async current(): Promise<PublicStatus> {
    // Wall time for the cache (the injected clock may stand still in tests).
    const now = Date.now();
    const position = this.positionText();
    if (this.answer !== undefined) {
      const age = now - this.checkedAtMs;
      if (age < STATUS_FRESH_MS || (age < STATUS_IDLE_MS && position === this.seenPosition)) return this.answer;
    }
    this.refreshing ??= this.refresh(position).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private positionText(): string | undefined {
    const p = this.readModels.position();
    return p === undefined ? undefined : `${p.commit}/${p.prepare}`;
  }

  private async refresh(position: string | undefined): Promise<PublicStatus> {
    this.reads += 1;
    const fromRevision = this.revision === undefined ? 0n : this.revision + 1n;
    const stored = await this.store.readStream(OUTAGE_BOARD_STREAM, { fromRevision });
    for (const s of stored) {
      this.board = outageDecider.evolve(this.board, toDomainEvent(s) as OutageEvent);
      this.revision = s.revision;
    }
    const checkedAtMs = Date.now();
    if (this.answer === undefined || stored.length > 0) {
      this.answer = publicStatusOf(this.board, this.revision, this.clock.now().getTime());
    } else {
      this.answer = { ...this.answer, checkedAt: this.clock.now().toISOString() };
    }
    this.checkedAtMs = checkedAtMs;
    this.seenPosition = position;
    return this.answer;
  }
}
