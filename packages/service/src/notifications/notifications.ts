import type Database from 'better-sqlite3';
import type { ReadModelsHost } from '../application/read-models.host';
import { RunnerReadModelsHost } from '../application/read-models.runner-host';
import { comparePositions, type EventStore, type GlobalPosition } from '../event-store/event-store.port';
import { STREAM_PREFIXES } from '../event-store/streams';
import { ticketOf } from '@support-sla/projections';
import { policyIn } from './decide-notifications';
import type { MailBatchWriter } from './mail-batch';
import { MailFollower } from './mail-follower';
import { createMailTransport, jsonConsoleLogger, type MailTransport, type NotificationsLogger, type SmtpTransportTuning } from './mail-transport';
import { NotificationStore } from './notification-store';
import { readNotificationsConfig, type NotificationsConfig } from './notifications.config';
import { OutboxDispatcher, type DeliveryRecorders, type RetryPolicy, type WebhookClient } from './outbox-dispatcher';
import { LeaseKeeper, StoreLease, type LeaseAttempt, type LeaseKeeperStatus, type LeaseTimings } from '../deployment/store-lease';
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
  /** Overrides of the lease timings of `config.lease` (tests: a short ttl). */
  readonly leaseTimings?: Partial<LeaseTimings>;
  /** The lease's wall clock (default `Date.now`; never the scenario clock of {@link clock}). */
  readonly leaseClock?: () => number;
  /** This process's id in the lease (default host:pid:random). */
  readonly leaseHolder?: string;
  /** Raises an SLA alert that fell due on its ticket, in the log (the watcher's one way to alert); see {@link RaiseSlaAlertFn}. */
  readonly raiseSlaAlert?: RaiseSlaAlertFn;
  /** Called with every change of {@link Notifications.state}. */
  readonly onState?: (state: NotificationsState) => void;
  /**
   * Delivery elsewhere (a worker thread): started instead of {@link Notifications.dispatcher}
   * by the lease holder, given the recorders (restoration notices with their `restoredAt`).
   */
  readonly delivery?: (recorders: DeliveryRecorders) => Delivery;
  /**
   * Where the mailer's batches are written (a thread with its own connection to the mail file,
   * `src/deployment/mail-writer-thread.ts`), in every process, sender or standby. Default: in-process.
   */
  readonly writer?: () => MailBatchWriter;
}

/**
 * - `starting`: holds the lease and is catching up with the log up to where it took it;
 * - `sending`: runs the dispatcher and the watcher (the mailer follows the log in every state but `stopped`);
 * - `standby`: another process holds the lease (and sends), or the store cannot be reached to
 *   take or renew it; this one takes over when the lease is released or expires;
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
    private readonly store: Pick<EventStore, 'readAll'>,
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

  /**
   * Resolves once every event the mailer folds, up to `position`, is folded and its mail
   * effects are written (the stored mail checkpoint has passed the last of them), retrying failed
   * batches; stops early when `cancelled` says so.
   */
  async caughtUpTo(position: GlobalPosition, cancelled: () => boolean = () => false): Promise<void> {
    await this.foldedUpTo(position, cancelled);
    if (cancelled()) return;
    this.follower.flush();
    await this.follower.whenIdle();
  }

  private async reachHead(): Promise<void> {
    const head = await this.readModels.head();
    if (head !== undefined) await this.foldedUpTo(head, () => false);
  }

  /**
   * Waits until the read models have folded every event of theirs at or before `position`.
   * Waiting for `position` itself is not enough: when it is the position of an event they pass
   * over (a lease renewal, a seal), an EventStoreDB subscription reports it only at its next
   * checkpoint, every 32 events scanned (a minute and a half of renewals on a quiet log). So,
   * when the wait is not over soon, the log is asked whether anything of theirs lies between
   * what they have folded and `position`; once nothing does, they are there.
   */
  private async foldedUpTo(position: GlobalPosition, cancelled: () => boolean): Promise<void> {
    while (!cancelled()) {
      try {
        await this.readModels.waitFor(position, CATCH_UP_LOOK_MS);
        return;
      } catch (error) {
        // The runner's timeout (by name: notifications/ imports nothing of the projection runner).
        if ((error as Error).name !== 'ProjectionTimeoutError') throw error;
      }
      const at = this.readModels.position();
      const [next] = await this.store.readAll({ ...(at === undefined ? {} : { after: at }), maxCount: 1, streamPrefixes: STREAM_PREFIXES });
      if (next === undefined || comparePositions(next.position, position) > 0) return;
    }
  }
}

/** How long a catch-up waits for the read models before it asks the log whether anything is left (see `foldedUpTo`). */
const CATCH_UP_LOOK_MS = 250;

