import type Database from 'better-sqlite3';
import type { ReadModelsHost } from '../application/read-models.host';
import { RunnerReadModelsHost } from '../application/read-models.runner-host';
import type { EventStore, GlobalPosition } from '../event-store/event-store.port';
import { ticketOf } from '@support-sla/projections';
import { policyIn } from './decide-notifications';
import type { MailBatchWriter } from './mail-batch';
import { MailFollower } from './mail-follower';
import { createMailTransport, jsonConsoleLogger, type MailTransport, type NotificationsLogger, type SmtpTransportTuning } from './mail-transport';
import { NotificationStore } from './notification-store';
import { readNotificationsConfig, type NotificationsConfig } from './notifications.config';
import { OutboxDispatcher, type DeliveryRecorders, type RetryPolicy, type WebhookClient } from './outbox-dispatcher';
import { SenderLock, senderLockFile } from '../deployment/sender-lock';
import { SlaAlertWatcher, type RaiseSlaAlertFn } from './sla-alert-watcher';
import { MailTemplates } from './templates';

/** Delivery run elsewhere than on this event loop (the service's: a worker thread, `src/deployment`). */
export interface Delivery {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** New rows were written: look for due ones now. */
  wake(): void;
}

/** What the host provides; everything else has a default. */
export interface NotificationsDependencies extends DeliveryRecorders {
  readonly store: EventStore;
  /**
   * The service's read models, the one consumer of the log: the mailer follows their fold
   * (given before they start). Without them (tests, scripts) a private one is composed over
   * `store`: the same runner, its model in memory, started and stopped with these notifications.
   */
  readonly readModels?: ReadModelsHost;
  /** The service's SQLite file (path) or an open connection to it (e.g. `SqliteEventStore.db`). */
  readonly database: Database.Database | string;
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
  /** First delay before the mailer writes a failed batch again (default 1 s, doubling up to 1 min). */
  readonly reactorRetryMs?: number;
  /** How often a standby instance tries to take over from the process that sends (default 1 s). */
  readonly standbyPollMs?: number;
  /** Raises an SLA alert that fell due on its ticket, in the log (the watcher's one way to alert); see {@link RaiseSlaAlertFn}. */
  readonly raiseSlaAlert?: RaiseSlaAlertFn;
  /** Called with every change of {@link Notifications.state}. */
  readonly onState?: (state: NotificationsState) => void;
  /**
   * Delivery elsewhere (a worker thread): started instead of {@link Notifications.dispatcher}
   * by the sender-lock holder, given the recorders (restoration notices with their `restoredAt`).
   */
  readonly delivery?: (recorders: DeliveryRecorders) => Delivery;
  /**
   * Where the mailer's batches are written (a thread with its own connection to the mail file,
   * `src/deployment/mail-writer-thread.ts`), in every process, sender or standby. Default: in-process.
   */
  readonly writer?: () => MailBatchWriter;
}

/**
 * - `starting`: holds the sender lock and is catching up with the log;
 * - `sending`: runs the dispatcher and the watcher (the mailer follows the log in every state but `stopped`);
 * - `standby`: another process holds the sender lock (and sends); this one takes over when it stops;
 * - `stopped`: not started, or stopped.
 */
export type NotificationsState = 'starting' | 'sending' | 'standby' | 'stopped';

/**
 * The mailer's side of the log, as the tests and scripts drive it: `catchUp()` writes what the
 * log holds up to its head, `checkpoint` is where the mail file stands; `start()`/`stop()` run a
 * private consumer (no-ops on the service's, which the application runs).
 */
export class MailReactor {
  constructor(
    private readonly follower: MailFollower,
    private readonly readModels: ReadModelsHost,
    private readonly privateConsumer: RunnerReadModelsHost | undefined,
  ) {}

  get checkpoint(): GlobalPosition | undefined {
    return this.follower.checkpoint;
  }

  /** Starts a private consumer (following the log live); the service's runs with the application. */
  async start(): Promise<void> {
    await this.privateConsumer?.start();
  }

  async stop(): Promise<void> {
    await this.privateConsumer?.stop();
  }

  /** Folds the log up to its head and writes the mail effects; resolves with how many events it wrote, rejects when the batch fails. */
  async catchUp(): Promise<number> {
    const before = this.follower.applied;
    await this.start();
    await this.reachHead();
    this.follower.drain();
    return this.follower.applied - before;
  }

  /** Resolves once the log's head (as of the call) is folded and its mail effects written, retrying failed batches. */
  async caughtUp(): Promise<void> {
    await this.reachHead();
    this.follower.flush();
    await this.follower.whenIdle();
  }

