import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { isTicketEvent, type DomainEvent } from '@support-sla/domain';
import type { ReadModels, TicketTransition } from '@support-sla/projections';
import { ReadModelsHost, type ReadModelsFollower } from '../application/read-models.host';
import type { GlobalPosition } from '../event-store/event-store.port';

/** What a compliance report answer is a function of, besides the read models. */
export interface ReportKey {
  readonly from: string;
  readonly to: string;
  /** The effective `asOf` (given, or the earlier of `to` and now when asked). */
  readonly asOf: string;
  readonly format: 'json' | 'csv';
  readonly whatIf: number | undefined;
}

interface Entry {
  readonly fromMs: number;
  readonly toMs: number;
  readonly body: string;
}

/** At most this many answers are kept (least recently used first out)… */
export const REPORT_CACHE_ENTRIES = 64;
/** …and at most this many characters of them in all. */
export const REPORT_CACHE_CHARS = 32 * 1024 * 1024;

/**
 * A monitor's report and an outage's closure change none of the read models (the read models'
 * outages fold neither); every other event that is not a ticket's may change the outages or the
 * policies.
 */
const CHANGES_NO_REPORT: ReadonlySet<string> = new Set(['MonitorReportedStatus', 'OutageClosed']);

/** The cache keeps nothing durable, so it is never behind a stored model (see `ReadModelsFollower.position`). */
const NEVER_BEHIND: GlobalPosition = { commit: 2n ** 63n - 1n, prepare: 2n ** 63n - 1n };

/**
 * Compliance report answers (the rendered bytes), keyed by the query: period, effective `asOf`,
 * format and what-if version. An answer is a pure function of that query and of the read models'
 * tickets received in the period, their outages and their policies, so it stays valid until the
 * fold changes one of those. The cache rides on the read models' one fold (a follower) and drops
 * exactly the answers a folded event can change:
 *
 * - a ticket's transition drops the answers whose period holds the ticket's reception (before or
 *   after the event), and no other: writes to this month's tickets keep last month's answers;
 * - an outage event (but a monitor's report, which the read models do not fold) or a policy
 *   event drops every answer (they are rare, and outages and policies enter every report);
 * - a read-models object other than the one the answers were computed from (the runner started
 *   again from a checkpoint) drops every answer.
 *
 * The report for a period that includes now, asked without `asOf`, is judged at the instant of
 * the request, so each such request is a new key: it is computed, as without the cache.
 */
@Injectable()
export class ComplianceReportCache implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private model: ReadModels | undefined;
  private hits = 0;
  private misses = 0;
  private readonly follower: ReadModelsFollower = {
    name: 'compliance-report-cache',
    position: () => NEVER_BEHIND,
    folded: (_stored, event, transition) => this.folded(event, transition),
    flush: () => undefined,
  };

  constructor(private readonly readModels: ReadModelsHost) {
    // On the one fold from now on: the service's read models start after every module is built.
    readModels.follow(this.follower);
  }

  async onModuleDestroy(): Promise<void> {
    await this.readModels.unfollow(this.follower);
  }

  /** The answer for `key` from `model`: the cached bytes, or `compute()`'s, which are then kept. */
  answer(key: ReportKey, model: ReadModels, compute: () => string): string {
    if (model !== this.model) {
      this.clear();
      this.model = model;
    }
    const id = JSON.stringify([key.from, key.to, key.asOf, key.format, key.whatIf ?? null]);
    const cached = this.entries.get(id);
    if (cached !== undefined) {
      this.hits++;
      // Most recently used last.
      this.entries.delete(id);
      this.entries.set(id, cached);
      return cached.body;
    }
    this.misses++;
    const body = compute();
    const fromMs = Date.parse(key.from);
    const toMs = Date.parse(key.to);
    if (body.length <= REPORT_CACHE_CHARS && Number.isFinite(fromMs) && Number.isFinite(toMs)) {
      this.entries.set(id, { fromMs, toMs, body });
      this.chars += body.length;
      for (const [oldest, entry] of this.entries) {
        if (this.entries.size <= REPORT_CACHE_ENTRIES && this.chars <= REPORT_CACHE_CHARS) break;
        this.drop(oldest, entry);
      }
    }
    return body;
  }

  /** How the cache has done: answers kept, hits, misses. */
  stats(): { readonly entries: number; readonly hits: number; readonly misses: number } {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }

  private folded(event: DomainEvent, transition: TicketTransition | undefined): void {
    if (this.entries.size === 0) return;
    if (transition !== undefined) {
      const after = transition.after.receivedAtMs;
      const before = transition.before?.receivedAtMs;
      for (const [id, entry] of this.entries) {
        if (holds(entry, after) || (before !== undefined && holds(entry, before))) this.drop(id, entry);
      }
      return;
    }
    // A ticket event that changed no ticket changes no report.
    if (isTicketEvent(event) || CHANGES_NO_REPORT.has(event.type)) return;
    this.clear();
  }

  private drop(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.chars -= entry.body.length;
  }

  private clear(): void {
    this.entries.clear();
    this.chars = 0;
  }
}

/** Whether a ticket received at `receivedAtMs` may be in the entry's report (its period, ends included). */
const holds = (entry: Entry, receivedAtMs: number): boolean => receivedAtMs >= entry.fromMs && receivedAtMs <= entry.toMs;
