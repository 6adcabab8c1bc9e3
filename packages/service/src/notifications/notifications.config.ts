import { resolve } from 'node:path';
import { DEFAULT_LEASE_TIMINGS, type LeaseTimings } from '../deployment/store-lease';

/** Where the shipped templates live: `packages/service/templates` (from `src/` or `dist/`). */
export const DEFAULT_TEMPLATES_DIR = resolve(__dirname, '..', '..', 'templates');

export const DEFAULT_MAIL_FROM = 'support@support-sla.local';

/** Settings of the e-mail and alert part, all from environment variables (see the README). */
export interface NotificationsConfig {
  /** `smtp://user:pass@host:port` or `smtps://…`; undefined: e-mails are logged, not sent. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Where SLA warnings and breaches go by e-mail; undefined: no alert e-mail. */
  readonly slaAlertEmail: string | undefined;
  /** Where SLA warnings and breaches are POSTed as JSON; undefined: no webhook. */
  readonly slaAlertWebhookUrl: string | undefined;
  /**
   * The on-call engineers' address: every declared outage (monitors or staff) is e-mailed here at
   * once, at any hour. Undefined: no outage alert e-mail (each declaration logs an error saying so).
   */
  readonly oncallEmail: string | undefined;
  /** Where each declared outage is also POSTed as JSON; undefined: no outage webhook. */
  readonly oncallWebhookUrl: string | undefined;
  /** Overrides the policy's warning fractions when set. */
  readonly warningFractions: readonly number[] | undefined;
  readonly templatesDir: string;
  /** How often the SLA watcher looks for due alerts. */
  readonly alertTickMs: number;
  /** Domain used in Message-IDs (`<…@domain>`). */
  readonly messageIdDomain: string;
  /**
   * `worker` (default): the service delivers (SMTP, webhooks) from a worker thread where it can
   * (a compiled service with a mail file and the system clock); `main`: on the main event loop.
   * The mailer's decisions run on the read models' fold either way (`src/deployment/README.md`).
   */
  readonly thread: 'worker' | 'main';
  /**
   * `NOTIFICATIONS=off`: this process sends no e-mail and no SLA alert at all, and takes no part
   * in the lease (an explicit opt-out; not needed for several replicas, which the lease handles).
   * Default on.
   */
  readonly enabled: boolean;
  /**
   * The lease in the event store that picks the one process that delivers and runs the SLA
   * watcher (`src/deployment/store-lease.ts`): `NOTIFICATIONS_LEASE_TTL` (10s),
   * `NOTIFICATIONS_LEASE_RENEW` (3s), `NOTIFICATIONS_LEASE_POLL` (2s), `NOTIFICATIONS_LEASE_MARGIN` (4s).
   */
  readonly lease: LeaseTimings;
}

export class NotificationsConfigError extends Error {
  override readonly name = 'NotificationsConfigError';
}

const blankToUndefined = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Parses `0.5,0.75,0.9`: fractions strictly between 0 and 1, ascending. */
export const parseWarningFractions = (raw: string): number[] => {
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const fractions = parts.map(Number);
  const bad = parts.filter((p, i) => {
    const f = fractions[i];
    return f === undefined || !Number.isFinite(f) || f <= 0 || f >= 1;
  });
  if (bad.length > 0) throw new NotificationsConfigError(`SLA_WARNING_FRACTIONS: ${bad.join(', ')} is not a fraction strictly between 0 and 1`);
  for (let i = 1; i < fractions.length; i++) {
    if ((fractions[i] ?? 0) <= (fractions[i - 1] ?? 0)) throw new NotificationsConfigError(`SLA_WARNING_FRACTIONS must ascend: ${raw}`);
  }
  return fractions;
};

const positiveInt = (name: string, raw: string | undefined, fallback: number): number => {
  const value = blankToUndefined(raw);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new NotificationsConfigError(`${name} must be a positive integer (milliseconds), got ${value}`);
  return n;
};

const checkUrl = (name: string, value: string | undefined, protocols: readonly string[]): string | undefined => {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new NotificationsConfigError(`${name} is not a URL: ${value}`);
  }
  if (!protocols.includes(url.protocol)) throw new NotificationsConfigError(`${name} must use ${protocols.join(' or ')}, got ${url.protocol}`);
  return value;
};

/** One of `choices` (any case); unset: the first. */
const oneOf = <T extends string>(name: string, value: string | undefined, choices: readonly [T, T]): T => {
  const setting = (value ?? choices[0]).toLowerCase();
  if (!(choices as readonly string[]).includes(setting)) throw new NotificationsConfigError(`${name} must be ${choices.join(' or ')}, got ${value}`);
  return setting as T;
};

