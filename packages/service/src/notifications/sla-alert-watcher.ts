import { BREACH, type SlaPolicy, type Ticket } from '@support-sla/domain';
import { DomainRuleViolation } from '../application/command-executor';
import type { NotificationsLogger } from './mail-transport';
import type { AlertPointRow, NotificationStore } from './notification-store';
import type { NotificationsConfig } from './notifications.config';

export type { SlaAlertPayload } from './mail-rendering';

/** An alert that fell due, as the watcher asks the host to raise it on its ticket. */
export interface SlaAlertToRaise {
  readonly ticketId: string;
  readonly clock: 'confirmation' | 'response';
  /** `'breach'` or the warning fraction as text (`'0.75'`). */
  readonly level: string;
  /** When it fell due by the SLA clock (ISO). */
  readonly dueAt: string;
  /** The policy version the ticket pinned. */
  readonly policy: SlaPolicy;
}

/**
 * Raises the alert on its ticket in the log: the domain's `RaiseSlaAlert` through the command
 * path, keyed per ticket, clock and level (a repeated call appends nothing), dated when it fell
 * due. Resolves true when the ticket has the alert raised (now or before), false when it no
 * longer holds on the ticket's history (a clock stopped or paused since). A domain refusal
 * rejects with `DomainRuleViolation`; anything else (the store unavailable) is retried at the next tick.
 */
export type RaiseSlaAlertFn = (alert: SlaAlertToRaise) => Promise<boolean>;

export interface SlaAlertWatcherOptions {
  readonly db: NotificationStore;
  /** The ticket as the read models know it (for the policy version it pinned and its number). */
  readonly ticketOf: (ticketId: string) => Ticket | undefined;
  /** The policy versions known (the read models' policy book). */
  readonly policyOf: (version: number) => SlaPolicy | undefined;
  /** Raises an alert in the log; without it, alerts fall due and nothing is raised (an error is logged once). */
  readonly raise?: RaiseSlaAlertFn;
  readonly config: Pick<NotificationsConfig, 'slaAlertEmail' | 'slaAlertWebhookUrl'>;
  readonly logger: NotificationsLogger;
  /** The SLA clock: alerts fall due by it (inject a fake one in tests). */
  readonly now: () => number;
  /** Points handled per batch (default 100). */
  readonly batchSize?: number;
}

type Outcome = 'raised' | 'not-due' | 'retry';

/**
 * Raises SLA warnings and breaches once each, as facts in the log. The mailer keeps
 * `mail_alert_points`, an index ordered by due time, up to date as tickets change; a tick reads
 * only the points due by `now()` and raises each on its ticket (`RaiseSlaAlert`: the domain checks
 * it still holds on the ticket's history as it is then, and raises each clock and level once),
 * then marks the point handled in the mail file. The e-mail and webhook call are not queued here:
 * they follow from folding `TicketSlaAlertRaised`, in every mail file, like every other e-mail,
 * and whoever sends delivers them and records each delivery (`TicketSlaAlertSent`). Points stay in
 * the file until handled, so what fell due while the service was down is raised at the first tick
 * after it is back, once; a point the store could not take stays for the next tick.
 */
export class SlaAlertWatcher {
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private saidUnwired = false;

  constructor(private readonly options: SlaAlertWatcherOptions) {}

  /** Raises every alert due by `now()`; resolves with how many this tick raised. */
  tick(): Promise<number> {
    const run = this.lock.then(() => this.raiseDue());
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async raiseDue(): Promise<number> {
    const { db } = this.options;
    const now = this.options.now();
    const batch = this.options.batchSize ?? 100;
    let raised = 0;
    for (;;) {
      const due = db.duePoints(now, batch);
      if (due.length === 0) break;
      // The tickets' commands run side by side (the store commits them together); one ticket's in due order.
      const byTicket = new Map<string, AlertPointRow[]>();
      for (const point of due) byTicket.set(point.ticket_id, [...(byTicket.get(point.ticket_id) ?? []), point]);
      let retry = false;
      await Promise.all(
        [...byTicket.values()].map(async (points) => {
          for (const point of points) {
            const outcome = await this.raiseOne(point, now);
            if (outcome === 'raised') raised++;
            if (outcome === 'retry') {
              // This ticket's later points wait with it, for the next tick.
              retry = true;
              return;
            }
          }
        }),
      );
      if (retry || due.length < batch) break;
    }
    return raised;
  }

  private async raiseOne(point: AlertPointRow, now: number): Promise<Outcome> {
    const { db, logger, raise } = this.options;
    const dueAt = new Date(point.due_at).toISOString();
    const entry = { msg: point.level === BREACH ? 'SLA breached' : 'SLA warning', ticketId: point.ticket_id, clock: point.clock, level: point.level, dueAt };
    if (raise === undefined) {
      if (!this.saidUnwired) logger.error({ ...entry, msg: 'SLA alerts fall due, but nothing raises them (no raiseSlaAlert given to the notifications)' });
      this.saidUnwired = true;
      return 'retry';
    }
    const ticket = this.options.ticketOf(point.ticket_id);
    const policy = ticket === undefined ? undefined : this.options.policyOf(ticket.policyVersion);
    let holds = false;
    if (ticket !== undefined && policy !== undefined) {
      try {
        holds = await raise({ ticketId: point.ticket_id, clock: point.clock, level: point.level, dueAt, policy });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof DomainRuleViolation)) {
          logger.warn({ ...entry, msg: 'could not raise an SLA alert in the log; retrying at the next tick', error: message });
          return 'retry';
        }
        logger.error({ ...entry, msg: 'the domain refused an SLA alert; dropped', error: message });
      }
    }
    // Handled: the point goes (unless a recompute moved it meanwhile); a raised alert is fired
    // here at once (its event, folded, does the same in every mail file).
    db.transaction(() => {
      db.deletePoint(point);
      if (holds) db.fireAlert(point, now);
    });
    if (!holds) return 'not-due';
    const channels = this.options.config.slaAlertEmail !== undefined || this.options.config.slaAlertWebhookUrl !== undefined;
    if (channels) logger.log({ ...entry, ticket: ticket?.ticketNumber });
    else logger.warn({ ...entry, ticket: ticket?.ticketNumber, note: 'SLA_ALERT_EMAIL and SLA_ALERT_WEBHOOK_URL are unset: logged only' });
    return 'raised';
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
