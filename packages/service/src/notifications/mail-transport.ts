import nodemailer from 'nodemailer';
import type { NotificationsConfig } from './notifications.config';

/**
 * The logger shape the notifications need. Nest's `Logger` (and nestjs-pino behind it) fits:
 * an object as the first argument becomes structured JSON fields.
 */
export interface NotificationsLogger {
  log(message: unknown, ...rest: unknown[]): void;
  warn(message: unknown, ...rest: unknown[]): void;
  error(message: unknown, ...rest: unknown[]): void;
}

/** One JSON line per entry on stdout, for use without Nest. */
export const jsonConsoleLogger = (context = 'Notifications'): NotificationsLogger => {
  const write = (level: string, message: unknown): void => {
    const fields = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), context, ...fields })}\n`);
  };
  return {
    log: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
};

export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<…@domain>`: stable per purpose and ticket, so a resend is recognisably the same message. */
  readonly messageId: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface MailReceipt {
  readonly messageId: string;
  /** The server's reply (`250 OK …`), or `logged` for the logging transport. */
  readonly response: string;
}

/** Sends one e-mail; rejects with the transport's error (see {@link isPermanentMailError}). */
export interface MailTransport {
  readonly kind: 'smtp' | 'log';
  send(mail: OutgoingMail): Promise<MailReceipt>;
  close(): void;
}

interface SmtpError {
  readonly responseCode?: number;
}

/** An SMTP 5xx reply: the server refuses this message for good, so retrying will not help. */
export const isPermanentMailError = (error: unknown): boolean => {
  const code = (error as SmtpError | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
};

export interface SmtpTransportTuning {
  readonly connectionTimeoutMs?: number;
  readonly socketTimeoutMs?: number;
}

/**
 * SMTP through nodemailer, one connection per message (no pool): a restarted server is simply
 * reached again on the next attempt, with no stale pooled connection to time out first.
 */
export const smtpTransport = (smtpUrl: string, tuning: SmtpTransportTuning = {}): MailTransport => {
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: tuning.connectionTimeoutMs ?? 10_000,
    greetingTimeout: tuning.connectionTimeoutMs ?? 10_000,
    socketTimeout: tuning.socketTimeoutMs ?? 30_000,
  });
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await transporter.sendMail({ ...mail, headers: { ...mail.headers } });
      return { messageId: info.messageId, response: info.response };
    },
    close: () => transporter.close(),
  };
};

/** Without an SMTP server: every e-mail is written to the log as structured JSON instead. */
export const loggingTransport = (logger: NotificationsLogger): MailTransport => {
  const transporter = nodemailer.createTransport({ jsonTransport: true });
  return {
    kind: 'log',
    async send(mail) {
      const info = await transporter.sendMail({ ...mail, headers: { ...mail.headers } });
      logger.log({
        msg: 'e-mail logged (SMTP_URL is not set, nothing was sent)',
        mail: { messageId: mail.messageId, from: mail.from, to: mail.to, subject: mail.subject, headers: mail.headers, text: mail.text },
      });
      return { messageId: info.messageId, response: 'logged' };
    },
    close: () => transporter.close(),
  };
};

/** The transport the configuration asks for, announcing at start-up which one it is. */
export const createMailTransport = (config: NotificationsConfig, logger: NotificationsLogger, tuning?: SmtpTransportTuning): MailTransport => {
  if (config.smtpUrl === undefined) {
    logger.warn({ msg: 'SMTP_URL is not set: e-mails will be written to the log instead of being sent', mailFrom: config.mailFrom });
    return loggingTransport(logger);
  }
  const url = new URL(config.smtpUrl);
  logger.log({ msg: 'sending e-mail over SMTP', host: url.hostname, port: url.port || '(default)', secure: url.protocol === 'smtps:', mailFrom: config.mailFrom });
  return smtpTransport(config.smtpUrl, tuning);
};
