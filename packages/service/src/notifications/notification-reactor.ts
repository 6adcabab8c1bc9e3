import { alertPoints, ticketExists, ticketSla, type DomainEvent, type SlaPolicy, type Ticket } from '@support-sla/domain';
import { STREAM_PREFIXES } from '../event-store/streams';
import { comparePositions, type EventStore, type GlobalPosition, type StoredEvent, type Subscription } from '../event-store/event-store.port';
import type { NotificationsLogger } from './mail-transport';
import type { NewOutboxRow, NotificationStore } from './notification-store';
import { outageAlertRows } from './outage-alerts';
import type { NotificationsConfig } from './notifications.config';
import {
  contactName,
  decodeStored,
  describeSupportHours,
  formatInstant,
  messageIdFor,
  PolicyBook,
  RecentTickets,
  tierLabel,
} from './ticket-context';
import type { MailTemplates } from './templates';

export interface NotificationReactorOptions {
  readonly store: EventStore;
  readonly db: NotificationStore;
  readonly policies: PolicyBook;
  readonly templates: MailTemplates;
  readonly config: Pick<NotificationsConfig, 'mailFrom' | 'messageIdDomain' | 'warningFractions' | 'oncallEmail' | 'oncallWebhookUrl'>;
  readonly logger: NotificationsLogger;
  /** Wall clock for `created_at` (default `Date.now`). */
  readonly now?: () => number;
  /** Called after a commit that added deliverable outbox rows (wakes the dispatcher). */
  readonly onEnqueued?: () => void;
  /** Called after a commit that changed alert points (wakes the watcher). */
  readonly onPointsChanged?: () => void;
  /** Events read per `readAll` page while catching up (default 256). */
  readonly pageSize?: number;
  /** Wait before resubscribing after the live subscription failed (default 1 s). */
  readonly resubscribeDelayMs?: number;
  /** Streams read from the global log (default: the service's ticket, outage and policy streams). */
  readonly streamPrefixes?: readonly string[];
}

/** Work decided for one event, applied inside the transaction that also moves the checkpoint. */
type Effect = () => { enqueued: boolean; pointsChanged: boolean };

const NOTHING: Effect = () => ({ enqueued: false, pointsChanged: false });

/**
 * Reads the store's global log from its own checkpoint and turns facts into outbox rows and SLA
 * alert points: confirmations (`TicketOpened` under an automatic-confirmation policy),
 * resolutions (`TicketClosed`), restoration notices (`OutageEnded`, for the tickets linked to
 * the outage), outage alerts to the on-call engineers (`OutageDeclared`) and the alert index. Each event's rows and the checkpoint commit in one SQLite
 * transaction, so a crash neither loses nor repeats an event's e-mails; the outbox's unique
 * (purpose, ticket) key makes a replayed event harmless as well.
 */
export class NotificationReactor {
  static readonly CHECKPOINT = 'notifications';

  private readonly now: () => number;
  private readonly pageSize: number;
  private readonly streamPrefixes: readonly string[];
  private lock: Promise<unknown> = Promise.resolve();
  private subscription: Subscription | undefined;
  private resubscribeTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** Counts start() and stop() calls: a catch-up started by an earlier start() ends at its next page. */
  private runs = 0;

  private readonly tickets: RecentTickets;

  constructor(private readonly options: NotificationReactorOptions) {
    this.tickets = new RecentTickets(options.store);
    this.now = options.now ?? Date.now;
    this.pageSize = options.pageSize ?? 256;
    this.streamPrefixes = options.streamPrefixes ?? STREAM_PREFIXES;
  }

  get checkpoint() {
    return this.options.db.checkpoint(NotificationReactor.CHECKPOINT);
  }

  /**
   * Processes everything in the log after the checkpoint, page by page; resolves with the count.
   * A page commits in one transaction (one fsync), which keeps a rebuild or a long catch-up fast.
   */
  catchUp(): Promise<number> {
    return this.catchUpWhile(() => true);
  }

