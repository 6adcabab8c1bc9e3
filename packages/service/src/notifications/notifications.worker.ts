/**
 * Entry point of the notifications worker thread: the e-mail reactor, outbox dispatcher and SLA
 * alert watcher ({@link Notifications}), off the service's event loop. It reads the log through
 * its own store connection and keeps the `mail_` tables on its own SQLite connection; what it
 * must record in the log (a sent confirmation, notice or outage alert) it asks the main thread to append,
 * so the main thread stays the only writer of the log. Started by {@link NotificationsWorker}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createEsdbEventStore } from '../event-store/esdb/esdb.event-store';
import type { EventStore } from '../event-store/event-store.port';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import type { NotificationsLogger } from './mail-transport';
import { Notifications } from './notifications';
import { readNotificationsConfig } from './notifications.config';
import type { FromWorker, NotificationsWorkerData, SentRecord, ToWorker } from './notifications-worker.protocol';
import type { AlertSentRecord } from './outage-alerts';
import { lowerThisThreadPriority } from '../platform/thread-priority';

const port = parentPort;
if (port === null) throw new Error('notifications.worker must run in a worker thread (see NotificationsWorker)');
// E-mail can wait a few milliseconds; requests on the main thread should not wait for a core.
lowerThisThreadPriority();
const data = workerData as NotificationsWorkerData;
const post = (message: FromWorker): void => port.postMessage(message);

const log = pino({ level: data.logLevel, base: { service: 'support-sla', context: 'Notifications', thread: 'notifications' }, timestamp: pino.stdTimeFunctions.isoTime });
const fields = (message: unknown): object => (typeof message === 'object' && message !== null ? message : { msg: String(message) });
const logger: NotificationsLogger = {
  log: (message) => log.info(fields(message)),
  warn: (message) => log.warn(fields(message)),
  error: (message) => log.error(fields(message)),
};

// Requests to the main thread, answered by a `reply` with the same id.
let lastId = 0;
const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
const ask = (
  request: { type: 'acknowledge'; ticketId: string; at: string; messageId: string } | { type: 'record-sent'; sent: SentRecord } | { type: 'record-alert'; sent: AlertSentRecord },
): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const id = ++lastId;
    waiting.set(id, { resolve, reject });
    post({ ...request, id });
  });

let store: EventStore | undefined;
let notifications: Notifications | undefined;
let stopping: Promise<void> | undefined;

const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    try {
      await notifications?.stop();
    } catch (error) {
      logger.error({ msg: 'notifications did not stop cleanly', error: (error as Error).message });
    }
    await store?.close().catch(() => undefined);
    post({ type: 'stopped' });
    port.close();
  })());

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') {
    void stop();
    return;
  }
  const request = waiting.get(message.id);
  if (request === undefined) return;
  waiting.delete(message.id);
  if (message.error === undefined) request.resolve();
  else request.reject(new Error(message.error));
});

async function main(): Promise<void> {
  store = data.eventStore.kind === 'sqlite' ? SqliteEventStore.open(data.eventStore.file, { pollMs: data.pollMs }) : createEsdbEventStore(data.eventStore.connectionString);
  notifications = new Notifications({
    store,
    database: data.database,
    config: readNotificationsConfig(data.env),
    logger,
    acknowledge: (ticketId, at, messageId) => ask({ type: 'acknowledge', ticketId, at, messageId }),
    recordSent: (sent) => ask({ type: 'record-sent', sent }),
    recordAlertSent: (sent) => ask({ type: 'record-alert', sent }),
    onState: (state) => post({ type: 'state', state }),
  });
  await notifications.start();
  post({ type: 'started' });
}

main().catch(async (error: unknown) => {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  await stop();
});
