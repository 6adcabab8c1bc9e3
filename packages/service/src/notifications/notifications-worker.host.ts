import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NotificationsLogger } from './mail-transport';
import type { AcknowledgeFn, RecordAlertSentFn, RecordSentFn } from './outbox-dispatcher';
import type { NotificationsState } from './notifications';
import type { FromWorker, NotificationsWorkerData, ToWorker } from './notifications-worker.protocol';
import { startThreadPool } from '../platform/thread-priority';

/** The compiled worker entry, next to this file in `dist/`. */
const WORKER_ENTRY = join(__dirname, 'notifications.worker.js');

/**
 * True when the worker can run: it needs the compiled service (`dist/`). Run from TypeScript
 * sources (jest), there is no `.js` entry, and the notifications run on the main thread.
 */
export const notificationsWorkerAvailable = (): boolean => existsSync(WORKER_ENTRY);

export interface NotificationsWorkerOptions extends Omit<NotificationsWorkerData, 'pollMs'> {
  /** The compiled worker script (default: `notifications.worker.js` next to this file). */
  readonly entry?: string;
  /** Runs on the main thread when the worker reports a sent confirmation. */
  readonly acknowledge: AcknowledgeFn;
  /** Runs on the main thread when the worker reports a sent resolution or restoration notice. */
  readonly recordSent: RecordSentFn;
  /** Runs on the main thread when the worker reports a delivered outage alert. */
  readonly recordAlertSent: RecordAlertSentFn;
  readonly logger: NotificationsLogger;
  /** How often the worker looks for new events in the SQLite log (default 25 ms). */
  readonly pollMs?: number;
  /** Wait before starting a new worker after one died (default 1 s). */
  readonly restartDelayMs?: number;
  /** How long `stop()` waits for the worker to finish before terminating it (default 10 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Runs the notifications (e-mail reactor, outbox dispatcher, SLA alert watcher) in a worker
 * thread, so that rendering, the outbox and the alert index do not take turns with HTTP
 * requests on the main event loop; with two cores, they run beside it.
 *
 * - The worker reads the log through its own connection, and writes only the `mail_` tables
 *   (its checkpoint commits with its outbox rows, as on the main thread). Recording a sent
 *   e-mail on a ticket is a command, so the worker asks, and the main thread runs it: the main
 *   thread stays the only writer of the log.
 * - `start()` resolves once the worker has caught up with the log (or, when another process
 *   holds the mail file's sender lock, once it is in standby), and rejects if it cannot start
 *   (a broken template, say), so the service does not start without its e-mail.
 * - A worker that dies is logged and replaced after `restartDelayMs`; it resumes from its
 *   checkpoint (or stands by, if another process took the sender lock meanwhile), so nothing is
 *   lost or sent twice beyond what a process crash could do.
 */
export class NotificationsWorker {
  private worker: Worker | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private stateNow: NotificationsState = 'stopped';

  constructor(private readonly options: NotificationsWorkerOptions) {}

  /** The worker's notifications' state; `stopped` while no worker runs (also between a crash and its replacement). */
  get state(): NotificationsState {
    return this.stateNow;
  }

  /** The running thread's id, or undefined (for tests and diagnostics). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  async start(): Promise<void> {
    this.stopping = false;
    // The worker lowers its own priority: it must not be the thread that starts libuv's pool.
    await startThreadPool();
    await this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.stopTimeoutMs ?? 10_000);
    });
    if ((await Promise.race([exited, timedOut])) === 'timeout') {
      this.options.logger.error({ msg: 'notifications worker did not stop in time; terminating it' });
      await worker.terminate();
    }
    clearTimeout(timer);
  }

  private spawn(): Promise<void> {
    const { eventStore, database, env, logLevel, logger } = this.options;
    const data: NotificationsWorkerData = { eventStore, database, env, logLevel, pollMs: this.options.pollMs ?? 25 };
    const worker = new Worker(this.options.entry ?? WORKER_ENTRY, { workerData: data, name: 'notifications' });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'started':
            started = true;
            resolve();
            break;
          case 'state':
            this.stateNow = message.state;
            break;
          case 'failed':
            if (!started) reject(new Error(`notifications could not start: ${message.message}`));
            else logger.error({ msg: 'notifications worker failed', error: message.message });
            break;
          case 'acknowledge':
            this.answer(worker, message.id, () => this.options.acknowledge(message.ticketId, message.at, message.messageId));
            break;
          case 'record-sent':
            this.answer(worker, message.id, () => this.options.recordSent(message.sent));
            break;
          case 'record-alert':
            this.answer(worker, message.id, () => this.options.recordAlertSent(message.sent));
            break;
          case 'stopped':
            break;
        }
      });
      worker.on('error', (error) => {
        logger.error({ msg: 'notifications worker crashed', error: error.message });
        if (!started) reject(error);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.stateNow = 'stopped';
        }
        if (!started) {
          reject(new Error(`notifications worker exited with code ${code} before it started`));
          return;
        }
        if (this.stopping) return;
        const delay = this.options.restartDelayMs ?? 1_000;
        logger.error({ msg: 'notifications worker ended unexpectedly; starting a new one', exitCode: code, restartInMs: delay });
        this.restart(delay);
      });
    });
  }

  /** Starts a new worker after `delay`; one that fails to start is tried again, up to a minute apart. */
  private restart(delay: number): void {
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn().catch((error: unknown) => {
        const next = Math.min(60_000, delay * 2);
        this.options.logger.error({ msg: 'notifications worker did not restart; trying again', error: (error as Error).message, restartInMs: next });
        if (!this.stopping) this.restart(next);
      });
    }, delay);
  }

  /** Runs a request of the worker and tells it how it went (it retries a failure later). */
  private answer(worker: Worker, id: number, run: () => Promise<void>): void {
    run().then(
      () => worker.postMessage({ type: 'reply', id } satisfies ToWorker),
      (error: unknown) => worker.postMessage({ type: 'reply', id, error: error instanceof Error ? error.message : String(error) } satisfies ToWorker),
    );
  }
}