const LEASE_DURATION = /^(\d+)\s*(ms|s)?$/i;

/** `NOTIFICATIONS_LEASE_*`: a duration such as `10s` or `2500ms` (a bare number is seconds), from 100ms to 10m. */
const leaseDuration = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const value = blankToUndefined(env[name]);
  if (value === undefined) return fallback;
  const match = LEASE_DURATION.exec(value);
  const ms = match === null ? Number.NaN : Number(match[1]) * ((match[2] ?? 's').toLowerCase() === 'ms' ? 1 : 1000);
  if (!Number.isSafeInteger(ms) || ms < 100 || ms > 600_000) throw new NotificationsConfigError(`${name} must be a duration from 100ms to 10m, such as 10s or 2500ms (got "${value}")`);
  return ms;
};

/**
 * Reads and checks the lease settings: each a duration, and together such that the holder
 * renews before it would give the lease up (`NOTIFICATIONS_LEASE_RENEW` < `NOTIFICATIONS_LEASE_TTL` −
 * `NOTIFICATIONS_LEASE_MARGIN`). Throws {@link NotificationsConfigError} naming the variables.
 */
export const readLeaseTimings = (env: NodeJS.ProcessEnv = process.env): LeaseTimings => {
  const ttlMs = leaseDuration(env, 'NOTIFICATIONS_LEASE_TTL', DEFAULT_LEASE_TIMINGS.ttlMs);
  const renewMs = leaseDuration(env, 'NOTIFICATIONS_LEASE_RENEW', DEFAULT_LEASE_TIMINGS.renewMs);
  const pollMs = leaseDuration(env, 'NOTIFICATIONS_LEASE_POLL', DEFAULT_LEASE_TIMINGS.pollMs);
  const marginMs = leaseDuration(env, 'NOTIFICATIONS_LEASE_MARGIN', DEFAULT_LEASE_TIMINGS.marginMs);
  if (marginMs >= ttlMs) throw new NotificationsConfigError(`NOTIFICATIONS_LEASE_MARGIN (${marginMs} ms) must be shorter than NOTIFICATIONS_LEASE_TTL (${ttlMs} ms)`);
  if (renewMs >= ttlMs - marginMs) {
    throw new NotificationsConfigError(
      `NOTIFICATIONS_LEASE_RENEW (${renewMs} ms) must be shorter than NOTIFICATIONS_LEASE_TTL − NOTIFICATIONS_LEASE_MARGIN (${ttlMs - marginMs} ms): the holder must renew before it gives the lease up`,
    );
  }
  return { ttlMs, renewMs, pollMs, marginMs };
};

/** Reads the notification settings from `env` (defaults documented in the README). */
export const readNotificationsConfig = (env: NodeJS.ProcessEnv = process.env): NotificationsConfig => {
  const fractions = blankToUndefined(env['SLA_WARNING_FRACTIONS']);
  const mailFrom = blankToUndefined(env['MAIL_FROM']) ?? DEFAULT_MAIL_FROM;
  return {
    smtpUrl: checkUrl('SMTP_URL', blankToUndefined(env['SMTP_URL']), ['smtp:', 'smtps:']),
    mailFrom,
    slaAlertEmail: blankToUndefined(env['SLA_ALERT_EMAIL']),
    slaAlertWebhookUrl: checkUrl('SLA_ALERT_WEBHOOK_URL', blankToUndefined(env['SLA_ALERT_WEBHOOK_URL']), ['http:', 'https:']),
    oncallEmail: blankToUndefined(env['ONCALL_EMAIL']),
    oncallWebhookUrl: checkUrl('ONCALL_WEBHOOK_URL', blankToUndefined(env['ONCALL_WEBHOOK_URL']), ['http:', 'https:']),
    warningFractions: fractions === undefined ? undefined : parseWarningFractions(fractions),
    templatesDir: blankToUndefined(env['MAIL_TEMPLATES_DIR']) ?? DEFAULT_TEMPLATES_DIR,
    alertTickMs: positiveInt('SLA_ALERT_TICK_MS', env['SLA_ALERT_TICK_MS'], 30_000),
    thread: oneOf('NOTIFICATIONS_THREAD', blankToUndefined(env['NOTIFICATIONS_THREAD']), ['worker', 'main']),
    enabled: oneOf('NOTIFICATIONS', blankToUndefined(env['NOTIFICATIONS']), ['on', 'off']) === 'on',
    lease: readLeaseTimings(env),
    messageIdDomain: mailFrom.includes('@') ? (mailFrom.split('@').pop() ?? 'support-sla.local').replace(/[>\s]/g, '') : 'support-sla.local',
  };
};
