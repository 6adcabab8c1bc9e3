import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MailBatch, MailBatchOutcome, MailBatchWriter } from '../notifications/mail-batch';
import type { NotificationsLogger } from '../notifications/mail-transport';
import { encodeMailBatch, transferable, type FromMailWriter, type MailWriterData, type ToMailWriter } from './mail-writer.protocol';
import { startThreadPool, stopWorker } from './thread-priority';

/** The compiled worker entry, next to this file in `dist/`. */
const WORKER_ENTRY = join(__dirname, 'mail-writer.worker.js');

/** True when the thread can run: it needs the compiled service (`dist/`), as the delivery worker. */
export const mailWriterAvailable = (): boolean => existsSync(WORKER_ENTRY);

export interface MailWriterThreadOptions extends MailWriterData {
  readonly logger: NotificationsLogger;
  /** How long `stop()` waits for the thread to end before terminating it (default 2 s). */
  readonly stopTimeoutMs?: number;
}

interface Pending {
  readonly resolve: (outcome: MailBatchOutcome) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The mailer's batch writes in a worker thread (`mail-writer`) with its own connection to the
 * mail file and its own templates: the follower decides on the main thread and hands each batch
 * over as plain data ({@link MailBatchWriter}); the thread answers once it is committed. Started
 * on the first batch; a thread that dies fails the batches it had (the follower retries them,
 * in order) and the next batch starts a new one. Runs in every process that follows the log,
 * sender or standby.
 */
export class MailWriterThread implements MailBatchWriter {
  private worker: Worker | undefined;
  private ready: Promise<Worker> | undefined;
  private lastId = 0;
  private readonly pending = new Map<number, Pending>();
  private stopped = false;

  constructor(private readonly options: MailWriterThreadOptions) {}

  write(input: MailBatch): Promise<MailBatchOutcome> {
    if (this.stopped) return Promise.reject(new Error('the mail writer thread is stopped'));
    // Encoded now: the follower goes on adding to the array it handed over.
    const bytes = encodeMailBatch(input);
    return this.started().then(
      (worker) =>
        new Promise<MailBatchOutcome>((resolve, reject) => {
          const id = ++this.lastId;
          this.pending.set(id, { resolve, reject });
          worker.postMessage({ type: 'write', id, input: bytes } satisfies ToMailWriter, transferable(bytes));
        }),
    );
  }

  /** Ends the thread (the follower has flushed what it had before): it closes its connection; terminated after `stopTimeoutMs`. */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.ready = undefined;
    if (worker === undefined) return;
    await stopWorker(worker, this.options.stopTimeoutMs ?? 2_000, this.options.logger, 'mail writer thread did not stop in time; terminating it');
  }

  private started(): Promise<Worker> {
    // The thread lowers its own priority: it must not be the thread that starts libuv's pool.
    return (this.ready ??= startThreadPool().then(() => this.spawn()).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    }));
  }

  private spawn(): Promise<Worker> {
    const { database, env, logger } = this.options;
    const worker = new Worker(WORKER_ENTRY, { workerData: { database, env } satisfies MailWriterData, name: 'mail-writer' });
    this.worker = worker;
    return new Promise<Worker>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromMailWriter) => {
        switch (message.type) {
          case 'started':
            started = true;
            resolve(worker);
            break;
          case 'failed':
            reject(new Error(`the mail writer thread could not start: ${message.message}`));
            break;
          case 'written':
            this.settle(message.id)?.resolve(message.outcome);
            break;
          case 'not-written':
            this.settle(message.id)?.reject(new Error(message.error));
            break;
        }
      });
      worker.on('error', (error) => {
        logger.error({ msg: 'mail writer thread crashed', error: error.message });
        if (!started) reject(error);
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
        if (!started) reject(new Error(`the mail writer thread exited with code ${code} before it started`));
        // What it had not answered may or may not be committed: the follower writes it again
        // (the checkpoint, checked in the transaction, skips what was).
        const lost = [...this.pending.values()];
        this.pending.clear();
        for (const request of lost) request.reject(new Error(`the mail writer thread ended (code ${code}) before it answered`));
        if (!this.stopped && started) logger.error({ msg: 'mail writer thread ended unexpectedly; the next batch starts a new one', exitCode: code, lost: lost.length });
      });
    });
  }

  private settle(id: number): Pending | undefined {
    const request = this.pending.get(id);
    this.pending.delete(id);
    return request;
  }
}
