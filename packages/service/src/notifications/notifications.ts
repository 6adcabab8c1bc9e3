import type Database from 'better-sqlite3';
import type { EventStore } from '../event-store/event-store.port';
import { createMailTransport, jsonConsoleLogger, type MailTransport, type NotificationsLogger, type SmtpTransportTuning } from './mail-transport';
import { NotificationReactor } from './notification-reactor';
import { NotificationStore } from './notification-store';
import { readNotificationsConfig, type NotificationsConfig } from './notifications.config';
import { OutboxDispatcher, type AcknowledgeFn, type RecordAlertSentFn, type RecordSentFn, type RetryPolicy, type WebhookClient } from './outbox-dispatcher';
import { SenderLock, senderLockFile } from './sender-lock';
import { SlaAlertWatcher } from './sla-alert-watcher';
import { PolicyBook } from './ticket-context';
import { MailTemplates } from './templates';

/** What the host provides; everything else has a default. */
export interface NotificationsDependencies {
  readonly store: EventStore;
  /** The service's SQLite file (path) or an open connection to it (e.g. `SqliteEventStore.db`). */
  readonly database: Database.Database | string;
  /** Records a sent confirmation on the ticket (the domain's `AcknowledgeTicket`); see {@link AcknowledgeFn}. */
  readonly acknowledge?: AcknowledgeFn;
  /** Records a sent resolution or restoration notice on the ticket; see {@link RecordSentFn}. */
  readonly recordSent?: RecordSentFn;
  /** Records a delivered outage alert on the outage board; see {@link RecordAlertSentFn}. */
  readonly recordAlertSent?: RecordAlertSentFn;
  /** Default: the environment ({@link readNotificationsConfig}). */
  readonly config?: NotificationsConfig;
  readonly logger?: NotificationsLogger;
  /** The SLA alert clock (default `Date.now`). */
  readonly clock?: () => number;
  /** Wall clock for outbox scheduling (default `Date.now`). */
  readonly deliveryClock?: () => number;
  /** Default: SMTP from `config.smtpUrl`, or the logging transport. */
  readonly transport?: MailTransport;
  readonly smtpTuning?: SmtpTransportTuning;
  readonly webhook?: WebhookClient;
  readonly retry?: Partial<RetryPolicy>;
  /** Longest sleep of the delivery loop (default 5 s). */
  readonly deliveryPollMs?: number;
  /** First delay before the reactor retries after a failure (default 1 s, doubling up to 1 min). */
  readonly reactorRetryMs?: number;
  /** How often a standby instance tries to take over from the process that sends (default 1 s). */
  readonly standbyPollMs?: number;
  /** Called with every change of {@link Notifications.state}. */
  readonly onState?: (state: NotificationsState) => void;
}

/**
 * - `starting`: holds the sender lock and is catching up with the log;
 * - `sending`: runs the reactor (which logs a failure to read the log and retries), the dispatcher and the watcher;
 * - `standby`: another process holds the sender lock (and sends); this one takes over when it stops;
 * - `stopped`: not started, or stopped.
 */
export type NotificationsState = 'starting' | 'sending' | 'standby' | 'stopped';

/**
 * The e-mail and SLA alert part of the service, usable without Nest: a reactor on the global
 * log, an outbox dispatcher and an SLA alert watcher over the `mail_` tables.
 * `start()` catches up with the log before anything is sent or ticked.
 *
 * Of the instances started on one mail file, only the one holding its {@link SenderLock} runs
 * (in practice: one process of several on one SQLite file). The others wait in standby, try
 * again every `standbyPollMs`, and take over from the stored checkpoint once it has stopped or
 * died. A private in-memory mail database has no lock.
 */
export class Notifications {
  readonly config: NotificationsConfig;
  readonly db: NotificationStore;
  readonly templates: MailTemplates;
  readonly transport: MailTransport;
  readonly reactor: NotificationReactor;
  readonly dispatcher: OutboxDispatcher;
  readonly watcher: SlaAlertWatcher;
  private readonly logger: NotificationsLogger;
  private readonly lock: SenderLock | undefined;
  private readonly standbyPollMs: number;
  private readonly onState: ((state: NotificationsState) => void) | undefined;
  private standbyTimer: NodeJS.Timeout | undefined;
  /** The start-up or take-over in progress: catching up, then starting the loops. */
  private starting: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private stateNow: NotificationsState = 'stopped';

  constructor(deps: NotificationsDependencies) {
    this.config = deps.config ?? readNotificationsConfig();
    this.logger = deps.logger ?? jsonConsoleLogger();
    this.db = new NotificationStore(deps.database);
    this.lock = this.db.db.memory ? undefined : new SenderLock(senderLockFile(this.db.db.name));
    this.standbyPollMs = deps.standbyPollMs ?? 1_000;
    this.onState = deps.onState;
    this.templates = new MailTemplates(this.config.templatesDir);
    this.transport = deps.transport ?? createMailTransport(this.config, this.logger, deps.smtpTuning);
    const policies = new PolicyBook(this.db);
    this.dispatcher = new OutboxDispatcher({
      db: this.db,
      transport: this.transport,
      mailFrom: this.config.mailFrom,
      logger: this.logger,
      ...(deps.webhook === undefined ? {} : { webhook: deps.webhook }),
      ...(deps.acknowledge === undefined ? {} : { acknowledge: deps.acknowledge }),
      ...(deps.recordSent === undefined ? {} : { recordSent: deps.recordSent }),
      ...(deps.recordAlertSent === undefined ? {} : { recordAlertSent: deps.recordAlertSent }),
      ...(deps.retry === undefined ? {} : { retry: deps.retry }),
      ...(deps.deliveryClock === undefined ? {} : { now: deps.deliveryClock }),
      ...(deps.deliveryPollMs === undefined ? {} : { pollMs: deps.deliveryPollMs }),
    });
    this.watcher = new SlaAlertWatcher({
      store: deps.store,
      db: this.db,
      policies,
      templates: this.templates,
      config: this.config,
      logger: this.logger,
      now: deps.clock ?? Date.now,
      onEnqueued: () => this.dispatcher.wake(),
    });
    this.reactor = new NotificationReactor({
      store: deps.store,
      db: this.db,
      policies,
      templates: this.templates,
      config: this.config,
      logger: this.logger,
      ...(deps.deliveryClock === undefined ? {} : { now: deps.deliveryClock }),
      ...(deps.reactorRetryMs === undefined ? {} : { resubscribeDelayMs: deps.reactorRetryMs }),
      onEnqueued: () => this.dispatcher.wake(),
      onPointsChanged: () => this.watcher.poke(),
    });
  }

