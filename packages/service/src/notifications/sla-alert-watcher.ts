import { alertStillDue, BREACH, ticketSla, type AlertClock, type SlaPolicy, type Ticket } from '@support-sla/domain';
import type { EventStore } from '../event-store/event-store.port';
import { ticketRowBase } from './mail-rendering';
import type { NotificationsLogger } from './mail-transport';
import type { AlertPointRow, NotificationStore } from './notification-store';
import type { NotificationsConfig } from './notifications.config';
import { alertRows } from './outage-alerts';
import { formatDuration, formatInstant, readTicket, tierLabel } from './ticket-context';
import type { MailTemplates } from './templates';

export interface SlaAlertWatcherOptions {
  readonly store: EventStore;
  readonly db: NotificationStore;
  /** The policy versions known (the read models' policy book). */
  readonly policyOf: (version: number) => SlaPolicy | undefined;
  readonly templates: MailTemplates;
  readonly config: Pick<NotificationsConfig, 'slaAlertEmail' | 'slaAlertWebhookUrl' | 'messageIdDomain'>;
  readonly logger: NotificationsLogger;
  /** The SLA clock: alerts fall due by it (inject a fake one in tests). */
  readonly now: () => number;
  /** Called after alerts were queued for delivery (wakes the dispatcher). */
  readonly onEnqueued?: () => void;
  /** Points handled per batch (default 100). */
  readonly batchSize?: number;
}

/** The JSON body POSTed to `SLA_ALERT_WEBHOOK_URL`. */
export interface SlaAlertPayload {
  readonly type: 'sla.warning' | 'sla.breach';
  readonly ticketId: string;
  readonly ticketNumber: string;
  readonly tier: Ticket['tier'];
  readonly queue: string;
  readonly clock: AlertClock;
  /** The warning fraction reached, or null for a breach. */
  readonly fraction: number | null;
  /** When the alert fell due by the SLA clock (ISO). */
  readonly dueAt: string;
  readonly deadline: string | null;
  readonly calendar: 'support' | 'outage';
  readonly summary: string;
  readonly contactEmail: string;
}

/**
 * Sends SLA warnings and breaches once each. The mailer keeps `mail_alert_points`, an index
 * ordered by due time, up to date as tickets change; a tick reads only the points due by
 * `now()`, checks each against the ticket's current history (it may have moved on since), and
 * turns it into outbox rows (e-mail, webhook) in the same transaction that records the alert
 * as fired. Points stay in the file, so what fell due while the service was down goes out at
 * the first tick after a restart, once.
 */
