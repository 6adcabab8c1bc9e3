import { isPermanentMailError, type MailTransport, type NotificationsLogger } from './mail-transport';
import type { NotificationStore, OutboxRow } from './notification-store';
import { webhookRecipient, type AlertSentRecord } from './outage-alerts';
import { slaAlertOfRow } from './mail-rendering';

/**
 * Records on the ticket that its confirmation went out: the host runs the domain's
 * `AcknowledgeTicket` (`automatic: true`, `messageId`) dated `at`, when the SMTP server accepted
 * the e-mail (in every mode: SMTP, the logging transport, in process or in the worker thread).
 * Must be idempotent: the domain answers "nothing to do" for an acknowledged ticket.
 */
export type AcknowledgeFn = (ticketId: string, at: string, messageId: string) => Promise<void>;

/**
 * What {@link RecordSentFn} records: a sent resolution or restoration notice, or a delivered SLA
 * alert (one channel of it).
 */
export type SentNotice =
  | {
      readonly ticketId: string;
      readonly purpose: 'resolution' | 'outage-restored';
      /** When the SMTP server accepted it. */
      readonly at: string;
      readonly messageId: string;
      /** A restoration notice: when the outage the ticket is linked to ended. */
      readonly restoredAt?: string;
    }
  | {
      readonly ticketId: string;
      readonly purpose: 'sla-warning' | 'sla-breach';
      readonly clock: 'confirmation' | 'response';
      /** `'breach'` or the warning fraction as text. */
      readonly level: string;
      readonly channel: 'email' | 'webhook';
      /** The alert address, or the webhook's origin only (its path may carry a secret). */
      readonly to: string;
      /** When the SMTP server (the webhook) accepted it. */
      readonly at: string;
      /** The e-mail's Message-ID (e-mail only). */
      readonly messageId?: string;
    };

/** Whether the sending is one channel of an SLA alert (else a resolution or restoration notice). */
export const isSlaAlertSent = (sent: SentNotice): sent is Extract<SentNotice, { purpose: 'sla-warning' | 'sla-breach' }> =>
  sent.purpose === 'sla-warning' || sent.purpose === 'sla-breach';

/**
 * Records on the ticket that a resolution or restoration e-mail went out (the domain's
 * `RecordNotificationSent`, with `restoredAt` for a restoration notice: the domain counts that
 * notice as the linked ticket's confirmation and response), or that an SLA alert was delivered
 * on one channel (`RecordSlaAlertSent`). Must be idempotent per `messageId` (per alert and
 * channel): it may run again after a crash.
 */
export type RecordSentFn = (sent: SentNotice) => Promise<void>;

/**
 * Records on the outage board that the on-call engineers were alerted on one channel (the
 * domain's `RecordOutageAlertSent`, dated `at`: when the SMTP server or the webhook accepted it).
 * Must be idempotent: the domain appends nothing for a channel already recorded.
 */
export type RecordAlertSentFn = (sent: AlertSentRecord) => Promise<void>;

/** Retry schedule for failed deliveries. */
export interface RetryPolicy {
  /** Delay after the first failure (default 1 s). */
  readonly initialDelayMs: number;
  /** Upper bound of any delay (default 5 min): an SMTP outage is retried at least this often. */
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Spread each delay over [delay/2, delay] so many rows do not retry in lockstep (off in tests). */
  readonly jitter: boolean;
  /** Attempts before a row the server refused for good (SMTP 5xx) is marked failed (default 3). */
  readonly maxPermanentAttempts: number;
  /** Attempts before a webhook row is marked failed (default 8). */
  readonly maxWebhookAttempts: number;
  /** Attempts to record a sent confirmation on its ticket before giving up (default 8). */
  readonly maxAcknowledgeAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  factor: 2,
  jitter: true,
  maxPermanentAttempts: 3,
  maxWebhookAttempts: 8,
  maxAcknowledgeAttempts: 8,
};

/** While a chunk of rows is being delivered, what happened to them is written at least this often (ms). */
const RECORD_EVERY_MS = 100;

/**
 * Lets the event loop run (timers, I/O: HTTP requests, a stop request) before the next message.
 * A transport that answers without I/O (the logging one, a test double) would otherwise keep the
 * loop busy for the whole backlog.
 */
const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Delay before attempt `failures + 1`, given `failures` failures so far (≥ 1). */
export const retryDelayMs = (policy: RetryPolicy, failures: number, random: () => number = Math.random): number => {
  const exponent = Math.max(0, failures - 1);
  const plain = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** exponent);
  return policy.jitter ? Math.round(plain / 2 + (random() * plain) / 2) : plain;
};

