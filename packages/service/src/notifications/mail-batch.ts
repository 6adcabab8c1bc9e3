import { comparePositions, type GlobalPosition } from '../event-store/event-store.port';
import { duePointsOf, type NotificationEffect } from './decide-notifications';
import { renderConfirmation, renderResolution, renderRestored, slaAlertKey, slaAlertMail, ticketRowBase } from './mail-rendering';
import { NotificationStore, type MailPurpose, type NewOutboxRow } from './notification-store';
import type { NotificationsConfig } from './notifications.config';
import { outageAlertRows } from './outage-alerts';
import type { MailTemplates } from './templates';

/** The mail checkpoint's name in the mail file. */
export const MAIL_CHECKPOINT = 'notifications';

/** The effects one event was decided to have, and where it is in the log (plain data: it crosses to the writer thread). */
export interface Decided {
  readonly position: GlobalPosition;
  readonly effects: readonly NotificationEffect[];
}

/** One batch to write (plain data, structured-clone safe). */
export interface MailBatch {
  readonly batch: readonly Decided[];
  /** The last position handed over: the checkpoint to store. */
  readonly seen: GlobalPosition | undefined;
  /** `created_at` of the rows. */
  readonly now: number;
}

/** What a written batch did (plain data). */
export interface MailBatchOutcome {
  /** The mail checkpoint stored after the batch. */
  readonly checkpoint: GlobalPosition | undefined;
  /** Events whose effects were written. */
  readonly count: number;
  /** Deliverable rows were added. */
  readonly enqueued: boolean;
  /** The earliest due time (epoch ms) of the alert points written, or null when none were. */
  readonly earliestDue: number | null;
  /** Errors to log (on the main thread's logger). */
  readonly logs: Record<string, unknown>[];
}

export interface MailBatchDeps {
  readonly db: NotificationStore;
  readonly templates: MailTemplates;
  readonly config: Pick<NotificationsConfig, 'mailFrom' | 'messageIdDomain' | 'oncallEmail' | 'oncallWebhookUrl' | 'slaAlertEmail' | 'slaAlertWebhookUrl'>;
}

/** Writes batches somewhere else (a thread); rejects when the batch was not committed (or may not have been). */
export interface MailBatchWriter {
  write(input: MailBatch): Promise<MailBatchOutcome>;
  stop(): Promise<void>;
}

/** An outbox row decided in the batch, written (and rendered, if it is to be sent) when the batch commits. */
interface Entry {
  readonly key: string;
  readonly purpose: MailPurpose;
  readonly ticketId: string;
  readonly messageId: string;
  status: 'pending' | 'suppressed';
  reason: string | null;
  /** The row but its text, its status and its time. */
  readonly base: () => Omit<NewOutboxRow, 'subject' | 'text_body' | 'html_body' | 'status' | 'hold_outage_id' | 'created_at'>;
  readonly render: () => { readonly subject: string; readonly text: string; readonly html: string };
}

const NO_TEXT = { subject: '', text: '', html: '' };

/**
 * Writes one batch to the mail file, in one transaction with the mail checkpoint: the batch's
 * effects past the stored checkpoint, coalesced, then the checkpoint (`seen`, the last position
 * handed over). The one implementation: the follower runs it in-process, or a writer thread
 * (`src/deployment/mail-writer-thread.ts`) runs it on its own connection.
 */
export function writeMailBatch(deps: MailBatchDeps, input: MailBatch): MailBatchOutcome {
const { db, templates } = deps;
return templates.batch(() => db.transaction(() => writeInTransaction(deps, input)));
}

