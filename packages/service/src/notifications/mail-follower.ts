import type { DomainEvent } from '@support-sla/domain';
import type { ReadModels, TicketTransition } from '@support-sla/projections';
import type { ReadModelsFollower } from '../application/read-models.host';
import { comparePositions, type GlobalPosition, type StoredEvent } from '../event-store/event-store.port';
import { decideNotifications, type NotificationEffect, type NotificationRules } from './decide-notifications';
import { MAIL_CHECKPOINT, writeMailBatch, type Decided, type MailBatchOutcome, type MailBatchWriter } from './mail-batch';
import type { NotificationsLogger } from './mail-transport';
import type { NotificationStore } from './notification-store';
import type { NotificationsConfig } from './notifications.config';
import type { MailTemplates } from './templates';

export interface MailFollowerOptions {
  readonly db: NotificationStore;
  readonly templates: MailTemplates;
  readonly config: Pick<NotificationsConfig, 'mailFrom' | 'messageIdDomain' | 'warningFractions' | 'oncallEmail' | 'oncallWebhookUrl' | 'slaAlertEmail' | 'slaAlertWebhookUrl'>;
  readonly logger: NotificationsLogger;
  /** Wall clock for `created_at` (default `Date.now`). */
  readonly now?: () => number;
  /** Called after a commit that added deliverable outbox rows (wakes the dispatcher). */
  readonly onEnqueued?: () => void;
  /** Called after a commit that wrote alert points, with the earliest one's due time (wakes the watcher if it is due). */
  readonly onPointsChanged?: (earliestDueMs: number) => void;
  /** First delay before a failed batch is written again (default 1 s, doubling up to 1 min). */
  readonly retryMs?: number;
  /**
   * Writes the batches elsewhere (a thread with its own connection: `src/deployment`). Then
   * `flush()` returns a promise, one batch is in flight at a time, and a batch stays queued until
   * the writer says it is committed. `drain()` still writes in-process.
   */
  readonly writer?: MailBatchWriter;
}


/**
 * The mailer on the read models' fold: each folded event is decided at once (pure, with the read
 * models as of that event: {@link decideNotifications}), and at the end of each batch the
 * decisions are written to the mail file in **one transaction with the mail checkpoint**, events
 * at or below the stored checkpoint skipped inside it (so several processes on one mail file, or
 * a model folded again, write each event's effects once). Within a batch, effects coalesce: a
 * ticket's alert points are written once (its last), an e-mail suppressed in the same batch it
 * was queued in is stored suppressed without being rendered. A batch that fails (a template that
 * does not render, the file unwritable) is kept, with what follows it, and written again with a
 * growing delay: events are never skipped, nor written out of order.
 */
export class MailFollower implements ReadModelsFollower {
  static readonly CHECKPOINT = MAIL_CHECKPOINT;
  readonly name = 'notifications';

  private readonly now: () => number;
  private readonly rules: NotificationRules;
  private queue: Decided[] = [];
  /** The last position handed over (an event folded, or passed over). */
  private seen: GlobalPosition | undefined;
  /** The last checkpoint this follower knows to be stored. */
  private written: GlobalPosition | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  /** The batch being written by the writer thread. */
  private inFlight: Promise<void> | undefined;
  /** Flushes waiting for a position to be written (or for the batch that holds it to fail). */
  private flushWaiters: { readonly target: GlobalPosition | undefined; readonly resolve: () => void }[] = [];
  /** Events whose effects were written by this follower. */
  applied = 0;

  constructor(private readonly options: MailFollowerOptions) {
    this.now = options.now ?? Date.now;
    this.rules = { warningFractions: options.config.warningFractions, oncallEmail: options.config.oncallEmail };
    this.written = options.db.checkpoint(MailFollower.CHECKPOINT);
  }

  /** The stored mail checkpoint. */
  get checkpoint(): GlobalPosition | undefined {
    return this.options.db.checkpoint(MailFollower.CHECKPOINT);
  }

  readonly position = (): GlobalPosition | undefined => this.checkpoint;

  readonly folded = (stored: StoredEvent, event: DomainEvent, transition: TicketTransition | undefined, model: ReadModels): void => {
    this.seen = stored.position;
    if (this.written !== undefined && comparePositions(stored.position, this.written) <= 0) return;
    let effects: readonly NotificationEffect[];
    try {
      effects = decideNotifications({ event, eventId: stored.id, streamId: stored.streamId, transition, readModels: model }, this.rules);
    } catch (error) {
      // A pure decision that throws is a bug: retrying cannot help, and the read models must go on.
      this.options.logger.error({ msg: 'the mailer could not decide about an event; no e-mail for it', stream: stored.streamId, revision: String(stored.revision), error: (error as Error).message });
      effects = [];
    }
    this.queue.push({ position: stored.position, effects });
  };

  readonly passed = (position: GlobalPosition): void => {
    if (this.seen !== undefined && comparePositions(position, this.seen) <= 0) return;
    this.seen = position;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  };

  /**
   * Writes the batch now unless a failed one waits for its retry (that retry writes it). With a
   * writer thread: hands the batch over, and holds the fold back only while an earlier batch is
   * still being written (so that the fold and the writing overlap, and the queue stays short);
   * {@link durable} waits for the commit.
   */
  readonly flush = (): void | Promise<void> => {
    if (this.retryTimer !== undefined || this.closed) return;
    if (this.options.writer === undefined) {
      this.tryWrite();
      return;
    }
    const earlier = this.inFlight;
    this.pump();
    return earlier;
  };