export interface WebhookClient {
  /** POSTs `body` (JSON text); resolves with the HTTP status. Network errors reject. */
  post(url: string, body: string, idempotencyKey: string): Promise<number>;
}

/** Node's `fetch`, with a timeout. */
export const fetchWebhookClient = (timeoutMs = 10_000): WebhookClient => ({
  async post(url, body, idempotencyKey) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status;
  },
});

/** What the sending side records in the log, as the host wires it. */
export interface DeliveryRecorders {
  /** Records a sent confirmation on the ticket (the domain's `AcknowledgeTicket`); see {@link AcknowledgeFn}. */
  readonly acknowledge?: AcknowledgeFn;
  /** Records a sent resolution or restoration notice on the ticket; see {@link RecordSentFn}. */
  readonly recordSent?: RecordSentFn;
  /** Records a delivered outage alert on the outage board; see {@link RecordAlertSentFn}. */
  readonly recordAlertSent?: RecordAlertSentFn;
}

export interface OutboxDispatcherOptions extends DeliveryRecorders {
  readonly db: NotificationStore;
  /**
   * When the outage a ticket is linked to ended (ISO), for the record of its restoration notice
   * (`restoredAt`): read from the read models. Without it the notice is recorded without one.
   */
  readonly restoredAtOf?: (ticketId: string) => string | undefined;
  readonly transport: MailTransport;
  readonly mailFrom: string;
  readonly logger: NotificationsLogger;
  readonly webhook?: WebhookClient;
  readonly retry?: Partial<RetryPolicy>;
  /** Wall clock for scheduling retries and `sent_at` (default `Date.now`). */
  readonly now?: () => number;
  readonly random?: () => number;
  /** Rows sent per pass (default 50). */
  readonly batchSize?: number;
  /** Longest sleep of the background loop between passes (default 5 s). */
  readonly pollMs?: number;
}

export interface DrainResult {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
}

/**
 * Delivers pending outbox rows: e-mail through the transport, SLA alerts also to the webhook.
 * A failure schedules the row again with exponential backoff; a success marks it sent (then,
 * for a confirmation, records the acknowledgement on the ticket). Rows go one at a time, in
 * order; when the mail server fails to take one, the other e-mails of the pass wait with it, so
 * a down server costs one failed connection per attempt, not one per row. The outcomes of a
 * chunk of rows (up to `batchSize`) are written in one transaction (every 100 ms at least while
 * a slow server takes the chunk), and those of the acknowledgements in another, so a busy
 * outbox does not pay a commit per row.
 */
export class OutboxDispatcher {
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private lock: Promise<unknown> = Promise.resolve();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  /** Set by {@link stop}: the pass under way ends after the message in flight. */
  private halting = false;

  constructor(private readonly options: OutboxDispatcherOptions) {
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.now = options.now ?? Date.now;
  }

