import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NotificationsLogger } from '../notifications/mail-transport';
import type { Delivery } from '../notifications/notifications';
import type { DeliveryRecorders } from '../notifications/outbox-dispatcher';
import type { DeliveryWorkerData, FromDeliveryWorker, ToDeliveryWorker } from './delivery-worker.protocol';
import { startThreadPool, stopWorker } from './thread-priority';

/** The compiled worker entry, next to this file in `dist/`. */
const WORKER_ENTRY = join(__dirname, 'delivery.worker.js');

/**
 * True when the worker can run: it needs the compiled service (`dist/`). Run from TypeScript
 * sources (jest), there is no `.js` entry, and delivery runs on the main thread.
 */
export const deliveryWorkerAvailable = (): boolean => existsSync(WORKER_ENTRY);

export interface DeliveryWorkerOptions extends DeliveryWorkerData, DeliveryRecorders {
  readonly logger: NotificationsLogger;
  /** Wait before starting a new worker after one died (default 1 s). */
  readonly restartDelayMs?: number;
  /** How long `stop()` waits for the worker to finish before terminating it (default 10 s). */
  readonly stopTimeoutMs?: number;
}

/**
 * Delivery (the outbox dispatcher: SMTP, webhooks, with their retries) in a worker thread at a
 * lower priority (`thread-priority.ts`), so that TLS and the outbox's bookkeeping do not take
 * turns with HTTP requests on the main event loop. Only the lease holder starts it. The
 * mailer's decisions and their writing stay on the read models' fold; this thread reads what
 * they wrote. Recording a sent e-mail is a command: the worker asks, the main thread runs it and
 * answers (a failure is retried like any failed record). A worker that dies is logged and
 * replaced after `restartDelayMs`.
 */
export class DeliveryWorker implements Delivery {
  private worker: Worker | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DeliveryWorkerOptions) {}

  async start(): Promise<void> {
    this.stopping = false;
    // The worker lowers its own priority: it must not be the thread that starts libuv's pool.
    await startThreadPool();
    await this.spawn();
  }

  wake(): void {
    this.worker?.postMessage({ type: 'wake' } satisfies ToDeliveryWorker);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (worker === undefined) return;
    await stopWorker(worker, this.options.stopTimeoutMs ?? 10_000, this.options.logger, 'delivery worker did not stop in time; terminating it');
  }

  private spawn(): Promise<void> {
    const { database, env, logLevel, logger } = this.options;
    const worker = new Worker(WORKER_ENTRY, { workerData: { database, env, logLevel } satisfies DeliveryWorkerData, name: 'notifications' });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromDeliveryWorker) => {
        switch (message.type) {
          case 'started':
            started = true;
            resolve();
            break;
          case 'failed':
            if (!started) reject(new Error(`delivery could not start: ${message.message}`));
            else logger.error({ msg: 'delivery worker failed', error: message.message });
            break;
          case 'acknowledge':
            this.answer(worker, message.id, () => this.options.acknowledge?.(message.ticketId, message.at, message.messageId));
            break;
          case 'record-sent':
            this.answer(worker, message.id, () => this.options.recordSent?.(message.sent));
            break;
          case 'record-alert':
            this.answer(worker, message.id, () => this.options.recordAlertSent?.(message.sent));
            break;
          case 'stopped':
            break;
        }
      });
      worker.on('error', (error) => {
        logger.error({ msg: 'delivery worker crashed', error: error.message });
        if (!started) reject(error);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        if (!started) {
          reject(new Error(`delivery worker exited with code ${code} before it started`));
          return;
        }
        if (this.stopping) return;
        const delay = this.options.restartDelayMs ?? 1_000;
        logger.error({ msg: 'delivery worker ended unexpectedly; starting a new one', exitCode: code, restartInMs: delay });
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
        this.options.logger.error({ msg: 'delivery worker did not restart; trying again', error: (error as Error).message, restartInMs: next });
        if (!this.stopping) this.restart(next);
      });
    }, delay);
  }

  /** Runs a request of the worker and tells it how it went (it retries a failure later). */
  private answer(worker: Worker, id: number, run: () => Promise<void> | undefined): void {
    Promise.resolve()
      .then(run)
      .then(
        () => worker.postMessage({ type: 'reply', id } satisfies ToDeliveryWorker),
        (error: unknown) => worker.postMessage({ type: 'reply', id, error: error instanceof Error ? error.message : String(error) } satisfies ToDeliveryWorker),
      );
  }
}
