/**
 * Entry point of the mail writer thread: writes the batches the mailer decided on the read
 * models' fold (outbox rows rendered, alert points, the mail checkpoint: one transaction each,
 * {@link writeMailBatch}) on its own connection to the mail file, and answers with the outcome.
 * Started by {@link MailWriterThread}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeMailBatch } from '../notifications/mail-batch';
import { NotificationStore } from '../notifications/notification-store';
import { readNotificationsConfig } from '../notifications/notifications.config';
import { MailTemplates } from '../notifications/templates';
import { decodeMailBatch, type FromMailWriter, type MailWriterData, type ToMailWriter } from './mail-writer.protocol';
import { lowerThisThreadPriority } from './thread-priority';

const port = parentPort;
if (port === null) throw new Error('mail-writer.worker must run in a worker thread (see MailWriterThread)');
// As delivery: on two cores, requests on the main thread should not wait for a core behind the
// writes (which hold the fold back, through the runner, only when a batch is still in flight).
lowerThisThreadPriority();
const data = workerData as MailWriterData;
const post = (message: FromMailWriter): void => port.postMessage(message);
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

let db: NotificationStore | undefined;
try {
  const config = readNotificationsConfig(data.env);
  const templates = new MailTemplates(config.templatesDir);
  const store = new NotificationStore(data.database);
  db = store;
  const deps = { db: store, templates, config };
  port.on('message', (request: ToMailWriter) => {
    if (request.type === 'stop') {
      store.close();
      port.close();
      return;
    }
    try {
      post({ type: 'written', id: request.id, outcome: writeMailBatch(deps, decodeMailBatch(request.input)) });
    } catch (error) {
      post({ type: 'not-written', id: request.id, error: message(error) });
    }
  });
  post({ type: 'started' });
} catch (error) {
  db?.close();
  post({ type: 'failed', message: message(error) });
  port.close();
}
