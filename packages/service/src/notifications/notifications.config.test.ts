import { DEFAULT_MAIL_FROM, NotificationsConfigError, parseWarningFractions, readNotificationsConfig } from './notifications.config';

describe('readNotificationsConfig', () => {
  it('has working defaults with nothing set: log the e-mails, no alerts, shipped templates', () => {
    const config = readNotificationsConfig({});
    expect(config).toMatchObject({ smtpUrl: undefined, mailFrom: DEFAULT_MAIL_FROM, slaAlertEmail: undefined, slaAlertWebhookUrl: undefined, oncallEmail: undefined, oncallWebhookUrl: undefined, warningFractions: undefined, alertTickMs: 30_000, messageIdDomain: 'support-sla.local', thread: 'worker', enabled: true });
    expect(config.templatesDir).toMatch(/packages[\\/]service[\\/]templates$/);
  });

  it('reads every variable', () => {
    const config = readNotificationsConfig({
      SMTP_URL: 'smtps://mailer:secret@mail.example.org:465',
      MAIL_FROM: 'Help Desk <help@district.example.org>',
      SLA_ALERT_EMAIL: 'oncall@district.example.org',
      SLA_ALERT_WEBHOOK_URL: 'https://hooks.example.org/sla',
      ONCALL_EMAIL: 'engineers@district.example.org',
      ONCALL_WEBHOOK_URL: 'https://pager.example.org/outages',
      SLA_WARNING_FRACTIONS: '0.6, 0.8',
      MAIL_TEMPLATES_DIR: '/etc/support-sla/templates',
      SLA_ALERT_TICK_MS: '5000',
      NOTIFICATIONS_THREAD: 'main',
      NOTIFICATIONS: 'OFF',
      NOTIFICATIONS_LEASE_TTL: '20s',
      NOTIFICATIONS_LEASE_RENEW: '5000ms',
      NOTIFICATIONS_LEASE_POLL: '1',
      NOTIFICATIONS_LEASE_MARGIN: '8s',
    });
    expect(config).toEqual({
      smtpUrl: 'smtps://mailer:secret@mail.example.org:465',
      mailFrom: 'Help Desk <help@district.example.org>',
      slaAlertEmail: 'oncall@district.example.org',
      slaAlertWebhookUrl: 'https://hooks.example.org/sla',
      oncallEmail: 'engineers@district.example.org',
      oncallWebhookUrl: 'https://pager.example.org/outages',
      warningFractions: [0.6, 0.8],
      templatesDir: '/etc/support-sla/templates',
      alertTickMs: 5000,
      messageIdDomain: 'district.example.org',
      thread: 'main',
      enabled: false,
      lease: { ttlMs: 20_000, renewMs: 5_000, pollMs: 1_000, marginMs: 8_000 },
    });
  });

  it('refuses what it cannot use, naming the variable', () => {
    expect(() => readNotificationsConfig({ SMTP_URL: 'http://mail:25' })).toThrow(/SMTP_URL must use smtp: or smtps:/);
    expect(() => readNotificationsConfig({ SLA_ALERT_WEBHOOK_URL: 'not a url' })).toThrow(NotificationsConfigError);
    expect(() => readNotificationsConfig({ ONCALL_WEBHOOK_URL: 'ftp://pager.example.org' })).toThrow(/ONCALL_WEBHOOK_URL must use http: or https:/);
    expect(() => readNotificationsConfig({ SLA_ALERT_TICK_MS: '-1' })).toThrow(/SLA_ALERT_TICK_MS/);
    expect(() => readNotificationsConfig({ NOTIFICATIONS_THREAD: 'both' })).toThrow(/NOTIFICATIONS_THREAD must be worker or main/);
    expect(() => readNotificationsConfig({ NOTIFICATIONS: 'false' })).toThrow(/NOTIFICATIONS must be on or off, got false/);
    expect(() => readNotificationsConfig({ NOTIFICATIONS_LEASE_TTL: 'ten' })).toThrow(/NOTIFICATIONS_LEASE_TTL must be a duration from 100ms to 10m, such as 10s or 2500ms \(got "ten"\)/);
    expect(() => readNotificationsConfig({ NOTIFICATIONS_LEASE_POLL: '50ms' })).toThrow(/NOTIFICATIONS_LEASE_POLL must be a duration/);
    expect(() => readNotificationsConfig({ NOTIFICATIONS_LEASE_MARGIN: '10s' })).toThrow(/NOTIFICATIONS_LEASE_MARGIN \(10000 ms\) must be shorter than NOTIFICATIONS_LEASE_TTL \(10000 ms\)/);
    expect(() => readNotificationsConfig({ NOTIFICATIONS_LEASE_RENEW: '6s' })).toThrow(/NOTIFICATIONS_LEASE_RENEW \(6000 ms\) must be shorter than NOTIFICATIONS_LEASE_TTL − NOTIFICATIONS_LEASE_MARGIN \(6000 ms\)/);
  });

  it('has lease timings that hand over within 15 s of a holder killed right after it renewed: ttl plus one look', () => {
    const { lease } = readNotificationsConfig({});
    expect(lease).toEqual({ ttlMs: 10_000, renewMs: 3_000, pollMs: 2_000, marginMs: 4_000 });
    expect(lease.ttlMs + lease.pollMs).toBeLessThanOrEqual(15_000);
  });
});

describe('parseWarningFractions', () => {
  it('accepts ascending fractions strictly between 0 and 1', () => {
    expect(parseWarningFractions('0.5,0.75,0.9')).toEqual([0.5, 0.75, 0.9]);
  });
  it.each(['0.5,1', '0,0.5', '0.9,0.5', 'half'])('refuses %s', (raw) => {
    expect(() => parseWarningFractions(raw)).toThrow(/SLA_WARNING_FRACTIONS/);
  });
});
