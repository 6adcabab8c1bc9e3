/**
 * Messages between the service's main thread and the notifications worker thread
 * ({@link NotificationsWorker} and `notifications.worker.ts`). Everything here is plain data: it
 * crosses the thread boundary by structured clone.
 */

import type { NotificationsState } from './notifications';
import type { AlertSentRecord } from './outage-alerts';
import type { SentNotice } from './outbox-dispatcher';

/** Where the worker reads the log from, and where the mail tables are. */
export interface NotificationsWorkerData {
  readonly eventStore: { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'esdb'; readonly connectionString: string };
  /** The SQLite file with the `mail_` tables (the worker opens its own connection). */
  readonly database: string;
  /** The environment the notification settings are read from (`readNotificationsConfig`). */
  readonly env: Readonly<Record<string, string>>;
  readonly logLevel: string;
  /** How often the worker's SQLite subscription looks for appends made by the main thread (ms). */
  readonly pollMs: number;
}

export type SentRecord = SentNotice;

/** Worker → main. */
export type FromWorker =
  /** Started: caught up and sending, or in standby while another process holds the mail file's sender lock. */
  | { readonly type: 'started' }
  /** The notifications' state changed (`Notifications.state`). */
  | { readonly type: 'state'; readonly state: NotificationsState }
  /** Could not start (a broken template, say): the service must not start either. */
  | { readonly type: 'failed'; readonly message: string }
  /** Record a sent confirmation on the ticket (the main thread is the only writer of the log). */
  | { readonly type: 'acknowledge'; readonly id: number; readonly ticketId: string; readonly at: string; readonly messageId: string }
  /** Record a sent resolution or restoration notice on the ticket. */
  | { readonly type: 'record-sent'; readonly id: number; readonly sent: SentRecord }
  /** Record a delivered outage alert on the outage board. */
  | { readonly type: 'record-alert'; readonly id: number; readonly sent: AlertSentRecord }
  /** Stopped and closed everything it opened; the thread ends next. */
  | { readonly type: 'stopped' };

/** Main → worker. */
export type ToWorker =
  | { readonly type: 'reply'; readonly id: number; readonly error?: string }
  | { readonly type: 'stop' };
