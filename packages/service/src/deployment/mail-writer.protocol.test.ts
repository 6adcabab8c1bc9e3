import { defaultPolicy } from '@support-sla/domain';
import { historyOf, openTicketCommand, ticketOf } from '@support-sla/domain/testing';
import { MAIL_CHECKPOINT, writeMailBatch, type MailBatch } from '../notifications/mail-batch';
import { NotificationStore } from '../notifications/notification-store';
import { readNotificationsConfig } from '../notifications/notifications.config';
import { MailTemplates } from '../notifications/templates';
import { decodeMailBatch, encodeMailBatch, transferable } from './mail-writer.protocol';

const ticket = ticketOf(historyOf(openTicketCommand({ ticketId: 'T-1', ticketNumber: 'SS-000001', now: '2026-03-10T14:00:00Z' })));
const later = { ...ticket, acknowledgedAtMs: ticket.openedAtMs + 60_000 };
const policy = { ...defaultPolicy };

const batch: MailBatch = {
  batch: [
    {
      position: { commit: 2n ** 60n + 7n, prepare: 2n ** 60n + 5n },
      effects: [
        { kind: 'confirmation', ticket, policy, triggerId: 'e-1' },
        { kind: 'alert-points', ticketId: 'T-1', streamId: 'ticket-T-1', ticket, policy, fractions: [0.5, 0.75, 0.9] },
      ],
    },
    { position: { commit: 9n, prepare: 9n }, effects: [] },
    {
      position: { commit: 12n, prepare: 11n },
      effects: [
        { kind: 'alert-points', ticketId: 'T-1', streamId: 'ticket-T-1', ticket: later, policy: defaultPolicy, fractions: [0.5] },
        { kind: 'resolution', ticket: later, policy, details: 'Fixed', to: 'a@b.example', at: '2026-03-10T15:00:00Z', triggerId: 'e-3' },
        { kind: 'suppress-recorded-as-sent', dedupeKey: 'confirmation:T-1', messageId: '<m@x>' },
        { kind: 'outage-alert', outage: { outageId: 'O-1', declaredAt: '2026-03-10T15:00:00Z', at: '2026-03-10T15:00:01Z', by: { id: 'u-1', role: 'agent' }, source: 'staff' }, timeZone: 'America/New_York', triggerId: 'e-4' },
      ],
    },
  ],
  seen: { commit: 13n, prepare: 13n },
  now: 1_773_151_200_000,
};

describe('the mail writer thread protocol', () => {
  it('carries a batch across as one buffer, giving back the same batch but for alert points a later effect replaces', () => {
    const text = encodeMailBatch(batch);
    expect(text).toBeInstanceOf(Uint8Array);
    const [first, second, third] = batch.batch;
    const withoutSuperseded = { ...batch, batch: [{ ...first!, effects: first!.effects.filter((e) => e.kind !== 'alert-points') }, second, third] };
    expect(decodeMailBatch(text)).toEqual(withoutSuperseded);
    expect(decodeMailBatch(encodeMailBatch({ batch: [], seen: undefined, now: 1 }))).toEqual({ batch: [], seen: undefined, now: 1 });
  });

  it('writes each ticket state and each policy once, however many effects share it', () => {
    const text = encodeMailBatch(batch).toString('utf8');
    // Two states of the ticket, two policy objects.
    expect(text.split('"ticketNumber":"SS-000001"').length - 1).toBe(2);
    expect(text.split('"supportCalendar"').length - 1).toBe(2);
    const decoded = decodeMailBatch(encodeMailBatch(batch));
    const [points, resolution] = decoded.batch[2]!.effects;
    if (points?.kind !== 'alert-points' || resolution?.kind !== 'resolution') throw new Error('unexpected effects');
    expect(points.ticket).toBe(resolution.ticket);
  });

  it('writes the same rows, alert points and checkpoint as the batch itself', () => {
    const write = (input: MailBatch) => {
      const db = new NotificationStore(':memory:');
      const config = readNotificationsConfig({ ONCALL_EMAIL: 'oncall@example.com' });
      const outcome = writeMailBatch({ db, templates: new MailTemplates(config.templatesDir), config }, input);
      const written = { outcome, outbox: db.outbox(), points: db.points('T-1'), checkpoint: db.checkpoint(MAIL_CHECKPOINT) };
      db.close();
      return written;
    };
    expect(write(decodeMailBatch(encodeMailBatch(batch)))).toEqual(write(batch));
  });
});

describe('transferable', () => {
  it('moves a buffer that owns its memory, and copies one that shares Buffer\'s pool', () => {
    const own = encodeMailBatch(batch);
    expect(own.byteLength).toBeGreaterThan(4096);
    expect(transferable(own)).toEqual([own.buffer]);
    const pooled = Buffer.from('small');
    expect(transferable(pooled)).toEqual([]);
  });
});