  /** {@link catchUp}, ended before a page when `going()` turns false (the checkpoint has the rest). */
  private async catchUpWhile(going: () => boolean): Promise<number> {
    let processed = 0;
    for (;;) {
      if (!going()) return processed;
      const page = await this.options.store.readAll({ after: this.checkpoint, maxCount: this.pageSize, streamPrefixes: this.streamPrefixes });
      processed += await this.handleBatch(page);
      if (page.length < this.pageSize) return processed;
    }
  }

  /**
   * Catches up, then follows the log live until {@link stop}. A failure (store unreachable, a
   * template that does not render) is logged and retried from the checkpoint with a growing
   * delay, so it never stops the service from starting and never skips an event.
   */
  async start(): Promise<void> {
    this.running = true;
    const run = ++this.runs;
    // stop() (or another start()) during a long catch-up ends it at the next page.
    const current = (): boolean => this.runs === run;
    try {
      await this.catchUpWhile(current);
    } catch (error) {
      if (current()) this.failed(error);
      return;
    }
    if (current()) this.subscribe();
  }

  private failures = 0;

  private failed(error: unknown): void {
    this.failures++;
    const delay = Math.min(60_000, (this.options.resubscribeDelayMs ?? 1_000) * 2 ** Math.min(this.failures - 1, 10));
    this.options.logger.error({
      msg: 'notification reactor failed; resuming from its checkpoint',
      error: error instanceof Error ? error.message : String(error),
      retryInMs: delay,
    });
    this.subscription = undefined;
    if (this.running) this.resubscribeTimer = setTimeout(() => this.subscribe(), delay);
  }

  // Live events are buffered and committed a batch at a time (one transaction for the events
  // that arrived together, not one each). `generation` changes with every (re)subscription, so a
  // batch queued by a failed subscription never runs after the failure: the next subscription
  // starts again from the checkpoint, and no event is skipped.
  private buffer: StoredEvent[] = [];
  private drainScheduled = false;
  private generation = 0;

  private subscribe(): void {
    if (!this.running) return;
    const generation = ++this.generation;
    this.buffer = [];
    this.drainScheduled = false;
    this.subscription = this.options.store.subscribeToAll({
      after: this.checkpoint,
      streamPrefixes: this.streamPrefixes,
      onEvent: (event) => {
        if (generation !== this.generation) return undefined;
        this.buffer.push(event);
        // A full buffer holds the subscription back until it is committed.
        if (this.buffer.length >= this.pageSize) return this.drain(generation);
        if (!this.drainScheduled) {
          this.drainScheduled = true;
          setImmediate(() => void this.drain(generation));
        }
        return undefined;
      },
      // Other streams were passed over: move past them so a restart does not scan them again
      // (after the buffered events, which come before that position).
      onCheckpoint: async (position) => {
        await this.drain(generation);
        if (generation === this.generation) await this.advance(position);
      },
      onError: (error) => {
        if (generation === this.generation) this.failed(error);
      },
    });
  }

