import type { DomainEvent } from '@support-sla/domain';
import type { ReadModels, TicketTransition } from '@support-sla/projections';
import type { ReadModelsFollower } from '../application/read-models.host';
import { comparePositions, type GlobalPosition, type StoredEvent } from '../event-store/event-store.port';
import { decideNotifications, duePointsOf, type NotificationEffect, type NotificationRules } from './decide-notifications';
import type { NotificationsLogger } from './mail-transport';
import { renderConfirmation, renderResolution, renderRestored, ticketRowBase } from './mail-rendering';
import { NotificationStore, type MailPurpose, type NewOutboxRow } from './notification-store';
import type { NotificationsConfig } from './notifications.config';
import { outageAlertRows } from './outage-alerts';
import type { MailTemplates } from './templates';

export interface MailFollowerOptions {
  readonly db: NotificationStore;
  readonly templates: MailTemplates;
  readonly config: Pick<NotificationsConfig, 'mailFrom' | 'messageIdDomain' | 'warningFractions' | 'oncallEmail' | 'oncallWebhookUrl'>;
  readonly logger: NotificationsLogger;
  /** Wall clock for `created_at` (default `Date.now`). */
  readonly now?: () => number;
  /** Called after a commit that added deliverable outbox rows (wakes the dispatcher). */
  readonly onEnqueued?: () => void;
  /** Called after a commit that changed alert points (wakes the watcher). */
  readonly onPointsChanged?: () => void;
  /** First delay before a failed batch is written again (default 1 s, doubling up to 1 min). */
  readonly retryMs?: number;
}

/** The effects one event was decided to have, and where it is in the log. */
interface Decided {
  readonly position: GlobalPosition;
  readonly effects: readonly NotificationEffect[];
}

/** An outbox row decided in the batch, written (and rendered, if it is to be sent) when the batch commits. */
interface Entry {
  readonly key: string;
  readonly purpose: MailPurpose;
  readonly ticketId: string;
  readonly messageId: string;
  status: 'pending' | 'suppressed';
  reason: string | null;
  /** The row but its text, its status and its time. */
  readonly base: () => Omit<NewOutboxRow, 'subject' | 'text_body' | 'html_body' | 'status' | 'hold_outage_id' | 'created_at'>;
  readonly render: () => { readonly subject: string; readonly text: string; readonly html: string };
}