  /**
   * Sends every row due now (one pass; rows that fail wait for their next attempt). A
   * {@link stop} ends the pass after the message in flight: the rest stay pending.
   */
  drain(): Promise<DrainResult> {
    const run = this.lock.then(() => this.pass());
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async pass(): Promise<DrainResult> {
    const { db } = this.options;
    const batch = this.options.batchSize ?? 50;
    let sent = 0;
    let retried = 0;
    let failed = 0;
    const tried = new Set<number>();
    let mailRetryAt: number | undefined;
    while (!this.halting) {
      const rows = db.dueOutbox(this.now(), batch).filter((r) => !tried.has(r.id));
      if (rows.length === 0) break;
      // What happened to each row of the chunk is written in one transaction at its end (or
      // every RECORD_EVERY_MS while a slow server takes the chunk), not one commit per row. A
      // crash before that sends those delivered e-mails again, with the same Message-ID (a
      // crash between a send and its record could always do that).
      let outcomes: (() => void)[] = [];
      let since = performance.now();
      const record = (): void => {
        this.writeAll(outcomes);
        outcomes = [];
        since = performance.now();
      };
      try {
        for (const row of rows) {
          // Between messages: a stop ends the pass here, the rows not tried stay pending.
          if (this.halting) break;
          tried.add(row.id);
          if (row.channel === 'email' && mailRetryAt !== undefined) {
            // The server just failed to take a message: the others wait with it, no attempt spent.
            const retryAt = mailRetryAt;
            outcomes.push(() => db.defer(row.id, retryAt));
            continue;
          }
          const outcome = await this.deliver(row);
          outcomes.push(outcome.record);
          if (outcome.result === 'sent') sent++;
          else if (outcome.result === 'failed') failed++;
          else {
            retried++;
            if (row.channel === 'email') mailRetryAt = outcome.retryAt;
          }
          if (performance.now() - since >= RECORD_EVERY_MS) record();
          // One message at a time, then the event loop's turn: requests are answered while a
          // backlog drains, and a stop is seen before the next message.
          await yieldToEventLoop();
        }
      } finally {
        record();
      }
    }
    await this.acknowledgeSent();
    return { sent, retried, failed };
  }

  /** Makes the outbox updates collected for a chunk or a pass, in one transaction. */
  private writeAll(writes: readonly (() => void)[]): void {
    if (writes.length === 0) return;
    this.options.db.transaction(() => {
      for (const write of writes) write();
    });
  }

  /** Delivers one row; the outcome's `record` writes it to the outbox (the caller batches those). */
  private async deliver(
    row: OutboxRow,
  ): Promise<{ record: () => void } & ({ result: 'sent' } | { result: 'failed' } | { result: 'retry'; retryAt: number })> {
    const { db, logger } = this.options;
    try {
      const response = row.channel === 'email' ? await this.sendMail(row) : await this.postWebhook(row);
      const sentAt = this.now();
      logger.log({ msg: 'notification sent', purpose: row.purpose, channel: row.channel, ticket: row.ticket_number, messageId: row.message_id, to: row.recipient, attempts: row.attempts + 1 });
      return { result: 'sent', record: () => db.markSent(row.id, sentAt, response) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const attempts = row.attempts + 1;
      const permanent = row.channel === 'email' ? isPermanentMailError(error) : error instanceof PermanentWebhookError;
      // An outage alert's webhook is retried like an e-mail (forever while it cannot be reached
      // or fails, a few times when it refuses for good): engineers must get it. An SLA alert's
      // webhook gives up after maxWebhookAttempts.
      const slaWebhook = row.channel === 'webhook' && row.purpose !== 'outage-alert';
      const limit = slaWebhook ? this.retry.maxWebhookAttempts : permanent ? this.retry.maxPermanentAttempts : Number.POSITIVE_INFINITY;
      if (attempts >= limit || (permanent && slaWebhook)) {
        logger.error({ msg: 'notification failed for good', purpose: row.purpose, channel: row.channel, ticket: row.ticket_number, attempts, error: message });
        return { result: 'failed', record: () => db.markFailed(row.id, message) };
      }
      const delay = retryDelayMs(this.retry, attempts, this.options.random);
      const retryAt = this.now() + delay;
      logger.warn({ msg: 'notification not delivered; will retry', purpose: row.purpose, channel: row.channel, ticket: row.ticket_number, attempts, retryInMs: delay, error: message });
      return { result: 'retry', retryAt, record: () => db.markRetry(row.id, retryAt, message) };
    }
  }

  private async sendMail(row: OutboxRow): Promise<string> {
    const receipt = await this.options.transport.send({
      from: this.options.mailFrom,
      to: row.recipient,
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      messageId: row.message_id,
      headers: { 'X-Support-SLA-Purpose': row.purpose, 'X-Support-SLA-Ticket': row.ticket_number },
    });
    return receipt.response;
  }

  private async postWebhook(row: OutboxRow): Promise<string> {
    const client = this.options.webhook ?? fetchWebhookClient();
    const status = await client.post(row.recipient, row.text_body, row.dedupe_key);
    if (status >= 200 && status < 300) return `HTTP ${status}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new PermanentWebhookError(`webhook answered HTTP ${status}`);
    throw new Error(`webhook answered HTTP ${status}`);
  }

  /**
   * Records each sent e-mail in the log: a confirmation as the ticket's acknowledgement; a
   * resolution or restoration notice as a sent notification (the domain counts a restoration
   * notice as the linked ticket's confirmation and response); an outage alert on the outage
   * board. A failure is retried with backoff, a bounded number of times. Different tickets
   * (outages) are recorded concurrently (the service commits them together); the rows of one go
   * in order.
   */
  private async acknowledgeSent(): Promise<void> {
    const byTicket = new Map<string, OutboxRow[]>();
    for (const row of this.options.db.pendingAcknowledgements(this.now(), 100)) byTicket.set(row.ticket_id, [...(byTicket.get(row.ticket_id) ?? []), row]);
    if (byTicket.size === 0) return;
    // The outcomes are written together at the end, in one transaction. Recording is
    // idempotent, so one that a crash kept from being marked done is simply made again.
    const outcomes: (() => void)[] = [];
    // Every ticket's recording is waited for, even when one failed outside its own retry handling.
    const settled = await Promise.allSettled(
      [...byTicket.values()].map(async (rows) => {
        for (const row of rows) outcomes.push(await this.acknowledgeOne(row));
      }),
    );
    this.writeAll(outcomes);
    const failure = settled.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  /** Records one sent e-mail on its ticket; returns the outbox update to make for it. */
  private async acknowledgeOne(row: OutboxRow): Promise<() => void> {
    const { db, acknowledge, recordSent, recordAlertSent, logger } = this.options;
    if (row.sent_at === null) return () => db.markAcknowledged(row.id);
    // When the server accepted it: the one instant every mode records (not when it was queued).
    const at = new Date(row.sent_at).toISOString();
    try {
      if (acknowledge !== undefined && row.purpose === 'confirmation') {
        await acknowledge(row.ticket_id, at, row.message_id);
      }
      if (recordSent !== undefined && (row.purpose === 'resolution' || row.purpose === 'outage-restored')) {
        const restoredAt = row.purpose === 'outage-restored' ? this.options.restoredAtOf?.(row.ticket_id) : undefined;
        await recordSent({ ticketId: row.ticket_id, purpose: row.purpose, at, messageId: row.message_id, ...(restoredAt === undefined ? {} : { restoredAt }) });
      }
      if (recordSent !== undefined && (row.purpose === 'sla-warning' || row.purpose === 'sla-breach')) {
        const email = row.channel === 'email';
        const { clock, level } = slaAlertOfRow(row);
        await recordSent({
          ticketId: row.ticket_id,
          purpose: row.purpose,
          clock,
          level,
          channel: row.channel,
          to: email ? row.recipient : webhookRecipient(row.recipient),
          at,
          ...(email ? { messageId: row.message_id } : {}),
        });
      }
      if (recordAlertSent !== undefined && row.purpose === 'outage-alert') {
        const email = row.channel === 'email';
        await recordAlertSent({
          outageId: row.ticket_id,
          channel: row.channel,
          to: email ? row.recipient : webhookRecipient(row.recipient),
          at,
          ...(email ? { messageId: row.message_id } : {}),
        });
      }
      return () => db.markAcknowledged(row.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const attempts = row.ack_attempts + 1;
      if (attempts >= this.retry.maxAcknowledgeAttempts) {
        logger.error({ msg: 'could not record the sent e-mail in the log; giving up', purpose: row.purpose, ticket: row.ticket_number, attempts, error: message });
        return () => db.failAcknowledgement(row.id, message);
      }
      const delay = retryDelayMs(this.retry, attempts, this.options.random);
      logger.warn({ msg: 'could not record the sent e-mail in the log; will retry', purpose: row.purpose, ticket: row.ticket_number, attempts, retryInMs: delay, error: message });
      const retryAt = this.now() + delay;
      return () => db.retryAcknowledgement(row.id, retryAt, message);
    }
  }

  /** Runs passes in the background: at the next due row, on {@link wake}, or every `pollMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.drain();
        } catch (error) {
          this.options.logger.error({ msg: 'outbox pass failed', error: error instanceof Error ? error.message : String(error) });
        }
        if (!this.running) break;
        const next = this.options.db.nextDueAt();
        const poll = this.options.pollMs ?? 5_000;
        const wait = next === undefined ? poll : Math.min(poll, Math.max(0, next - this.now()));
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(resolve, wait);
        });
        this.wakeUp = undefined;
      }
    })();
  }

  /** New rows were committed: send them now rather than at the next poll. */
  wake(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wakeUp?.();
  }

  /**
   * Stops the loop between two messages: the one in flight finishes and is recorded, the rest
   * stay pending in the outbox for the next start. Resolves once the pass under way (and any
   * {@link drain} queued before the call) has ended, and what it sent has been recorded (at most
   * one batch of acknowledgements, as at the end of any pass).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.halting = true;
    this.wake();
    try {
      await this.loop;
      await this.lock.catch(() => undefined);
    } finally {
      // A drain() called after stop() sends again (tests, scripts).
      this.halting = false;
    }
  }
}

/** A webhook answer that retrying will not change (4xx other than 408/429). */
export class PermanentWebhookError extends Error {
  override readonly name = 'PermanentWebhookError';
}