  /** Commits the buffered live events; on failure, drops the subscription and resumes from the checkpoint. */
  private drain(generation: number): Promise<void> {
    // A drain left over from an earlier subscription must not take (and drop) the new one's events.
    if (generation !== this.generation || !this.running) return this.lock.then(() => undefined);
    this.drainScheduled = false;
    const events = this.buffer;
    this.buffer = [];
    if (events.length === 0) return this.lock.then(() => undefined);
    const run = this.lock.then(() => (generation === this.generation ? this.process(events) : 0));
    this.lock = run.catch(() => undefined);
    return run.then(
      () => {
        this.failures = 0;
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.generation++;
        this.buffer = [];
        const failing = this.subscription;
        this.subscription = undefined;
        void failing?.stop();
        this.failed(error);
      },
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    this.runs++;
    this.generation++;
    this.buffer = [];
    if (this.resubscribeTimer !== undefined) clearTimeout(this.resubscribeTimer);
    await this.subscription?.stop();
    this.subscription = undefined;
    await this.lock.catch(() => undefined);
  }

  private advance(position: GlobalPosition): Promise<void> {
    const run = this.lock.then(() => {
      const { db } = this.options;
      db.transaction(() => {
        const current = db.checkpoint(NotificationReactor.CHECKPOINT);
        if (current === undefined || comparePositions(position, current) > 0) db.saveCheckpoint(NotificationReactor.CHECKPOINT, position);
      });
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Applies events in order, serialized with every other call; resolves with how many were new. */
  handleBatch(events: readonly StoredEvent[]): Promise<number> {
    const run = this.lock.then(() => this.process(events));
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async process(events: readonly StoredEvent[]): Promise<number> {
    const { db } = this.options;
    let applied = 0;
    let pending: { stored: StoredEvent; effect: Effect }[] = [];
    const commit = (): void => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const outcome = db.transaction(() => {
        let enqueued = false;
        let pointsChanged = false;
        let count = 0;
        for (const { stored, effect } of batch) {
          const current = db.checkpoint(NotificationReactor.CHECKPOINT);
          if (current !== undefined && comparePositions(stored.position, current) <= 0) continue;
          const result = effect();
          enqueued ||= result.enqueued;
          pointsChanged ||= result.pointsChanged;
          db.saveCheckpoint(NotificationReactor.CHECKPOINT, stored.position);
          count++;
        }
        return { enqueued, pointsChanged, count };
      });
      applied += outcome.count;
      if (outcome.enqueued) this.options.onEnqueued?.();
      if (outcome.pointsChanged) this.options.onPointsChanged?.();
    };
    const before = db.checkpoint(NotificationReactor.CHECKPOINT);
    for (const stored of events) {
      if (before !== undefined && comparePositions(stored.position, before) <= 0) continue;
      const event = decodeStored(stored);
      const effect = event === undefined ? NOTHING : await this.decide(stored, event);
      pending.push({ stored, effect });
      // Later events of the page may need this policy version: commit it before deciding them.
      if (event?.type === 'PolicyPublished') commit();
    }
    commit();
    return applied;
  }

  /** Reads what the event needs (the ticket as of the event) and returns the synchronous effect. */
  private async decide(stored: StoredEvent, event: DomainEvent): Promise<Effect> {
    const { db, policies } = this.options;
    switch (event.type) {
      case 'PolicyPublished':
        return () => {
          policies.record(event.data.policy);
          return { enqueued: false, pointsChanged: false };
        };
      case 'OutageDeclared': {
        // Engineers are alerted at once, at any hour (the agreement's "advanced alert system ... 24/7").
        const rows = outageAlertRows(event.data, stored.id, this.options.config, this.options.templates, this.outageTimeZone(), this.now());
        return () => {
          db.declareOutage(event.data.outageId, event.data.declaredAt);
          let added = false;
          for (const row of rows) added = db.enqueue(row) || added;
          if (this.options.config.oncallEmail === undefined) {
            this.options.logger.error({
              msg: 'outage declared, but ONCALL_EMAIL is not set: no alert e-mail to the on-call engineers',
              outageId: event.data.outageId,
              declaredAt: event.data.declaredAt,
              webhook: this.options.config.oncallWebhookUrl !== undefined,
            });
          }
          return { enqueued: added, pointsChanged: false };
        };
      }
      case 'OutageAlertSent': {
        const { outageId, channel } = event.data;
        return () => {
          // Sent and recorded from another mail file (this one rebuilt from the log): not again.
          db.suppressAlertRecordedAsSent(outageId, channel);
          return { enqueued: false, pointsChanged: false };
        };
      }
      case 'OutageClosed': {
        const { outageId } = event.data;
        return () => {
          // Debriefed and closed: an alert still not out (a mail file rebuilt from an old log,
          // or one never delivered) would only page engineers about an outage long over.
          db.suppressUnsentAlerts(outageId, `outage ${outageId} was closed before its alert went out`);
          return { enqueued: false, pointsChanged: false };
        };
      }
      case 'OutageEnded':
        return () => {
          const { outageId } = event.data;
          if (db.outage(outageId) === undefined) db.declareOutage(outageId, event.data.endedAt);
          db.endOutage(outageId, event.data.endedAt, stored.id);
          const outage = db.outage(outageId);
          for (const link of db.links(outageId)) {
            this.enqueueRestored(link, outageId, outage?.declared_at ?? event.data.endedAt, event.data.endedAt, stored.id);
          }
          return { enqueued: true, pointsChanged: false };
        };
      case 'MonitorReportedStatus':
      case 'OutageAlertAcknowledged':
      case 'OutageDebriefRecorded':
        return NOTHING;
      default:
        return this.decideTicket(stored, event);
    }
  }

  private async decideTicket(stored: StoredEvent, event: DomainEvent): Promise<Effect> {
    // Every ticket event goes through the kept states (TicketQueued too), so the next one folds onto it.
    const state = await this.tickets.after(stored, event);
    if (event.type === 'TicketQueued' || !ticketExists(state)) return NOTHING;
    const ticket = state;
    const { db, policies, logger } = this.options;
    const policy = policies.get(ticket.policyVersion);
    if (policy === undefined) {
      logger.error({ msg: 'ticket pins a policy version the notifications have not seen; no e-mails or alerts for it', ticket: ticket.ticketNumber, policyVersion: ticket.policyVersion });
      return NOTHING;
    }
    const fractions = this.options.config.warningFractions ?? policy.warningFractions;
    const points = alertPoints(ticket, policy, fractions, ticket.lastEventAtMs).map((p) => ({ clock: p.clock, level: p.level, due_at: p.dueAtMs }));
    const updatePoints = (): void => db.replacePoints(ticket.ticketId, stored.streamId, points);

    switch (event.type) {
      case 'TicketOpened': {
        if (policy.confirmation !== 'automatic') {
          return () => {
            updatePoints();
            return { enqueued: false, pointsChanged: true };
          };
        }
        const rendered = this.confirmation(ticket, policy, stored.id);
        return () => {
          updatePoints();
          // Sent at once, outage or not: only linking the ticket to a declared outage withholds
          // it (TicketLinkedToOutage below; the restoration notice replaces it).
          const added = db.enqueue({ ...rendered, status: 'pending', hold_outage_id: null });
          return { enqueued: added, pointsChanged: true };
        };
      }
      case 'TicketClosed': {
        const rendered = this.resolution(ticket, policy, event.data.resolutionDetails, event.data.notifyEmail, event.data.at, stored.id);
        return () => {
          updatePoints();
          // A confirmation not out yet (mail server down, outage) would arrive after the resolution.
          db.suppressUnsentConfirmation(ticket.ticketId, 'the ticket was closed first');
          return { enqueued: db.enqueue(rendered), pointsChanged: true };
        };
      }
      case 'TicketAcknowledged':
        return () => {
          updatePoints();
          // Acknowledged some other way (an agent, or a response) before our e-mail went out: it is not needed.
          db.suppressUnsentConfirmation(ticket.ticketId, 'the ticket was acknowledged first');
          return { enqueued: false, pointsChanged: true };
        };
      case 'TicketNotificationSent': {
        const { messageId } = event.data;
        return () => {
          updatePoints();
          // Sent and recorded from another mail file (this one rebuilt from the log, or another
          // replica's before the sending moved here): not to be sent again.
          db.suppressRecordedAsSent(messageId);
          return { enqueued: false, pointsChanged: true };
        };
      }
      case 'TicketLinkedToOutage': {
        const { outageId } = event.data;
        const link = {
          outage_id: outageId,
          ticket_id: ticket.ticketId,
          ticket_number: ticket.ticketNumber,
          contact_email: ticket.namedUser.email,
          contact_name: ticket.namedUser.name ?? null,
          summary: ticket.request.summary,
        };
        return () => {
          updatePoints();
          db.link(link);
          const outage = db.outage(outageId);
          if (outage?.ended_at == null) {
            db.suppressUnsentConfirmation(ticket.ticketId, `linked to outage ${outageId} while it was declared`);
            return { enqueued: false, pointsChanged: true };
          }
          // Linked after service came back: the contact has not been told yet.
          const added = this.enqueueRestored(link, outageId, outage.declared_at, outage.ended_at, stored.id);
          return { enqueued: added, pointsChanged: true };
        };
      }
      default:
        return () => {
          updatePoints();
          return { enqueued: false, pointsChanged: true };
        };
    }
  }

  private base(purpose: NewOutboxRow['purpose'], ticket: Pick<Ticket, 'ticketId' | 'ticketNumber'>, triggerId: string) {
    return {
      dedupe_key: `${purpose}:${ticket.ticketId}`,
      purpose,
      channel: 'email' as const,
      ticket_id: ticket.ticketId,
      ticket_number: ticket.ticketNumber,
      trigger_event_id: triggerId,
      message_id: messageIdFor(purpose, ticket.ticketNumber, triggerId, this.options.config.messageIdDomain),
      created_at: this.now(),
    };
  }

  private confirmation(ticket: Ticket, policy: SlaPolicy, triggerId: string): Omit<NewOutboxRow, 'status' | 'hold_outage_id'> {
    const tz = policy.supportCalendar.timeZone;
    const sla = ticketSla(ticket, policy, ticket.lastEventAtMs);
    const rendered = this.options.templates.render(ticket.tier === 'premium' ? 'confirmation-premium' : 'confirmation-professional', {
      ticketNumber: ticket.ticketNumber,
      contactName: contactName(ticket),
      contactEmail: ticket.namedUser.email,
      summary: ticket.request.summary,
      tierLabel: tierLabel(ticket),
      receivedAt: formatInstant(ticket.receivedAtMs, tz),
      responseDeadline: sla.response.deadlineMs === null ? 'the next business day' : formatInstant(sla.response.deadlineMs, tz),
      supportHours: describeSupportHours(policy),
    });
    return {
      ...this.base('confirmation', ticket, triggerId),
      recipient: ticket.namedUser.email,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
    };
  }

  private resolution(ticket: Ticket, policy: SlaPolicy, details: string, to: string, at: string, triggerId: string): NewOutboxRow {
    const rendered = this.options.templates.render('resolution', {
      ticketNumber: ticket.ticketNumber,
      contactName: contactName(ticket),
      contactEmail: to,
      summary: ticket.request.summary,
      tierLabel: tierLabel(ticket),
      closedAt: formatInstant(Date.parse(at), policy.supportCalendar.timeZone),
      resolutionDetails: details,
    });
    return {
      ...this.base('resolution', ticket, triggerId),
      recipient: to,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      status: 'pending',
      hold_outage_id: null,
    };
  }

  private enqueueRestored(
    link: { ticket_id: string; ticket_number: string; contact_email: string; contact_name: string | null; summary: string },
    outageId: string,
    declaredAt: string,
    endedAt: string,
    triggerId: string,
  ): boolean {
    const tz = this.outageTimeZone();
    const rendered = this.options.templates.render('outage-restored', {
      ticketNumber: link.ticket_number,
      contactName: link.contact_name ?? link.contact_email,
      contactEmail: link.contact_email,
      summary: link.summary,
      outageId,
      declaredAt: formatInstant(Date.parse(declaredAt), tz),
      endedAt: formatInstant(Date.parse(endedAt), tz),
    });
    return this.options.db.enqueue({
      ...this.base('outage-restored', { ticketId: link.ticket_id, ticketNumber: link.ticket_number }, triggerId),
      recipient: link.contact_email,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      status: 'pending',
      hold_outage_id: null,
    });
  }

  /** Outage notices use the default policy's support time zone (an outage belongs to no ticket's policy). */
  private outageTimeZone(): string {
    return this.options.policies.get(1)?.supportCalendar.timeZone ?? 'America/New_York';
  }
}