const NO_TEXT = { subject: '', text: '', html: '' };

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
  static readonly CHECKPOINT = 'notifications';
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
  /** Events whose effects were written by this follower. */
  applied = 0;

  constructor(private readonly options: MailFollowerOptions) {
    this.now = options.now ?? Date.now;
    this.rules = {
      ...(options.config.warningFractions === undefined ? {} : { warningFractions: options.config.warningFractions }),
      ...(options.config.oncallEmail === undefined ? {} : { oncallEmail: options.config.oncallEmail }),
    };
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

  /** Writes the batch now unless a failed one waits for its retry (that retry writes it). */
  readonly flush = (): void => {
    if (this.retryTimer !== undefined || this.closed) return;
    this.tryWrite();
  };

  /** True when everything handed over is written. */
  get idle(): boolean {
    return this.queue.length === 0 && !this.unwritten() && this.retryTimer === undefined;
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
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
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
  }

  private tryWrite(): Error | undefined {
    if (this.queue.length === 0 && !this.unwritten()) {
      this.settled();
      return undefined;
    }
    const { db, templates } = this.options;
    try {
      const batch = this.queue;
      const outcome = templates.batch(() => db.transaction(() => this.write(batch)));
      this.queue = this.queue.slice(batch.length);
      this.written = outcome.checkpoint ?? this.written;
      this.failures = 0;
      this.applied += outcome.count;
      for (const entry of outcome.logs) this.options.logger.error(entry);
      if (outcome.enqueued) this.options.onEnqueued?.();
      if (outcome.pointsChanged) this.options.onPointsChanged?.();
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
      this.tryWrite();
    }, delay);
  }

  /** Inside the transaction: the batch's effects past the stored checkpoint, coalesced, then the checkpoint. */
  private write(batch: readonly Decided[]) {
    const { db, config, templates } = this.options;
    const stored = db.checkpoint(MailFollower.CHECKPOINT);
    const entries = new Map<string, Entry>();
    const byMessageId = new Map<string, Entry>();
    const points = new Map<string, Extract<NotificationEffect, { kind: 'alert-points' }>>();
    const logs: Record<string, unknown>[] = [];
    let count = 0;
    const add = (entry: Entry): void => {
      // One row per dedupe key: the first decided wins, as the outbox's unique key makes it.
      if (entries.has(entry.key)) return;
      entries.set(entry.key, entry);
      byMessageId.set(entry.messageId, entry);
    };
    const suppress = (entry: Entry | undefined, reason: string): boolean => {
      if (entry === undefined) return false;
      if (entry.status === 'pending') {
        entry.status = 'suppressed';
        entry.reason = reason;
      }
      return true;
    };
    const ticketMail = (purpose: MailPurpose, ticket: { ticketId: string; ticketNumber: string }, triggerId: string, recipient: string, render: Entry['render']): void => {
      const base = { ...ticketRowBase(purpose, ticket, triggerId, config.messageIdDomain), recipient };
      add({ key: base.dedupe_key, purpose, ticketId: ticket.ticketId, messageId: base.message_id, status: 'pending', reason: null, base: () => base, render });
    };

    for (const decided of batch) {
      if (stored !== undefined && comparePositions(decided.position, stored) <= 0) continue;
      count++;
      for (const effect of decided.effects) {
        switch (effect.kind) {
          case 'alert-points':
            // Only the last of the batch counts; re-inserting moves the ticket to the end (its latest).
            points.delete(effect.ticketId);
            points.set(effect.ticketId, effect);
            break;
          case 'confirmation':
            ticketMail('confirmation', effect.ticket, effect.triggerId, effect.ticket.namedUser.email, () => renderConfirmation(templates, effect.ticket, effect.policy));
            break;
          case 'resolution':
            ticketMail('resolution', effect.ticket, effect.triggerId, effect.to, () => renderResolution(templates, effect.ticket, effect.policy, effect.details, effect.to, effect.at));
            break;
          case 'outage-restored':
            ticketMail('outage-restored', effect.ticket, effect.triggerId, effect.ticket.contactEmail, () =>
              renderRestored(templates, effect.ticket, effect.outageId, effect.declaredAtMs, effect.endedAtMs, effect.timeZone),
            );
            break;
          case 'outage-alert': {
            // Rendered once for both channels, when the batch is written.
            let rows: NewOutboxRow[] | undefined;
            const all = (): NewOutboxRow[] => (rows ??= outageAlertRows(effect.outage, effect.triggerId, config, templates, effect.timeZone, 0));
            const channels = [...(config.oncallEmail === undefined ? [] : ['email' as const]), ...(config.oncallWebhookUrl === undefined ? [] : ['webhook' as const])];
            for (const channel of channels) {
              const row = (): NewOutboxRow => all().find((r) => r.channel === channel)!;
              add({
                key: NotificationStore.alertKey(effect.outage.outageId, channel),
                purpose: 'outage-alert',
                ticketId: effect.outage.outageId,
                messageId: `${channel}:${effect.triggerId}`,
                status: 'pending',
                reason: null,
                base: () => {
                  // eslint-disable-next-line @typescript-eslint/no-unused-vars
                  const { subject, text_body, html_body, status, hold_outage_id, created_at, ...rest } = row();
                  return rest;
                },
                render: () => ({ subject: row().subject, text: row().text_body, html: row().html_body }),
              });
            }
            break;
          }
          case 'oncall-unset':
            logs.push({
              msg: 'outage declared, but ONCALL_EMAIL is not set: no alert e-mail to the on-call engineers',
              outageId: effect.outageId,
              declaredAt: effect.declaredAt,
              webhook: config.oncallWebhookUrl !== undefined,
            });
            break;
          case 'unknown-policy':
            logs.push({ msg: 'ticket pins a policy version the notifications have not seen; no e-mails or alerts for it', ticket: effect.ticketNumber, policyVersion: effect.policyVersion });
            break;
          // A row queued in this batch is not in the file yet (its trigger event is past the
          // checkpoint), so it is suppressed here; any other is suppressed in the file.
          case 'suppress-confirmation':
            if (!suppress(entries.get(`confirmation:${effect.ticketId}`), effect.reason)) db.suppressUnsentConfirmation(effect.ticketId, effect.reason);
            break;
          case 'suppress-recorded-as-sent':
            if (!suppress(byMessageId.get(effect.messageId), 'already sent: recorded on the ticket (TicketNotificationSent)')) db.suppressRecordedAsSent(effect.dedupeKey, effect.messageId);
            break;
          case 'suppress-alert-recorded-as-sent':
            if (!suppress(entries.get(NotificationStore.alertKey(effect.outageId, effect.channel)), 'already sent: recorded on the outage board (OutageAlertSent)')) {
              db.suppressAlertRecordedAsSent(effect.outageId, effect.channel);
            }
            break;
          case 'suppress-unsent-alerts':
            for (const entry of entries.values()) if (entry.purpose === 'outage-alert' && entry.ticketId === effect.outageId) suppress(entry, effect.reason);
            db.suppressUnsentAlerts(effect.outageId, effect.reason);
            break;
        }
      }
    }

    let enqueued = false;
    const createdAt = this.now();
    for (const entry of entries.values()) {
      // Only what is to be sent is rendered; a suppressed row keeps its key, Message-ID and reason.
      const text = entry.status === 'pending' ? entry.render() : NO_TEXT;
      const added = db.enqueue(
        { ...entry.base(), subject: text.subject, text_body: text.text, html_body: text.html, status: entry.status, hold_outage_id: null, created_at: createdAt },
        entry.reason,
      );
      enqueued ||= added && entry.status === 'pending';
    }
    for (const [ticketId, effect] of points) db.replacePoints(ticketId, effect.streamId, duePointsOf(effect));

    const checkpoint = this.seen !== undefined && (stored === undefined || comparePositions(this.seen, stored) > 0) ? this.seen : stored;
    if (checkpoint !== undefined && checkpoint !== stored) db.saveCheckpoint(MailFollower.CHECKPOINT, checkpoint);
    return { count, enqueued, pointsChanged: points.size > 0, logs, checkpoint };
  }
}
