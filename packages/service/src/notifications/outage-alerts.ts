import type { AlertChannel, DomainEvent } from '@support-sla/domain';
import { NotificationStore, type NewOutboxRow } from './notification-store';
import type { NotificationsConfig } from './notifications.config';
import { formatInstant, messageIdFor } from './ticket-context';
import type { MailTemplates } from './templates';

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
  const common = {
    purpose: 'outage-alert' as const,
    ticket_id: data.outageId,
    ticket_number: data.outageId,
    trigger_event_id: triggerId,
    message_id: messageIdFor('outage-alert', data.outageId, triggerId, config.messageIdDomain),
    status: 'pending' as const,
    hold_outage_id: null,
    created_at: now,
  };
  const rows: NewOutboxRow[] = [];
  if (config.oncallEmail !== undefined) {
    const rendered = templates.render('outage-alert', {
      outageId: data.outageId,
      declaredAt: formatInstant(Date.parse(data.declaredAt), timeZone),
      declaredAtIso: data.declaredAt,
      byMonitors: source === 'monitors',
      byStaff: source === 'staff',
      scope: data.scope ?? null,
      reason: data.reason ?? null,
      declaredBy: data.by.id,
    });
    rows.push({
      ...common,
      dedupe_key: NotificationStore.alertKey(data.outageId, 'email'),
      channel: 'email',
      recipient: config.oncallEmail,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
    });
  }
  if (config.oncallWebhookUrl !== undefined) {
    rows.push({
      ...common,
      dedupe_key: NotificationStore.alertKey(data.outageId, 'webhook'),
      channel: 'webhook',
      recipient: config.oncallWebhookUrl,
      subject: `${payload.type} ${data.outageId}`,
      text_body: JSON.stringify(payload),
      html_body: '',
    });
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