  /**
   * Checks the templates; then, holding the sender lock, catches up with the log and follows
   * it, delivers and ticks in the background. Without the lock (another process sends) it
   * resolves at once and waits in standby. An instance starts once: after `stop()`, make a new one.
   */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    this.templates.check();
    if (this.lock === undefined || this.lock.tryAcquire()) {
      this.starting = this.run();
      try {
        await this.starting;
      } finally {
        this.starting = undefined;
      }
      return;
    }
    this.logger.log({ msg: 'notifications on standby: another process sends the e-mails of this file; this one takes over when it stops', lockFile: this.lock.file });
    this.setState('standby');
    this.waitForLock();
  }

  /** See {@link NotificationsState}. */
  get state(): NotificationsState {
    return this.stateNow;
  }

  private setState(state: NotificationsState): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    this.onState?.(state);
  }

  /** Catches up, then starts the loops, unless `stop()` came in the meantime. */
  private async run(): Promise<void> {
    this.setState('starting');
    this.releaseHeld();
    await this.reactor.start();
    if (!this.started) return;
    this.dispatcher.start();
    this.watcher.start(this.config.alertTickMs);
    this.setState('sending');
    this.logger.log({
      msg: 'notifications started',
      transport: this.transport.kind,
      slaAlertEmail: this.config.slaAlertEmail ?? null,
      slaAlertWebhook: this.config.slaAlertWebhookUrl !== undefined,
      oncallEmail: this.config.oncallEmail ?? null,
      oncallWebhook: this.config.oncallWebhookUrl !== undefined,
      templatesDir: this.config.templatesDir,
    });
    if (this.config.oncallEmail === undefined) {
      this.logger.warn({ msg: 'ONCALL_EMAIL is not set: a declared outage alerts no on-call address by e-mail (each declaration logs an error)' });
    }
  }

  private heldReleased = false;

  /**
   * Confirmations an earlier version held back during an outage (`held` rows) go out now: only
   * tickets linked to an outage have their confirmation withheld, and those rows were suppressed
   * when the link was made. Once per instance, by the sender only.
   */
  private releaseHeld(): void {
    if (this.heldReleased) return;
    this.heldReleased = true;
    const released = this.db.releaseHeldRows();
    if (released > 0) this.logger.log({ msg: 'released confirmations an earlier version held during an outage; they are sent now', released });
  }

  private waitForLock(): void {
    this.standbyTimer = setInterval(() => this.tryTakeOver(), this.standbyPollMs);
    this.standbyTimer.unref();
  }

  private tryTakeOver(): void {
    if (this.starting !== undefined || this.lock === undefined || !this.started) return;
    let acquired: boolean;
    try {
      acquired = this.lock.tryAcquire();
    } catch (error) {
      this.logger.error({ msg: 'notifications: the sender lock cannot be read', lockFile: this.lock.file, error: (error as Error).message });
      return;
    }
    if (!acquired) return;
    clearInterval(this.standbyTimer);
    this.standbyTimer = undefined;
    this.logger.log({ msg: 'notifications taking over: the process that sent the e-mails of this file has stopped' });
    this.starting = this.run()
      .catch(async (error: unknown) => {
        // Back to standby, with the lock free for another process to try.
        this.logger.error({ msg: 'notifications could not take over; back to standby', error: (error as Error).message });
        await this.stopLoops();
        this.lock?.release();
        if (this.started) {
          this.setState('standby');
          this.waitForLock();
        }
      })
      .finally(() => {
        this.starting = undefined;
      });
  }

  private async stopLoops(): Promise<void> {
    await this.reactor.stop();
    await this.watcher.stop();
    await this.dispatcher.stop();
  }

  /** Stops the loops (pending rows stay in the outbox for the next start), lets the sender lock go, and closes what it opened. */
  async stop(): Promise<void> {
    this.started = false;
    this.closed = true;
    clearInterval(this.standbyTimer);
    this.standbyTimer = undefined;
    // Stopping the reactor cuts a catch-up in progress short; the start-up then starts nothing more.
    await this.stopLoops();
    await this.starting?.catch(() => undefined);
    this.lock?.release();
    this.transport.close();
    this.db.close();
    this.setState('stopped');
  }

  /** Reads the log up to its head, fires due alerts, and sends what is due: one deterministic round (tests). Does not take the sender lock. */
  async runOnce(): Promise<{ events: number; alerts: number; sent: number; retried: number; failed: number }> {
    this.releaseHeld();
    const events = await this.reactor.catchUp();
    const alerts = await this.watcher.tick();
    const delivery = await this.dispatcher.drain();
    return { events, alerts, ...delivery };
  }
}
