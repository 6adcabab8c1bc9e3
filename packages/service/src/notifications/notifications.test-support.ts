import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { ticketDecider, type Decider, type DomainCommand, type DomainEvent, type TicketCommand } from '@support-sla/domain';
import { CommandExecutor } from '../application/command-executor';
import type { EventStore, StoredEvent } from '../event-store/event-store.port';
import { sealEvents } from '../hash-chain';
import { ticketStream } from '../event-store/streams';
import { MAILER_ACTOR, systemContext } from '../application/actors';
import type { NotificationsDependencies } from './notifications';
import { isSlaAlertSent } from './outbox-dispatcher';
import { raiseSlaAlert, recordSlaAlertSent } from './sla-alert-recorder';

/** A message as the loopback SMTP server received it. */
export interface ReceivedMail {
  readonly raw: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly messageId: string;
  readonly subject: string;
  readonly to: string;
  readonly purpose: string;
  /** The decoded text/plain part. */
  readonly text: string;
  readonly html: string;
}

const parseHeaders = (block: string): Map<string, string> => {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
};

const decodeBody = (body: string, encoding: string | undefined): string => {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const joined = body.replace(/=\r\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < joined.length; i++) {
      const hex = joined.slice(i + 1, i + 3);
      if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(joined[i] ?? '', 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
  return body;
};

/** The decoded body of the first part with this content type (enough for nodemailer's output). */
const partOf = (raw: string, contentType: string): string => {
  const [head = '', ...rest] = raw.split('\r\n\r\n');
  const headers = parseHeaders(head);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (boundary === undefined) return type.startsWith(contentType) ? decodeBody(rest.join('\r\n\r\n'), headers.get('content-transfer-encoding')) : '';
  for (const part of rest.join('\r\n\r\n').split(`--${boundary}`)) {
    const found = partOf(part.replace(/^\r\n/, ''), contentType);
    if (found !== '') return found;
  }
  return '';
};

const parseMail = (raw: string): ReceivedMail => {
  const headers = parseHeaders(raw.split('\r\n\r\n')[0] ?? '');
  return {
    raw,
    headers,
    messageId: headers.get('message-id') ?? '',
    subject: headers.get('subject') ?? '',
    to: headers.get('to') ?? '',
    purpose: headers.get('x-support-sla-purpose') ?? '',
    text: partOf(raw, 'text/plain').replace(/\r\n/g, '\n'),
    html: partOf(raw, 'text/html').replace(/\r\n/g, '\n'),
  };
};

/** A real SMTP server (the `smtp-server` package) on loopback that keeps what it receives. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await sink.listen(port);
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Listens (again) on `port`, or on the port used before. */
  async listen(port = this.port): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.messages.push(parseMail(Buffer.concat(chunks).toString('utf8')));
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops accepting connections (clients then get ECONNREFUSED). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until at least `count` messages arrived. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} e-mails, received ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.messages;
  }
}

/** An HTTP endpoint that records JSON POSTs; the first `failFirst` requests get 503. */
export class WebhookSink {
  readonly received: { readonly body: unknown; readonly idempotencyKey: string | undefined }[] = [];
  attempts = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(failFirst = 0): Promise<WebhookSink> {
    const holder: { sink?: WebhookSink } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const sink = holder.sink;
        if (sink === undefined) return;
        sink.attempts++;
        if (sink.attempts <= failFirst) {
          res.writeHead(503).end();
          return;
        }
        const key = req.headers['idempotency-key'];
        sink.received.push({ body: JSON.parse(Buffer.concat(chunks).toString('utf8')), idempotencyKey: typeof key === 'string' ? key : undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    holder.sink = new WebhookSink(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/sla-alerts`);
    return holder.sink;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Runs domain commands against a real event store through the service's own command path
 * ({@link CommandExecutor}: load, decide, seal into the hash chain, append with the expected
 * revision), recording each event at its command's `now`. Resolves with the stored events.
 */
export class DomainDriver {
  constructor(private readonly store: EventStore) {}

  async run<C extends DomainCommand, S, E extends DomainEvent>(decider: Decider<C, S, E>, streamId: string, command: C): Promise<StoredEvent[]> {
    const executor = new CommandExecutor(this.store, { clock: () => new Date(command.now), seal: sealEvents });
    const correlationId = randomUUID();
    // The executor folds any aggregate's stream through the same decider shape.
    const result = await executor.execute(decider as unknown as Decider<C, S, DomainEvent>, streamId, command, {
      actorId: command.actor.id,
      actorRole: command.actor.role,
      correlationId,
      causationId: correlationId,
    });
    if (result.events.length === 0) return [];
    const after = await this.store.readStream(streamId);
    return after.slice(after.length - result.events.length);
  }
}

/**
 * The mailer's clock in a scenario: it runs at real speed from a chosen instant (`from`), so what
 * it dates (retries, `sent_at`, the acknowledgement's time) lands after the events it follows.
 */
export class ScenarioClock {
  private base = 0;
  private real = 0;
  from(iso: string): void {
    this.base = Date.parse(iso);
    this.real = Date.now();
  }
  readonly now = (): number => this.base + (Date.now() - this.real);
}

/**
 * The mailer's records on tickets as the service wires them, on the command path over `store`: a
 * sent confirmation (`AcknowledgeTicket`) or notice (`RecordNotificationSent`), dated when it was
 * accepted; an SLA alert raised (`RaiseSlaAlert`) and each of its deliveries (`RecordSlaAlertSent`),
 * with the service's own recorders (`sla-alert-recorder.ts`).
 */
export const ticketRecorders = (store: EventStore): Required<Pick<NotificationsDependencies, 'acknowledge' | 'recordSent' | 'raiseSlaAlert'>> => {
  const executor = new CommandExecutor(store, { clock: () => new Date(), seal: sealEvents });
  const record = async (command: TicketCommand, key: string): Promise<void> => {
    await executor.execute(ticketDecider, ticketStream(command.data.ticketId), command, systemContext(MAILER_ACTOR, key, key));
  };
  return {
    acknowledge: (ticketId, at, messageId) =>
      record({ type: 'AcknowledgeTicket', now: at, actor: MAILER_ACTOR, data: { ticketId, automatic: true, messageId } }, `confirmation-sent:${ticketId}`),
    recordSent: async (sent) => {
      if (isSlaAlertSent(sent)) await recordSlaAlertSent(executor, sent);
      else {
        const { ticketId, purpose, messageId, restoredAt } = sent;
        const data = { ticketId, purpose, messageId, ...(restoredAt === undefined ? {} : { restoredAt }) };
        await record({ type: 'RecordNotificationSent', now: sent.at, actor: MAILER_ACTOR, data }, `notification-sent:${messageId}`);
      }
    },
    raiseSlaAlert: (alert) => raiseSlaAlert(executor, alert),
  };
};