  /**
   * With a writer thread: resolves once what was handed over so far is committed, or its batch
   * failed (it is then retried, with what follows it). The runner waits for it before it stores
   * the read models, so that their stored position does not pass the mail checkpoint.
   */
  readonly durable = (): void | Promise<void> => {
    if (this.options.writer === undefined || this.retryTimer !== undefined || this.closed) return;
    if (this.queue.length === 0 && !this.unwritten() && this.inFlight === undefined) return;
    const target = this.seen;
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ target, resolve }));
    this.pump();
    return done;
  };

  /** True when everything handed over is written. */
  get idle(): boolean {
    return this.queue.length === 0 && !this.unwritten() && this.retryTimer === undefined && this.inFlight === undefined;
  }

  /** A position handed over (passed over, or of an event skipped) that the stored checkpoint does not cover yet. */
  private unwritten(): boolean {
    return this.seen !== undefined && (this.written === undefined || comparePositions(this.seen, this.written) > 0);
  }

  /** Resolves once everything handed over so far is written (after retries, if a batch fails). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Writes what was handed over now, also while a failed batch waits for its retry; throws that
   * batch's error when it fails again (and keeps it for the retry). Returns how many events it wrote.
   */
  drain(): number {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const before = this.applied;
    const error = this.tryWrite();
    if (error !== undefined) throw error;
    return this.applied - before;
  }

  /** No more retries (the mail file is about to close). What is not written is redone from the checkpoint. */
  close(): void {
    this.closed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.releaseFlushes(true);
  }

  /** Resolves the flushes whose position is written (all of them with `all`: a batch failed, or closing). */
  private releaseFlushes(all: boolean): void {
    if (this.flushWaiters.length === 0) return;
    const written = this.written;
    const keep: typeof this.flushWaiters = [];
    for (const waiter of this.flushWaiters) {
      const done = all || waiter.target === undefined || (written !== undefined && comparePositions(waiter.target, written) <= 0);
      if (done) waiter.resolve();
      else keep.push(waiter);
    }
    this.flushWaiters = keep;
  }

  /**
   * With a writer thread: sends what is queued as one batch unless one is in flight, and goes on
   * with what was queued meanwhile once it is committed. A failed batch (or a thread that died)
   * stays queued and is retried after a growing delay, with what follows it.
   */
  private pump(): void {
    const writer = this.options.writer;
    if (writer === undefined || this.inFlight !== undefined || this.retryTimer !== undefined || this.closed) return;
    if (this.queue.length === 0 && !this.unwritten()) {
      this.releaseFlushes(true);
      this.settled();
      return;
    }
    const batch = this.queue;
    const seen = this.seen;
    this.inFlight = writer.write({ batch, seen, now: this.now() }).then(
      (outcome) => {
        this.inFlight = undefined;
        this.committed(outcome);
        this.releaseFlushes(false);
        if (this.queue.length > 0 || this.unwritten()) this.pump();
        else {
          this.releaseFlushes(true);
          this.settled();
        }
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.failed(error);
        // The runner goes on; this follower retries the batch itself.
        this.releaseFlushes(true);
      },
    );
  }

  /** A batch is committed: what its checkpoint covers leaves the queue (by position: `drain()` may have written some already). */
  private committed(outcome: MailBatchOutcome): void {
    const checkpoint = outcome.checkpoint;
    if (checkpoint !== undefined) {
      let covered = 0;
      while (covered < this.queue.length && comparePositions(this.queue[covered]!.position, checkpoint) <= 0) covered++;
      if (covered > 0) this.queue = this.queue.slice(covered);
      if (this.written === undefined || comparePositions(checkpoint, this.written) > 0) this.written = checkpoint;
    }
    this.failures = 0;
    this.applied += outcome.count;
    for (const entry of outcome.logs) this.options.logger.error(entry);
    if (outcome.enqueued) this.options.onEnqueued?.();
    if (outcome.earliestDue !== null) this.options.onPointsChanged?.(outcome.earliestDue);
  }

  private tryWrite(): Error | undefined {
    if (this.queue.length === 0 && !this.unwritten()) {
      this.settled();
      return undefined;
    }
    const { db, templates, config } = this.options;
    try {
      const outcome = writeMailBatch({ db, templates, config }, { batch: this.queue, seen: this.seen, now: this.now() });
      this.committed(outcome);
      this.releaseFlushes(false);
      this.settled();
      return undefined;
    } catch (error) {
      this.failed(error);
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  private settled(): void {
    if (!this.idle) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private failed(error: unknown): void {
    this.failures++;
    const delay = Math.min(60_000, (this.options.retryMs ?? 1_000) * 2 ** Math.min(this.failures - 1, 10));
    this.options.logger.error({
      msg: 'notification reactor failed; resuming from its checkpoint',
      error: error instanceof Error ? error.message : String(error),
      retryInMs: delay,
    });
    if (this.closed) return;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.options.writer === undefined) this.tryWrite();
      else this.pump();
    }, delay);
  }
}