  private async reachHead(): Promise<void> {
    const head = await this.readModels.head();
    if (head !== undefined) await this.readModels.waitFor(head, 24 * 60 * 60 * 1000);
  }
}

/**
 * The e-mail and SLA alert part of the service, usable without Nest: the mailer on the read
 * models' fold ({@link MailFollower}: decisions written to the `mail_` tables with their
 * checkpoint), an outbox dispatcher and an SLA alert watcher over those tables. `start()`
 * catches up with the log before anything is sent or ticked (in the background, for the service).
 *
 * Every instance writes the mail effects of the events it folds (each once: the checkpoint
 * decides, in the transaction). Of the instances started on one mail file, only the one holding
 * its {@link SenderLock} delivers and ticks (in practice: one process of several on one SQLite
 * file). The others wait in standby, try again every `standbyPollMs`, and take over once it has
 * stopped or died. A private in-memory mail database has no lock.
 */
export class Notifications {
  readonly config: NotificationsConfig;
  readonly db: NotificationStore;
  readonly templates: MailTemplates;
  readonly transport: MailTransport;
  readonly follower: MailFollower;
  readonly reactor: MailReactor;
  readonly dispatcher: OutboxDispatcher;
  readonly watcher: SlaAlertWatcher;
  private readonly readModels: ReadModelsHost;
  private readonly delivery: Delivery | undefined;
  private readonly writer: MailBatchWriter | undefined;
  private readonly privateConsumer: RunnerReadModelsHost | undefined;
  private readonly logger: NotificationsLogger;
  private readonly lock: SenderLock | undefined;
  private standbyTimer: NodeJS.Timeout | undefined;
  /** The start-up or take-over in progress: catching up, then starting the loops. */
  private starting: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private sendingStopped = false;
  /** Settles when sending stops: a catch-up in progress is not waited for any longer. */
  private readonly sendingStop: Promise<void>;
  private stopSendingNow: () => void = () => undefined;
  private stateNow: NotificationsState = 'stopped';

  constructor(private readonly deps: NotificationsDependencies) {
    this.sendingStop = new Promise((resolve) => (this.stopSendingNow = resolve));
    this.config = deps.config ?? readNotificationsConfig();
    this.logger = deps.logger ?? jsonConsoleLogger();
    this.db = new NotificationStore(deps.database);
    this.lock = this.db.db.memory ? undefined : new SenderLock(senderLockFile(this.db.db.name));
    this.templates = new MailTemplates(this.config.templatesDir);
    this.transport = deps.transport ?? createMailTransport(this.config, this.logger, deps.smtpTuning);
    this.privateConsumer = deps.readModels === undefined ? new RunnerReadModelsHost({ store: deps.store }) : undefined;
    const readModels = deps.readModels ?? this.privateConsumer!;
    this.readModels = readModels;
    this.dispatcher = new OutboxDispatcher({
      db: this.db,
      transport: this.transport,
      mailFrom: this.config.mailFrom,
      logger: this.logger,
      restoredAtOf: (ticketId) => this.restoredAtOf(ticketId),
      webhook: deps.webhook,
      acknowledge: deps.acknowledge,
      recordSent: deps.recordSent,
      recordAlertSent: deps.recordAlertSent,
      retry: deps.retry,
      now: deps.deliveryClock,
      pollMs: deps.deliveryPollMs,
    });
    this.watcher = new SlaAlertWatcher({
      db: this.db,
      ticketOf: (ticketId) => ticketOf(readModels.current(), ticketId),
      policyOf: (version) => policyIn(readModels.current(), version),
      raise: deps.raiseSlaAlert,
      config: this.config,
      logger: this.logger,
      now: deps.clock ?? Date.now,
    });
    this.writer = deps.writer?.();
    this.follower = new MailFollower({
      db: this.db,
      templates: this.templates,
      config: this.config,
      logger: this.logger,
      now: deps.deliveryClock,
      retryMs: deps.reactorRetryMs,
      onEnqueued: () => this.wakeDelivery(),
      onPointsChanged: (earliestDueMs) => this.watcher.poke(earliestDueMs),
      writer: this.writer,
    });
    const { recordSent } = deps;
    this.delivery = deps.delivery?.({
      acknowledge: deps.acknowledge,
      recordSent: recordSent === undefined ? undefined : (sent) => {
        if (sent.purpose !== 'outage-restored' || sent.restoredAt !== undefined) return recordSent(sent);
        const restoredAt = this.restoredAtOf(sent.ticketId);
        return recordSent(restoredAt === undefined ? sent : { ...sent, restoredAt });
      },
      recordAlertSent: deps.recordAlertSent,
    });
    // On the one fold from now on: the service's read models start after every module is built.
    readModels.follow(this.follower);
    this.reactor = new MailReactor(this.follower, readModels, this.privateConsumer);
  }