export class SlaAlertWatcher {
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SlaAlertWatcherOptions) {}

  /** Fires every alert due by `now()`; resolves with how many fired. */
  tick(): Promise<number> {
    const run = this.lock.then(() => this.fireDue());
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async fireDue(): Promise<number> {
    const { db, logger } = this.options;
    const now = this.options.now();
    const batch = this.options.batchSize ?? 100;
    let fired = 0;
    let enqueued = false;
    // One read per ticket with due points, however many of its points fell due together.
    const tickets = new Map<string, Promise<Ticket | undefined>>();
    for (;;) {
      const due = db.duePoints(now, batch);
      if (due.length === 0) break;
      for (const point of due) {
        if (!tickets.has(point.stream_id)) tickets.set(point.stream_id, readTicket(this.options.store, point.stream_id));
        const ticket = await tickets.get(point.stream_id);
        const policy = ticket === undefined ? undefined : this.options.policyOf(ticket.policyVersion);
        const holds =
          ticket !== undefined &&
          policy !== undefined &&
          alertStillDue(ticket, policy, { clock: point.clock, level: point.level, dueAtMs: point.due_at });
        const rows = holds ? this.outboxRows(ticket, policy, point, now) : [];
        const didFire = db.transaction(() => {
          if (!db.deletePoint(point)) return false;
          if (!holds || !db.fireAlert(point, now)) return false;
          for (const row of rows) db.enqueue(row);
          return true;
        });
        if (didFire) {
          fired++;
          enqueued = enqueued || rows.length > 0;
          const entry = { msg: point.level === BREACH ? 'SLA breached' : 'SLA warning', ticket: ticket?.ticketNumber, clock: point.clock, level: point.level, dueAt: new Date(point.due_at).toISOString() };
          if (rows.length === 0) logger.warn({ ...entry, note: 'SLA_ALERT_EMAIL and SLA_ALERT_WEBHOOK_URL are unset: logged only' });
          else logger.log(entry);
        }
      }
      if (due.length < batch) break;
    }
    if (enqueued) this.options.onEnqueued?.();
    return fired;
  }

  private outboxRows(ticket: Ticket, policy: SlaPolicy, point: AlertPointRow, now: number) {
    const { config, templates } = this.options;
    const breach = point.level === BREACH;
    const purpose = breach ? ('sla-breach' as const) : ('sla-warning' as const);
    const report = ticketSla(ticket, policy, point.due_at)[point.clock];
    const tz = policy.supportCalendar.timeZone;
    const fraction = breach ? null : Number(point.level);
    const payload: SlaAlertPayload = {
      type: breach ? 'sla.breach' : 'sla.warning',
      ticketId: ticket.ticketId,
      ticketNumber: ticket.ticketNumber,
      tier: ticket.tier,
      queue: ticket.queue,
      clock: point.clock,
      fraction,
      dueAt: new Date(point.due_at).toISOString(),
      deadline: report.deadline,
      calendar: report.calendar,
      summary: ticket.request.summary,
      contactEmail: ticket.namedUser.email,
    };
    const key = `${purpose}:${ticket.ticketId}:${point.clock}:${point.level}`;
    const triggerId = `${point.clock}-${point.level}`;
    const render = () =>
      templates.render(breach ? 'sla-breach' : 'sla-warning', {
        ticketNumber: ticket.ticketNumber,
        tierLabel: tierLabel(ticket),
        queue: ticket.queue,
        summary: ticket.request.summary,
        contactEmail: ticket.namedUser.email,
        clock: point.clock,
        percent: fraction === null ? 100 : Math.round(fraction * 100),
        deadline: report.deadlineMs === null ? 'none' : formatInstant(report.deadlineMs, tz),
        remaining: report.businessTimeRemainingMs === null ? 'n/a' : formatDuration(report.businessTimeRemainingMs),
        calendar: report.calendar === 'support' ? `support hours (${tz})` : 'outage clock (24/7)',
        confirmationClock: point.clock === 'confirmation',
        responseClock: point.clock === 'response',
      });
    return alertRows(
      ticketRowBase(purpose, ticket, triggerId, config.messageIdDomain),
      now,
      { key, to: config.slaAlertEmail, render },
      { key: `webhook:${key}`, url: config.slaAlertWebhookUrl, subject: `${payload.type} ${ticket.ticketNumber} ${point.clock}`, payload },
    );
  }

  /** Ticks every `intervalMs` until {@link stop}; {@link poke} ticks at once. */
  start(intervalMs: number): void {
    if (this.timer !== undefined) return;
    const run = (): void => void this.tick().catch((error: unknown) => this.options.logger.error({ msg: 'SLA alert tick failed', error: error instanceof Error ? error.message : String(error) }));
    this.timer = setInterval(run, intervalMs);
    run();
  }

  /**
   * Alert points were written, the earliest due at `earliestDueMs`: look for due ones now if it
   * is due (a recompute may have made one due at once). Points due later wait for their tick,
   * so a busy desk does not pay a query per batch.
   */
  poke(earliestDueMs: number): void {
    if (this.timer === undefined || earliestDueMs > this.options.now()) return;
    void this.tick().catch(() => undefined);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.lock.catch(() => undefined);
  }
}
