/**
 * Entry point of the delivery worker thread: the outbox dispatcher (SMTP, webhooks) off the
 * service's event loop, at a lower priority. It opens the mail file on its own connection and
 * sends what the mailer wrote there; what it must record in the log (a sent confirmation, notice
 * or outage alert) it asks the main thread to append. Started by {@link DeliveryWorker}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { createMailTransport, type NotificationsLogger } from '../notifications/mail-transport';
import { NotificationStore } from '../notifications/notification-store';
import { readNotificationsConfig } from '../notifications/notifications.config';
import { OutboxDispatcher } from '../notifications/outbox-dispatcher';
import type { DeliveryWorkerData, FromDeliveryWorker, ToDeliveryWorker } from './delivery-worker.protocol';
import { lowerThisThreadPriority } from './thread-priority';

const port = parentPort;
if (port === null) throw new Error('delivery.worker must run in a worker thread (see DeliveryWorker)');
// E-mail can wait a few milliseconds; requests on the main thread should not wait for a core.
lowerThisThreadPriority();
const data = workerData as DeliveryWorkerData;
const post = (message: FromDeliveryWorker): void => port.postMessage(message);

const log = pino({ level: data.logLevel, base: { service: 'support-sla', context: 'Notifications', thread: 'notifications' }, timestamp: pino.stdTimeFunctions.isoTime });
const fields = (message: unknown): object => (typeof message === 'object' && message !== null ? message : { msg: String(message) });
const logger: NotificationsLogger = {
  log: (message) => log.info(fields(message)),
  warn: (message) => log.warn(fields(message)),
  error: (message) => log.error(fields(message)),
};

let lastId = 0;
const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
const ask = (request: DistributiveOmit<Extract<FromDeliveryWorker, { id: number }>, 'id'>): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const id = ++lastId;
    waiting.set(id, { resolve, reject });
    post({ ...request, id } as FromDeliveryWorker);
  });
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const config = readNotificationsConfig(data.env);
const db = new NotificationStore(data.database);
const transport = createMailTransport(config, logger);
const dispatcher = new OutboxDispatcher({
  db,
  transport,
  mailFrom: config.mailFrom,
  logger,
  acknowledge: (ticketId, at, messageId) => ask({ type: 'acknowledge', ticketId, at, messageId }),
  recordSent: (sent) => ask({ type: 'record-sent', sent }),
  recordAlertSent: (sent) => ask({ type: 'record-alert', sent }),
});

let stopping: Promise<void> | undefined;
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    try {
      await dispatcher.stop();
    } catch (error) {
      logger.error({ msg: 'delivery did not stop cleanly', error: (error as Error).message });
    }
    transport.close();
    db.close();
    post({ type: 'stopped' });
    port.close();
  })());

port.on('message', (message: ToDeliveryWorker) => {
  if (message.type === 'stop') void stop();
  else if (message.type === 'wake') dispatcher.wake();
  else {
    const request = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error === undefined) request?.resolve();
    else request?.reject(new Error(message.error));
  }
});

try {
  dispatcher.start();
  logger.log({ msg: 'notifications started', transport: transport.kind, part: 'delivery (SMTP, webhooks) in its own thread' });
  post({ type: 'started' });
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  void stop();
}
