import type { AlertSentRecord } from '../notifications/outage-alerts';
import type { SentNotice } from '../notifications/outbox-dispatcher';

/** What the delivery worker is started with. */
export interface DeliveryWorkerData {
  /** The mail tables' SQLite file. */
  readonly database: string;
  /** The service's environment (the worker reads the notifications' settings from it). */
  readonly env: Readonly<Record<string, string>>;
  readonly logLevel: string;
}

/** Main thread → worker. */
export type ToDeliveryWorker = { readonly type: 'wake' } | { readonly type: 'stop' } | { readonly type: 'reply'; readonly id: number; readonly error?: string };

/** Worker → main thread: asks to record what went out (the main thread is the log's only writer). */
export type FromDeliveryWorker =
  | { readonly type: 'started' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'acknowledge'; readonly id: number; readonly ticketId: string; readonly at: string; readonly messageId: string }
  | { readonly type: 'record-sent'; readonly id: number; readonly sent: SentNotice }
  | { readonly type: 'record-alert'; readonly id: number; readonly sent: AlertSentRecord };