/**
 * The e-mail and SLA alert part of the service, usable without Nest: the mailer on the read
 * models' fold ({@link MailFollower}: decisions written to the `mail_` tables with their
 * checkpoint), an outbox dispatcher and an SLA alert watcher over those tables. `start()`
 * catches up with the log before anything is sent or ticked (in the background, for the service).
 *
 * Every instance writes the mail effects of the events it folds (each once: the checkpoint
 * decides, in the transaction). Of the instances started on one event store, only the one
 * holding the lease in the store (`src/deployment/store-lease.ts`) delivers and ticks, whether
 * they share a mail file (processes on one SQLite file) or each has its own (replicas on
 * EventStoreDB). The others wait in standby, look every `lease.pollMs`, and take over once the
 * lease is released (a graceful stop) or has expired (the holder died or cannot reach the store).
 * Before a new holder sends, its mail file catches up with the log as it was when it took the
 * lease, so the sends the previous holder recorded there are folded and not repeated.
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
  private readonly keeper: LeaseKeeper;
  /** The current turn of holding the lease; cancelled when the lease is lost or sending stops. */
  private turn: Turn | undefined;
  /** The loops being stopped after the lease was lost: a new turn starts after that. */
  private stoppingLoops: Promise<void> = Promise.resolve();
  /** Whether the first look at the lease (in `start()`) is in progress. */
  private firstLook = false;
  /** The turn the first look started, for `start()` to wait for. */
  private firstRun: Promise<void> | undefined;
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
    this.reactor = new MailReactor(this.follower, readModels, this.privateConsumer, deps.store);
    const timings = { ...this.config.lease, ...deps.leaseTimings };
    const leaseClock = deps.leaseClock ?? Date.now;
    this.keeper = new LeaseKeeper(
      new StoreLease({ store: deps.store, ttlMs: timings.ttlMs, clock: leaseClock, ...(deps.leaseHolder === undefined ? {} : { holder: deps.leaseHolder }) }),
      timings,
      {
        onAcquired: (attempt) => this.leaseTaken(attempt),
        onLost: (reason) => this.leaseLost(reason),
        onError: (what, error) => this.leaseTrouble(what, error),
      },
      leaseClock,
    );
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
   * Checks the templates, starts following the log, and looks at the lease once. Holding it, it
   * catches up (with the log as it was when it took the lease) and then delivers and ticks;
   * without it (another process holds it) it waits in standby and keeps looking. Resolves once
   * caught up, or at once with `{ background: true }` (the service: start-up does not wait for
   * the mail). An instance starts once: after `stop()`, make a new one.
   */
  async start(options: { readonly background?: boolean } = {}): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    this.templates.check();
    await this.reactor.start();
    this.firstLook = true;
    let held: boolean;
    try {
      held = await this.keeper.start();
    } finally {
      this.firstLook = false;
    }
    const first = this.firstRun;
    this.firstRun = undefined;
    if (held && first !== undefined) {
      if (options.background === true) first.catch((error: unknown) => this.logger.error({ msg: 'notifications could not start', error: (error as Error).message }));
      else await first;
      return;
    }
    if (!this.started || held) return;
    const seen = this.keeper.status;
    this.logger.log({
      msg:
        seen.holder === null
          ? 'notifications on standby: the lease could not be taken yet; this process keeps trying'
          : 'notifications on standby: another process holds the lease and sends the e-mails; this one takes over when it is released or expires',
      holder: seen.holder,
      expiresAt: seen.expiresAt,
      self: this.keeper.lease.holder,
    });
    this.setState('standby');
  }

  /** See {@link NotificationsState}. */
  get state(): NotificationsState {
    return this.stateNow;
  }

  /** Whether this process holds the lease, and who does as far as it knows (for `/health`). */
  get lease(): LeaseKeeperStatus {
    return this.keeper.status;
  }

  private setState(state: NotificationsState): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    this.deps.onState?.(state);
  }

  /** The keeper took the lease: a new turn catches up, then starts the loops. */
  private leaseTaken(attempt: Extract<LeaseAttempt, { acquired: true }>): void {
    if (!this.started || this.sendingStopped) return;
    const previous = attempt.previous;
    const takeOver = !this.firstLook || (previous !== undefined && !previous.released && previous.holder !== this.keeper.lease.holder);
    if (takeOver) {
      this.logger.log({
        msg: `notifications taking over: the lease of ${previous === undefined ? 'nobody' : previous.holder} was ${previous === undefined ? 'free' : previous.released ? 'released' : previous.holder === this.keeper.lease.holder ? 'this process\'s own' : 'expired'}`,
        holder: this.keeper.lease.holder,
        previousHolder: previous?.holder ?? null,
        previousExpiresAt: previous === undefined ? null : new Date(previous.expiresAtMs).toISOString(),
        leaseAt: attempt.position.commit.toString(),
      });
    }
    const turn = newTurn();
    this.turn = turn;
    const run = this.run(attempt.position, turn);
    // start() awaits the first turn and sees its failure; later ones are handled below only.
    if (this.firstLook) this.firstRun = run;
    const starting: Promise<void> = run
      .catch(() => undefined)
      .finally(() => {
        if (this.starting === starting) this.starting = undefined;
      });
    this.starting = starting;
    run.catch(async (error: unknown) => {
      // Back to standby, with the lease let go for another process (or this one, later) to try.
      this.logger.error({ msg: 'notifications could not start sending; the lease is let go', error: (error as Error).message });
      turn.cancel();
      await this.stopLoops();
      if (this.turn === turn && this.started && !this.sendingStopped) {
        await this.keeper.relinquish();
        this.setState('standby');
      }
    });
  }

  /** The keeper gave the lease up (or another process took it): stop delivering and ticking now. */
  private leaseLost(reason: string): void {
    this.logger.error({ msg: 'notifications: this process no longer holds the lease; delivery and the SLA watcher stop, it stands by', reason });
    this.turn?.cancel();
    this.turn = undefined;
    this.stoppingLoops = this.stopLoops().catch((error: unknown) => this.logger.error({ msg: 'notifications: the loops did not stop cleanly', error: (error as Error).message }));
    if (this.started && !this.sendingStopped) this.setState('standby');
  }

  private leaseTrouble(what: string, error: Error): void {
    this.logger.warn({ msg: `notifications: could not ${what}; trying again`, error: error.message });
  }

  /**
   * One turn of holding the lease: waits until the mail file has written what the log held when
   * the lease was taken (so the previous holder's recorded sends are folded and their rows
   * suppressed), then starts the loops, unless the turn ended in the meantime.
   */
  private async run(leaseAt: GlobalPosition, turn: Turn): Promise<void> {
    const since = Date.now();
    this.setState('starting');
    await this.stoppingLoops;
    this.releaseHeld();
    try {
      await Promise.race([this.reactor.caughtUpTo(leaseAt, () => turn.cancelled), turn.ended, this.sendingStop]);
    } catch (error) {
      // The read models stopped (an event that does not decode): what is queued still goes out.
      this.logger.error({ msg: 'notifications: the log is not followed any further; sending what is queued', error: (error as Error).message });
    }
    if (!this.started || this.sendingStopped || turn.cancelled) return;
    if (this.delivery === undefined) this.dispatcher.start();
    else await this.delivery.start();
    if (!this.started || this.sendingStopped || turn.cancelled) {
      // Stopped while the delivery thread started: the stop may have come before it ran.
      await this.delivery?.stop();
      return;
    }
    this.watcher.start(this.config.alertTickMs);
    this.setState('sending');
    const checkpoint = this.reactor.checkpoint;
    this.logger.log({
      msg: 'notifications started sending',
      waitedMs: Date.now() - since,
      leaseAt: leaseAt.commit.toString(),
      mailCheckpoint: checkpoint === undefined ? null : checkpoint.commit.toString(),
      holder: this.keeper.lease.holder,
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
   * when the link was made. Once per instance, by the lease holder only.
   */
  private releaseHeld(): void {
    if (this.heldReleased) return;
    this.heldReleased = true;
    const released = this.db.releaseHeldRows();
    if (released > 0) this.logger.log({ msg: 'released confirmations an earlier version held during an outage; they are sent now', released });
  }

  /**
   * Delivery, the dispatcher and the watcher stop together: a lost lease must stop the sending
   * at once, not after the watcher's tick in progress (up to a batch of alerts to raise, each
   * possibly waiting on an unreachable store).
   */
  private async stopLoops(): Promise<void> {
    await Promise.all([this.delivery?.stop(), this.dispatcher.stop(), this.watcher.stop()]);
  }

  /**
   * Stops delivering and ticking, and releases the lease so that another process takes over at
   * once (the service calls it before its read models stop, while the store is open; the mailer
   * goes on writing what they fold until {@link stop}).
   */
  async stopSending(): Promise<void> {
    this.sendingStopped = true;
    this.stopSendingNow();
    this.keeper.halt();
    this.turn?.cancel();
    await this.stopLoops();
    await this.starting?.catch(() => undefined);
    await this.stoppingLoops;
    await this.keeper.stop();
  }

  /** Stops the loops (pending rows stay in the outbox for the next start), releases the lease, and closes what it opened. */
  async stop(): Promise<void> {
    this.started = false;
    this.closed = true;
    // What was folded is written before the file closes: the private consumer flushes its
    // followers as it stops (meanwhile the lease is released: a catch-up in progress ends at
    // once); the service's has stopped by now (or the mailer is let go).
    await Promise.all([this.stopSending(), this.privateConsumer?.stop()]);
    await this.readModels.unfollow(this.follower).catch(() => undefined);
    this.follower.close();
    // The follower has flushed (unfollow): the writer thread has nothing left to write.
    await this.writer?.stop().catch((error: unknown) => this.logger.error({ msg: 'mail writer thread did not stop cleanly', error: (error as Error).message }));
    this.transport.close();
    this.db.close();
    this.setState('stopped');
  }

  /** Reads the log up to its head, fires due alerts, and sends what is due: one deterministic round (tests). Does not take the lease. */
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

/** One turn of holding the lease, ended when the lease is lost or sending stops. */
interface Turn {
  cancelled: boolean;
  readonly ended: Promise<void>;
  cancel(): void;
}

const newTurn = (): Turn => {
  let end: () => void = () => undefined;
  const turn: Turn = {
    cancelled: false,
    ended: new Promise<void>((resolve) => (end = resolve)),
    cancel: () => {
      turn.cancelled = true;
      end();
    },
  };
  return turn;
};