function writeInTransaction(deps: MailBatchDeps, { batch, seen, now }: MailBatch): MailBatchOutcome {
const { db, config, templates } = deps;
  const stored = db.checkpoint(MAIL_CHECKPOINT);
  const entries = new Map<string, Entry>();
  const byMessageId = new Map<string, Entry>();
  const points = new Map<string, Extract<NotificationEffect, { kind: 'alert-points' }>>();
  const logs: Record<string, unknown>[] = [];
  let count = 0;
  const add = (entry: Entry): void => {
    // One row per dedupe key: the first decided wins, as the outbox's unique key makes it.
    if (entries.has(entry.key)) return;
    entries.set(entry.key, entry);
    byMessageId.set(entry.messageId, entry);
  };
  const suppress = (entry: Entry | undefined, reason: string): boolean => {
    if (entry === undefined) return false;
    if (entry.status === 'pending') {
      entry.status = 'suppressed';
      entry.reason = reason;
    }
    return true;
  };
  const ticketMail = (purpose: MailPurpose, ticket: { ticketId: string; ticketNumber: string }, triggerId: string, recipient: string, render: Entry['render']): void => {
    const base = { ...ticketRowBase(purpose, ticket, triggerId, config.messageIdDomain), recipient };
    add({ key: base.dedupe_key, purpose, ticketId: ticket.ticketId, messageId: base.message_id, status: 'pending', reason: null, base: () => base, render });
  };

  for (const decided of batch) {
    if (stored !== undefined && comparePositions(decided.position, stored) <= 0) continue;
    count++;
    for (const effect of decided.effects) {
      switch (effect.kind) {
        case 'alert-points':
          // Only the last of the batch counts; re-inserting moves the ticket to the end (its latest).
          points.delete(effect.ticketId);
          points.set(effect.ticketId, effect);
          break;
        case 'confirmation':
          ticketMail('confirmation', effect.ticket, effect.triggerId, effect.ticket.namedUser.email, () => renderConfirmation(templates, effect.ticket, effect.policy));
          break;
        case 'resolution':
          ticketMail('resolution', effect.ticket, effect.triggerId, effect.to, () => renderResolution(templates, effect.ticket, effect.policy, effect.details, effect.to, effect.at));
          break;
        case 'outage-restored':
          ticketMail('outage-restored', effect.ticket, effect.triggerId, effect.ticket.contactEmail, () =>
            renderRestored(templates, effect.ticket, effect.outageId, effect.declaredAtMs, effect.endedAtMs, effect.timeZone),
          );
          break;
        case 'outage-alert': {
          // Rendered once for both channels, when the batch is written.
          let rows: NewOutboxRow[] | undefined;
          const all = (): NewOutboxRow[] => (rows ??= outageAlertRows(effect.outage, effect.triggerId, config, templates, effect.timeZone, 0));
          const channels = [...(config.oncallEmail === undefined ? [] : ['email' as const]), ...(config.oncallWebhookUrl === undefined ? [] : ['webhook' as const])];
          for (const channel of channels) {
            const row = (): NewOutboxRow => all().find((r) => r.channel === channel)!;
            add({
              key: NotificationStore.alertKey(effect.outage.outageId, channel),
              purpose: 'outage-alert',
              ticketId: effect.outage.outageId,
              messageId: `${channel}:${effect.triggerId}`,
              status: 'pending',
              reason: null,
              base: () => {
                // eslint-disable-next-line @typescript-eslint/no-unused-vars
                const { subject, text_body, html_body, status, hold_outage_id, created_at, ...rest } = row();
                return rest;
              },
              render: () => ({ subject: row().subject, text: row().text_body, html: row().html_body }),
            });
          }
          break;
        }
        case 'sla-alert': {
          const { ticket, clock, level, dueAtMs } = effect;
          // Raised in the log: never raised again from this file (its point goes, and stays gone).
          db.markAlertRaised(ticket.ticketId, clock, level, dueAtMs, now);
          let mail: ReturnType<typeof slaAlertMail> | undefined;
          const alert = (): ReturnType<typeof slaAlertMail> => (mail ??= slaAlertMail(templates, ticket, effect.policy, clock, level, dueAtMs, config.messageIdDomain));
          const { slaAlertEmail: to, slaAlertWebhookUrl: url } = config;
          const purpose = level === 'breach' ? ('sla-breach' as const) : ('sla-warning' as const);
          const row = (channel: 'email' | 'webhook', recipient: string) => () => ({
            dedupe_key: slaAlertKey(ticket.ticketId, clock, level, channel),
            purpose,
            channel,
            ticket_id: ticket.ticketId,
            ticket_number: ticket.ticketNumber,
            trigger_event_id: alert().triggerId,
            message_id: alert().messageId,
            recipient,
          });
          const common = { purpose, ticketId: ticket.ticketId, status: 'pending' as const, reason: null };
          if (to !== undefined) {
            add({ ...common, key: slaAlertKey(ticket.ticketId, clock, level, 'email'), messageId: `email:${slaAlertKey(ticket.ticketId, clock, level, 'email')}`, base: row('email', to), render: () => alert().render() });
          }
          if (url !== undefined) {
            add({
              ...common,
              key: slaAlertKey(ticket.ticketId, clock, level, 'webhook'),
              messageId: `webhook:${slaAlertKey(ticket.ticketId, clock, level, 'webhook')}`,
              base: row('webhook', url),
              render: () => ({ subject: alert().webhookSubject, text: JSON.stringify(alert().payload), html: '' }),
            });
          }
          break;
        }
        case 'suppress-sla-alert-recorded-as-sent': {
          const key = slaAlertKey(effect.ticketId, effect.clock, effect.level, effect.channel);
          const reason = 'already sent: recorded on the ticket (TicketSlaAlertSent)';
          if (!suppress(entries.get(key), reason)) db.suppressUnsentByKey(key, reason);
          break;
        }
        case 'oncall-unset':
          logs.push({
            msg: 'outage declared, but ONCALL_EMAIL is not set: no alert e-mail to the on-call engineers',
            outageId: effect.outageId,
            declaredAt: effect.declaredAt,
            webhook: config.oncallWebhookUrl !== undefined,
          });
          break;
        case 'unknown-policy':
          logs.push({ msg: 'ticket pins a policy version the notifications have not seen; no e-mails or alerts for it', ticket: effect.ticketNumber, policyVersion: effect.policyVersion });
          break;
        // A row queued in this batch is not in the file yet (its trigger event is past the
        // checkpoint), so it is suppressed here; any other is suppressed in the file.
        case 'suppress-confirmation':
          if (!suppress(entries.get(`confirmation:${effect.ticketId}`), effect.reason)) db.suppressUnsentConfirmation(effect.ticketId, effect.reason);
          break;
        case 'suppress-recorded-as-sent':
          if (!suppress(byMessageId.get(effect.messageId), 'already sent: recorded on the ticket (TicketNotificationSent)')) db.suppressRecordedAsSent(effect.dedupeKey, effect.messageId);
          break;
        case 'suppress-alert-recorded-as-sent':
          if (!suppress(entries.get(NotificationStore.alertKey(effect.outageId, effect.channel)), 'already sent: recorded on the outage board (OutageAlertSent)')) {
            db.suppressAlertRecordedAsSent(effect.outageId, effect.channel);
          }
          break;
        case 'suppress-unsent-alerts':
          for (const entry of entries.values()) if (entry.purpose === 'outage-alert' && entry.ticketId === effect.outageId) suppress(entry, effect.reason);
          db.suppressUnsentAlerts(effect.outageId, effect.reason);
          break;
      }
    }
  }

  let enqueued = false;
  for (const entry of entries.values()) {
    // Only what is to be sent is rendered; a suppressed row keeps its key, Message-ID and reason.
    const text = entry.status === 'pending' ? entry.render() : NO_TEXT;
    const added = db.enqueue(
      { ...entry.base(), subject: text.subject, text_body: text.text, html_body: text.html, status: entry.status, hold_outage_id: null, created_at: now },
      entry.reason,
    );
    enqueued ||= added && entry.status === 'pending';
  }
  let earliestDue: number | null = null;
  for (const [ticketId, effect] of points) {
    const due = duePointsOf(effect);
    db.replacePoints(ticketId, effect.streamId, due);
    for (const point of due) if (earliestDue === null || point.due_at < earliestDue) earliestDue = point.due_at;
  }

  const checkpoint = seen !== undefined && (stored === undefined || comparePositions(seen, stored) > 0) ? seen : stored;
  if (checkpoint !== undefined && checkpoint !== stored) db.saveCheckpoint(MAIL_CHECKPOINT, checkpoint);
  return { count, enqueued, earliestDue, logs, checkpoint };
}
