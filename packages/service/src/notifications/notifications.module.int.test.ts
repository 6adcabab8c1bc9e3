import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ticketDecider } from '@support-sla/domain';
import { openTicketCommand } from '@support-sla/domain/testing';
import { ticketStream } from '../event-store/streams';
import { InMemoryEventStore } from '../event-store/in-memory/in-memory.event-store';
import { Notifications } from './notifications';
import { readNotificationsConfig } from './notifications.config';
import { NOTIFICATIONS, NotificationsModule } from './notifications.module';
import { DomainDriver, SmtpSink, ticketRecorders } from './notifications.test-support';

describe('NotificationsModule', () => {
  it('starts with the application, e-mails from the global log, and stops with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'support-sla-mail-module-'));
    const sink = await SmtpSink.start();
    const store = new InMemoryEventStore();
    const acknowledged: string[] = [];
    try {
      @Module({
        imports: [
          NotificationsModule.forRootAsync({
            useFactory: () => ({
              store,
              database: join(dir, 'service.sqlite'),
              config: readNotificationsConfig({ SMTP_URL: sink.url, SLA_ALERT_EMAIL: 'oncall@support-sla.local', SLA_ALERT_TICK_MS: '50' }),
              // Two days after the ticket below was opened: its confirmation clock (never recorded here) is long breached.
              clock: () => Date.parse('2026-03-12T14:00:00Z'),
              acknowledge: async (ticketId: string) => {
                acknowledged.push(ticketId);
              },
              // Alerts are raised on the ticket, and their deliveries recorded there, as the service wires it.
              raiseSlaAlert: ticketRecorders(store).raiseSlaAlert,
              recordSent: ticketRecorders(store).recordSent,
            }),
          }),
        ],
      })
      class TestAppModule {}

      const app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
      await app.init();
      const notifications = app.get<Notifications>(NOTIFICATIONS);
      expect(notifications).toBeInstanceOf(Notifications);
      await new DomainDriver(store).run(ticketDecider, ticketStream('T-1'), openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000007', license: 'publisher' }));
      const [mail] = await sink.waitFor(1);
      expect(mail?.subject).toContain('[SS-000007]');
      expect(mail?.to).toBe('pat@district.example.org');
      const deadline = Date.now() + 5_000;
      while (acknowledged.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(acknowledged).toEqual(['T-1']);
      // The watcher ticks on its own: the breach reaches the alert address once.
      // One confirmation, then 50/75/90 % and breach for each of the two clocks.
      const mails = await sink.waitFor(1 + 4 + 4);
      await new Promise((r) => setTimeout(r, 200));
      expect(sink.messages).toHaveLength(9);
      const breaches = mails.filter((m) => m.purpose === 'sla-breach');
      expect(breaches.map((m) => m.subject)).toEqual(['[SS-000007] SLA BREACHED: confirmation deadline passed (Professional)', '[SS-000007] SLA BREACHED: response deadline passed (Professional)']);
      expect(breaches.every((m) => m.to === 'oncall@support-sla.local')).toBe(true);
      await app.close();
      // Stopped: the SQLite connection it opened is closed.
      expect(notifications.db.db.open).toBe(false);
    } finally {
      await sink.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
