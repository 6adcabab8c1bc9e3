import type { AlertChannel, DomainEvent } from '@support-sla/domain';
import { NotificationStore, type NewOutboxRow } from './notification-store';
import type { NotificationsConfig } from './notifications.config';
import { ticketRowBase } from './mail-rendering';
import { formatInstant } from './ticket-context';
import type { MailTemplates, RenderedMail } from './templates';

type OutageDeclaredData = Extract<DomainEvent, { type: 'OutageDeclared' }>['data'];

/** The JSON body POSTed to `ONCALL_WEBHOOK_URL` for each declared outage. */
export interface OutageAlertPayload {
  readonly type: 'outage.declared';
  readonly outageId: string;
  readonly declaredAt: string;
  /** `monitors`: all three status monitors reported the service down; `staff`: declared by support staff. */
  readonly source: 'monitors' | 'staff';
  /** Staff declarations: what is affected, and why it is an outage (`null` for the monitors'). */
  readonly scope: string | null;
  readonly reason: string | null;
  /** Who declared it: the monitor whose report completed "all three down", or the staff member. */
  readonly declaredBy: string;
  /** Where an engineer acknowledges the alert. */
  readonly acknowledge: string;
}

/**
 * The outbox rows that alert the on-call engineers of a declared outage: an e-mail to
 * `ONCALL_EMAIL` and a JSON POST to `ONCALL_WEBHOOK_URL`, each when configured. One row per
 * outage and channel (dedupe key `outage-alert:<outageId>:<channel>`), so a replayed event
 * adds nothing. The row's ticket columns hold the outage id: the alert belongs to the outage.
 */
export const outageAlertRows = (
  data: OutageDeclaredData,
  triggerId: string,
  config: Pick<NotificationsConfig, 'oncallEmail' | 'oncallWebhookUrl' | 'messageIdDomain'>,
  templates: MailTemplates,
  timeZone: string,
  now: number,
): NewOutboxRow[] => {
  const source = data.source ?? 'monitors';
  const payload: OutageAlertPayload = {
    type: 'outage.declared',
    outageId: data.outageId,
    declaredAt: data.declaredAt,
    source,
    scope: data.scope ?? null,
    reason: data.reason ?? null,
    declaredBy: data.by.id,
    acknowledge: `POST /outages/${data.outageId}/acknowledgement`,
  };
  const render = (): RenderedMail =>
    templates.render('outage-alert', {
      outageId: data.outageId,
      declaredAt: formatInstant(Date.parse(data.declaredAt), timeZone),
      declaredAtIso: data.declaredAt,
      byMonitors: source === 'monitors',
      byStaff: source === 'staff',
      scope: data.scope ?? null,
      reason: data.reason ?? null,
      declaredBy: data.by.id,
    });
  return alertRows(
    ticketRowBase('outage-alert', { ticketId: data.outageId, ticketNumber: data.outageId }, triggerId, config.messageIdDomain),
    now,
    { key: NotificationStore.alertKey(data.outageId, 'email'), to: config.oncallEmail, render },
    { key: NotificationStore.alertKey(data.outageId, 'webhook'), url: config.oncallWebhookUrl, subject: `${payload.type} ${data.outageId}`, payload },
  );
};

/**
 * An alert's pending outbox rows (`base`: its purpose, ticket or outage, trigger and Message-ID):
 * an e-mail to `email.to` (rendered only then) and a JSON POST of `webhook.payload` to
 * `webhook.url`, each when its target is configured.
 */
export const alertRows = (
  base: ReturnType<typeof ticketRowBase>,
  now: number,
  email: { readonly key: string; readonly to: string | undefined; readonly render: () => RenderedMail },
  webhook: { readonly key: string; readonly url: string | undefined; readonly subject: string; readonly payload: object },
) => {
  const common = { ...base, status: 'pending' as const, hold_outage_id: null, created_at: now };
  const rows: NewOutboxRow[] = [];
  if (email.to !== undefined) {
    const rendered = email.render();
    rows.push({ ...common, dedupe_key: email.key, channel: 'email' as const, recipient: email.to, subject: rendered.subject, text_body: rendered.text, html_body: rendered.html });
  }
  if (webhook.url !== undefined) {
    rows.push({ ...common, dedupe_key: webhook.key, channel: 'webhook' as const, recipient: webhook.url, subject: webhook.subject, text_body: JSON.stringify(webhook.payload), html_body: '' });
  }
  return rows;
};

/** What the log records of a webhook: its origin only (`https://pager.example.org`), never a path or query that may hold a secret. */
export const webhookRecipient = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return 'webhook';
  }
};

/** What the host records on the outage board once an alert was delivered (`RecordOutageAlertSent`). */
export interface AlertSentRecord {
  readonly outageId: string;
  readonly channel: AlertChannel;
  /** The on-call address, or the webhook's origin (a webhook URL's path may carry its secret, and the log is kept for good). */
  readonly to: string;
  /** When the SMTP server (or the webhook) accepted it. */
  readonly at: string;
  /** The e-mail's Message-ID (e-mail only). */
  readonly messageId?: string;
}
