import { loggingTransport } from './mail-transport';
import { NotificationStore, type NewOutboxRow } from './notification-store';
import { DEFAULT_RETRY_POLICY, OutboxDispatcher, retryDelayMs } from './outbox-dispatcher';

describe('retryDelayMs', () => {
  const fixed = { ...DEFAULT_RETRY_POLICY, jitter: false };
  it('doubles from the initial delay and stops at the bound', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(fixed, n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(fixed, 9)).toBe(256_000);
    expect(retryDelayMs(fixed, 10)).toBe(300_000);
    expect(retryDelayMs(fixed, 60)).toBe(300_000);
  });
  it('spreads a delay over its upper half with jitter', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0)).toBe(2_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0.999999)).toBe(4_000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0.5)).toBe(3_000);
  });
});

describe('OutboxDispatcher writes', () => {
  const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const row = (n: number, purpose: 'confirmation' | 'sla-warning'): NewOutboxRow => ({
    dedupe_key: `${purpose}:T-${n}`,
    purpose,
    channel: 'email',
    ticket_id: `T-${n}`,
    ticket_number: `SS-${String(n).padStart(6, '0')}`,
    trigger_event_id: `e-${n}`,
    message_id: `<m-${n}@test>`,
    recipient: `user${n}@example.test`,
    subject: `[SS-${n}] subject`,
    text_body: 'text',
    html_body: '<p>html</p>',
    status: 'pending',
    hold_outage_id: null,
    created_at: 0,
  });

  it('records the outcomes of a pass in one transaction per chunk, and the acknowledgements in one more', async () => {
    const store = new NotificationStore(':memory:');
    try {
      for (let n = 1; n <= 12; n++) store.enqueue(row(n, n % 4 === 0 ? 'sla-warning' : 'confirmation'));
      // Count the commits the dispatcher makes, and check no outbox update runs outside one.
      let transactions = 0;
      const transaction = store.transaction.bind(store);
      jest.spyOn(store, 'transaction').mockImplementation((work) => {
        transactions++;
        return transaction(work);
      });
      const outside: string[] = [];
      for (const method of ['markSent', 'markRetry', 'markFailed', 'defer', 'markAcknowledged', 'retryAcknowledgement'] as const) {
        const original = store[method].bind(store) as (...args: unknown[]) => void;
        jest.spyOn(store, method).mockImplementation((...args: unknown[]) => {
          if (!store.db.inTransaction) outside.push(method);
          original(...args);
        });
      }
      const sent: string[] = [];
      const acknowledged: string[] = [];
      const dispatcher = new OutboxDispatcher({
        db: store,
        mailFrom: 'desk@example.test',
        logger: silent,
        batchSize: 5,
        now: () => 1_000,
        transport: {
          kind: 'log',
          close: () => undefined,
          // The 7th e-mail is refused once: it and the rest of its chunk wait for the retry.
          send: async (mail) => {
            if (mail.messageId === '<m-7@test>' && !sent.includes('refused')) {
              sent.push('refused');
              throw new Error('connection refused');
            }
            sent.push(mail.messageId);
            return { response: '250 ok', messageId: mail.messageId };
          },
        },
        acknowledge: async (ticketId) => {
          acknowledged.push(ticketId);
        },
        retry: { jitter: false },
      });
      expect(await dispatcher.drain()).toEqual({ sent: 6, retried: 1, failed: 0 });
      expect(outside).toEqual([]);
      // Chunks of 5 rows: rows 1–5 and 6–10 (7 refused, 8–10 deferred), then 11–12, then the acknowledgements.
      expect(transactions).toBe(4);
      const byStatus = (status: string): string[] => store.outbox().filter((r) => r.status === status).map((r) => r.ticket_id);
      expect(byStatus('sent')).toEqual(['T-1', 'T-2', 'T-3', 'T-4', 'T-5', 'T-6']);
      const waiting = store.outbox().filter((r) => r.status === 'pending');
      expect(waiting.map((r) => [r.ticket_id, r.next_attempt_at, r.attempts])).toEqual([
        ['T-7', 2_000, 1],
        ['T-8', 2_000, 0],
        ['T-9', 2_000, 0],
        ['T-10', 2_000, 0],
        ['T-11', 2_000, 0],
        ['T-12', 2_000, 0],
      ]);
      // Confirmations are recorded on their tickets (acknowledge); the SLA warning's delivery is recorded too (by recordSent, not given here).
      expect(acknowledged.sort()).toEqual(['T-1', 'T-2', 'T-3', 'T-5', 'T-6']);
      expect(store.outbox().filter((r) => r.ack_state === 'done').map((r) => r.ticket_id)).toEqual(['T-1', 'T-2', 'T-3', 'T-4', 'T-5', 'T-6']);
      expect(store.pendingAcknowledgements(Number.MAX_SAFE_INTEGER, 100)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('writes what a slow server has taken at least every 100 ms, not only at the end of the chunk', async () => {
    const store = new NotificationStore(':memory:');
    try {
      for (let n = 1; n <= 4; n++) store.enqueue(row(n, 'confirmation'));
      const sentWhenThirdStarted: string[] = [];
      const dispatcher = new OutboxDispatcher({
        db: store,
        mailFrom: 'desk@example.test',
        logger: silent,
        transport: {
          kind: 'log',
          close: () => undefined,
          send: async (mail) => {
            if (mail.messageId === '<m-3@test>') sentWhenThirdStarted.push(...store.outbox().filter((r) => r.status === 'sent').map((r) => r.ticket_id));
            await new Promise((resolve) => setTimeout(resolve, 60));
            return { response: '250 ok', messageId: mail.messageId };
          },
        },
      });
      expect(await dispatcher.drain()).toEqual({ sent: 4, retried: 0, failed: 0 });
      // Two sends of 60 ms each pass the 100 ms mark: they were on record before the third began.
      expect(sentWhenThirdStarted).toEqual(['T-1', 'T-2']);
      expect(store.outbox().map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    } finally {
      store.close();
    }
  });

  describe('a large backlog', () => {
    // Hundreds of due e-mails and a transport that answers at once (SMTP_URL unset): shutdown
    // must not wait for the backlog, nor must the event loop.
    const BACKLOG = 600;
    const fill = (store: NotificationStore): void => {
      store.transaction(() => {
        for (let n = 1; n <= BACKLOG; n++) store.enqueue(row(n, 'confirmation'));
      });
    };
    const count = (store: NotificationStore, status: string): number => store.outbox().filter((r) => r.status === status).length;

    it('stop() ends delivery between two messages, records what went out, and leaves the rest pending', async () => {
      const store = new NotificationStore(':memory:');
      try {
        fill(store);
        const logged: string[] = [];
        let reached: () => void = () => undefined;
        const tenLogged = new Promise<void>((resolve) => (reached = resolve));
        const logger = {
          ...silent,
          log: (message: unknown) => {
            if ((message as { msg?: string }).msg?.startsWith('e-mail logged') === true && logged.push('x') === 10) reached();
          },
        };
        const acknowledged: string[] = [];
        const dispatcher = new OutboxDispatcher({
          db: store,
          mailFrom: 'desk@example.test',
          logger,
          transport: loggingTransport(logger),
          acknowledge: async (ticketId) => {
            acknowledged.push(ticketId);
          },
        });
        dispatcher.start();
        await tenLogged;
        const began = performance.now();
        await dispatcher.stop();
        const tookMs = performance.now() - began;
        const sent = count(store, 'sent');
        // At most the e-mail in flight went out after the stop: what it sent is on record (and
        // acknowledged, as at the end of any pass); the rest waits in the outbox for the next start.
        expect(tookMs).toBeLessThan(1_000);
        expect(sent).toBeGreaterThanOrEqual(10);
        expect(sent).toBeLessThanOrEqual(11);
        expect(logged).toHaveLength(sent);
        expect(count(store, 'pending')).toBe(BACKLOG - sent);
        expect(acknowledged).toHaveLength(sent);
        // Nothing more goes out once stopped.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(logged).toHaveLength(sent);
        // A later drain sends the rest (nothing was lost).
        expect(await dispatcher.drain()).toEqual({ sent: BACKLOG - sent, retried: 0, failed: 0 });
        expect(count(store, 'pending')).toBe(0);
      } finally {
        store.close();
      }
    });

    it('lets the event loop run between messages, even with a transport that answers without I/O', async () => {
      const store = new NotificationStore(':memory:');
      try {
        fill(store);
        let sent = 0;
        const dispatcher = new OutboxDispatcher({
          db: store,
          mailFrom: 'desk@example.test',
          logger: silent,
          transport: {
            kind: 'log',
            close: () => undefined,
            send: (mail) => {
              sent++;
              return Promise.resolve({ response: 'logged', messageId: mail.messageId });
            },
          },
        });
        dispatcher.start();
        // A timer (a request, a SIGTERM handler) runs while the backlog drains, and a stop it asks
        // for is seen before the next message.
        const sentWhenTimerRan = await new Promise<number>((resolve) => setTimeout(() => resolve(sent), 0));
        await dispatcher.stop();
        expect(sentWhenTimerRan).toBeLessThan(BACKLOG);
        expect(count(store, 'pending')).toBeGreaterThan(0);
        expect(count(store, 'sent')).toBe(sent);
        expect(count(store, 'pending')).toBe(BACKLOG - sent);
      } finally {
        store.close();
      }
    });
  });
});