  private wakeDelivery(): void {
    if (this.delivery === undefined) this.dispatcher.wake();
    else if (this.stateNow === 'sending') this.delivery.wake();
  }

  /** When the outage the ticket is linked to ended (ISO), as the read models know it. */
  private restoredAtOf(ticketId: string): string | undefined {
    try {
      const model = this.readModels.current();
      const outageId = ticketOf(model, ticketId)?.outageId;
      const endedAtMs = outageId == null ? null : (model.outages.get(outageId)?.endedAtMs ?? null);
      return endedAtMs === null ? undefined : new Date(endedAtMs).toISOString();
    } catch {
      return undefined;
    }
  }

  /**
   * Checks the templates and starts following the log; then, holding the sender lock, catches
   * up and delivers and ticks in the background. Without the lock (another process sends) it
   * waits in standby. Resolves once caught up, or at once with `{ background: true }` (the
   * service: start-up does not wait for the mail). An instance starts once: after `stop()`, make a new one.
   */
  async start(options: { readonly background?: boolean } = {}): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    this.templates.check();
    await this.reactor.start();
    if (this.lock === undefined || this.lock.tryAcquire()) {
      const starting = this.run();
      this.starting = starting;
      const done = starting.finally(() => {
        if (this.starting === starting) this.starting = undefined;
      });
      if (options.background === true) done.catch((error: unknown) => this.logger.error({ msg: 'notifications could not start', error: (error as Error).message }));
      else await done;
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
    this.deps.onState?.(state);
  }

  /** Catches up, then starts the loops, unless `stop()` came in the meantime. */
  private async run(): Promise<void> {
    this.setState('starting');
    this.releaseHeld();
    try {
      await Promise.race([this.reactor.caughtUp(), this.sendingStop]);
    } catch (error) {
      // The read models stopped (an event that does not decode): what is queued still goes out.
      this.logger.error({ msg: 'notifications: the log is not followed any further; sending what is queued', error: (error as Error).message });
    }
    if (!this.started || this.sendingStopped) return;
    if (this.delivery === undefined) this.dispatcher.start();
    else await this.delivery.start();
    if (!this.started || this.sendingStopped) {
      // Stopped while the delivery thread started: stopLoops() may have come before it ran.
      await this.delivery?.stop();
      return;
    }
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
    this.standbyTimer = setInterval(() => this.tryTakeOver(), this.deps.standbyPollMs ?? 1_000);
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
    // The mailer has followed the log all along in this process: catching up is quick.
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
    await this.watcher.stop();
    await this.delivery?.stop();
    await this.dispatcher.stop();
  }

  /**
   * Stops delivering and ticking, and lets the sender lock go (the service calls it before its
   * read models stop; the mailer goes on writing what they fold until {@link stop}).
   */
  async stopSending(): Promise<void> {
    this.sendingStopped = true;
    this.stopSendingNow();
    clearInterval(this.standbyTimer);
    this.standbyTimer = undefined;
    await this.stopLoops();
    this.lock?.release();
  }

  /** Stops the loops (pending rows stay in the outbox for the next start), lets the sender lock go, and closes what it opened. */
  async stop(): Promise<void> {
    this.started = false;
    this.closed = true;
    await this.stopSending();
    await this.starting?.catch(() => undefined);
    // What was folded is written before the file closes: the private consumer flushes its
    // followers as it stops; the service's has stopped by now (or the mailer is let go).
    if (this.privateConsumer !== undefined) await this.privateConsumer.stop();
    await this.readModels.unfollow(this.follower).catch(() => undefined);
    this.follower.close();
    // The follower has flushed (unfollow): the writer thread has nothing left to write.
    await this.writer?.stop().catch((error: unknown) => this.logger.error({ msg: 'mail writer thread did not stop cleanly', error: (error as Error).message }));
    this.transport.close();
    this.db.close();
    this.setState('stopped');
  }

  /** Reads the log up to its head, fires due alerts, and sends what is due: one deterministic round (tests). Does not take the sender lock. */
  async runOnce(): Promise<{ events: number; alerts: number; sent: number; retried: number; failed: number }> {
    this.releaseHeld();
    const events = await this.reactor.catchUp();
    const alerts = await this.watcher.tick();
    // The alerts raised are in the log now: their e-mails come from folding them.
    const more = alerts > 0 ? await this.reactor.catchUp() : 0;
    const delivery = await this.dispatcher.drain();
    return { events: events + more, alerts, ...delivery };
  }
}
