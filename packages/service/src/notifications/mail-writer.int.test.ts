import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketDecider } from '@support-sla/domain';
import { openTicketCommand } from '@support-sla/domain/testing';
import { ticketStream } from '../event-store/streams';
import { SqliteEventStore } from '../event-store/sqlite/sqlite.event-store';
import { writeMailBatch, type MailBatch, type MailBatchOutcome, type MailBatchWriter } from './mail-batch';
import type { NotificationsLogger } from './mail-transport';
import { NotificationStore } from './notification-store';
import { Notifications } from './notifications';
import { readNotificationsConfig } from './notifications.config';
import { DomainDriver } from './notifications.test-support';
import { MailTemplates } from './templates';

const quietLogger: NotificationsLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A writer elsewhere, as the writer thread is: its own connection and templates, the same
 * `writeMailBatch`, answering later. `plan` says what the next batches do: `fail` (not
 * committed), `lose` (committed, but the answer is lost, as when a thread dies).
 */
class FakeWriter implements MailBatchWriter {
  readonly plan: ('fail' | 'lose')[] = [];
  readonly batches: number[] = [];
  private readonly db: NotificationStore;
  private readonly templates: MailTemplates;
  private inFlight = 0;
  maxInFlight = 0;

  constructor(file: string) {
    this.db = new NotificationStore(file);
    this.templates = new MailTemplates(readNotificationsConfig({}).templatesDir);
  }

  async write(input: MailBatch): Promise<MailBatchOutcome> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // Plain data only, as structured clone copies it.
      const copy = structuredClone(input);
      await new Promise((r) => setTimeout(r, 5));
      this.batches.push(copy.batch.length);
      const next = this.plan.shift();
      if (next === 'fail') throw new Error('the mail file is unwritable');
      const outcome = writeMailBatch({ db: this.db, templates: this.templates, config: readNotificationsConfig({}) }, copy);
      if (next === 'lose') throw new Error('the writer thread ended before it answered');
      return structuredClone(outcome);
    } finally {
      this.inFlight--;
    }
  }

  stop(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

let dir: string;
let file: string;
let store: SqliteEventStore;
let driver: DomainDriver;
let counter = 0;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'support-sla-writer-'));
  file = join(dir, 'service.sqlite');
  store = SqliteEventStore.open(file, { pollMs: 20 });
  driver = new DomainDriver(store);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const openTicket = async (): Promise<string> => {
  counter++;
  const ticketId = `W-${counter}`;
  await driver.run(ticketDecider, ticketStream(ticketId), openTicketCommand({ ticketId, ticketNumber: `SS-${String(counter).padStart(6, '0')}`, license: 'teacher', now: '2026-03-10T14:00:00Z' }));
  return ticketId;
};

const waitUntil = async (done: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the mailer writing its batches elsewhere (as in the writer thread)', () => {
  it('writes every batch once and in order, one in flight at a time, retrying a failed or lost batch with what follows it', async () => {
    const writer = new FakeWriter(file);
    const n = new Notifications({ store, database: file, config: readNotificationsConfig({}), logger: quietLogger, reactorRetryMs: 20, writer: () => writer });
    const first = [await openTicket(), await openTicket()];
    await n.start();
    expect(n.db.outbox().map((r) => r.ticket_id)).toEqual(first);

    writer.plan.push('fail', 'lose');
    const later: string[] = [];
    for (let i = 0; i < 6; i++) later.push(await openTicket());
    const head = await store.headPosition();
    await waitUntil(() => n.follower.idle && n.reactor.checkpoint?.commit === head?.commit, 'the mail checkpoint at the head');
    expect(writer.plan).toEqual([]);
    expect(writer.maxInFlight).toBe(1);
    // Each ticket's confirmation once, in the order of the log.
    expect(n.db.outbox().map((r) => r.ticket_id)).toEqual([...first, ...later]);
    await n.stop();
  });
});
