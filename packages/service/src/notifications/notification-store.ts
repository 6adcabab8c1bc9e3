import type Database from 'better-sqlite3';
import { openDatabase } from '../event-store/sqlite/open-database';
import type { GlobalPosition } from '../event-store/event-store.port';

/**
 * What an outbox row is for. One row per purpose and ticket (SLA alerts: per ticket, clock and
 * level; outage alerts: per outage and channel).
 */
export type MailPurpose = 'confirmation' | 'resolution' | 'outage-restored' | 'sla-warning' | 'sla-breach' | 'outage-alert';

/**
 * - `held`: written by versions that held every confirmation while an outage was declared; no
 *   longer written, and released to `pending` when the notifications start ({@link NotificationStore.releaseHeldRows});
 * - `pending`: to be delivered (again, after `next_attempt_at`);
 * - `sent`: accepted by the SMTP server / webhook;
 * - `suppressed`: never to be sent (its ticket joined an outage, was acknowledged or closed first,
 *   or the log records it as sent from another mail file) — the reason is in `last_error`;
 * - `failed`: permanently refused (SMTP 5xx, webhook out of attempts) — see `last_error`.
 */
export type OutboxStatus = 'held' | 'pending' | 'sent' | 'suppressed' | 'failed';

export interface OutboxRow {
  readonly id: number;
  readonly dedupe_key: string;
  readonly purpose: MailPurpose;
  readonly channel: 'email' | 'webhook';
  /** The ticket; for an `outage-alert` row, the outage id (the row belongs to the outage). */
  readonly ticket_id: string;
  /** The ticket number; for an `outage-alert` row, the outage id. */
  readonly ticket_number: string;
  readonly trigger_event_id: string;
  readonly message_id: string;
  readonly recipient: string;
  readonly subject: string;
  readonly text_body: string;
  readonly html_body: string;
  readonly status: OutboxStatus;
  /** Only ever set on `held` rows of earlier versions; new rows have null. */
  readonly hold_outage_id: string | null;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly last_error: string | null;
  readonly created_at: number;
  readonly sent_at: number | null;
  readonly smtp_response: string | null;
  /**
   * Confirmations, resolutions and restoration notices (recorded on the ticket), and outage
   * alerts (recorded on the outage board): `pending` until the sending is recorded in the log;
   * `failed` after repeated refusals.
   */
  readonly ack_state: 'none' | 'pending' | 'done' | 'failed';
  readonly ack_attempts: number;
  readonly ack_next_at: number;
}

export type NewOutboxRow = Pick<
  OutboxRow,
  | 'dedupe_key'
  | 'purpose'
  | 'channel'
  | 'ticket_id'
  | 'ticket_number'
  | 'trigger_event_id'
  | 'message_id'
  | 'recipient'
  | 'subject'
  | 'text_body'
  | 'html_body'
  | 'status'
  | 'hold_outage_id'
  | 'created_at'
>;

export interface AlertPointRow {
  readonly ticket_id: string;
  /** The ticket's stream, read again when the point falls due. */
  readonly stream_id: string;
  readonly clock: 'confirmation' | 'response';
  /** A warning fraction as text (`'0.75'`) or `'breach'`. */
  readonly level: string;
  readonly due_at: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mail_checkpoint (
  name TEXT PRIMARY KEY,
  commit_position TEXT NOT NULL,
  prepare_position TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  purpose TEXT NOT NULL,
  channel TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  ticket_number TEXT NOT NULL,
  trigger_event_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  status TEXT NOT NULL,
  hold_outage_id TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER,
  smtp_response TEXT,
  ack_state TEXT NOT NULL DEFAULT 'none',
  ack_attempts INTEGER NOT NULL DEFAULT 0,
  ack_next_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (status, next_attempt_at);
-- Rows are found by their dedupe key (purpose:ticket, outage-alert:outage:channel), never by a
-- random-keyed index of their own: each such index cost a random B-tree insert per row (a cold
-- catch-up writes a row per ticket and purpose). Sent rows of one ticket: a partial index.
DROP INDEX IF EXISTS mail_outbox_ticket;
DROP INDEX IF EXISTS mail_outbox_message;
CREATE INDEX IF NOT EXISTS mail_outbox_sent_ticket ON mail_outbox (ticket_id) WHERE status = 'sent';
CREATE INDEX IF NOT EXISTS mail_outbox_ack_waiting ON mail_outbox (id, ack_next_at) WHERE ack_state = 'pending';
CREATE INDEX IF NOT EXISTS mail_outbox_alerts_due ON mail_outbox (next_attempt_at) WHERE status = 'pending' AND purpose = 'outage-alert';
-- mail_policies, mail_outages and mail_outage_links are no longer written: the mailer reads
-- policies, outages and linked tickets from the read models. They are kept so that files of
-- earlier versions open and move as before.
CREATE TABLE IF NOT EXISTS mail_policies (
  version INTEGER PRIMARY KEY,
  policy TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mail_outages (
  outage_id TEXT PRIMARY KEY,
  declared_at TEXT NOT NULL,
  ended_at TEXT,
  ended_event_id TEXT
);
CREATE TABLE IF NOT EXISTS mail_outage_links (
  outage_id TEXT NOT NULL,
  ticket_id TEXT NOT NULL,
  ticket_number TEXT NOT NULL,
  contact_email TEXT NOT NULL,
  contact_name TEXT,
  summary TEXT NOT NULL,
  PRIMARY KEY (outage_id, ticket_id)
);
CREATE TABLE IF NOT EXISTS mail_alert_points (
  ticket_id TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  clock TEXT NOT NULL,
  level TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, clock, level)
);
CREATE INDEX IF NOT EXISTS mail_alert_points_due ON mail_alert_points (due_at);
CREATE TABLE IF NOT EXISTS mail_alerts (
  ticket_id TEXT NOT NULL,
  clock TEXT NOT NULL,
  level TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  fired_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, clock, level)
);
`;

const MAIL_TABLES = ['mail_checkpoint', 'mail_outbox', 'mail_policies', 'mail_outages', 'mail_outage_links', 'mail_alert_points', 'mail_alerts'] as const;

/**
 * The file of the mail tables, beside the service's: `support-sla.sqlite` →
 * `support-sla.mail.sqlite`. A file of their own, so that the notifications (a worker thread of
 * the service) never wait for the write lock of the event log, nor make its writers wait.
 */
export const mailDatabaseFile = (serviceFile: string): string =>
  serviceFile === ':memory:' ? serviceFile : serviceFile.endsWith('.sqlite') ? `${serviceFile.slice(0, -'.sqlite'.length)}.mail.sqlite` : `${serviceFile}.mail`;

/**
 * Gets the mail file ready: creates it, and moves the mail tables of a service file written
 * before they had a file of their own. The rows are copied (when the mail file has no
 * checkpoint yet) in one transaction, then the old tables are dropped in another; a crash
 * between the two leaves old tables that the next start drops. Returns the mail file's path.
 */
export const prepareMailDatabase = (serviceFile: string): string => {
  const mailFile = mailDatabaseFile(serviceFile);
  if (mailFile === serviceFile) return mailFile;
  const store = new NotificationStore(mailFile);
  const db = store.db;
  try {
    db.prepare('ATTACH DATABASE ? AS service').run(serviceFile);
    const present = new Set((db.prepare("SELECT name FROM service.sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const old = MAIL_TABLES.filter((t) => present.has(t));
    if (old.length === 0) return mailFile;
    db.transaction(() => {
      const fresh = (db.prepare('SELECT count(*) AS n FROM main.mail_checkpoint').get() as { n: number }).n === 0;
      if (fresh) for (const table of old) db.exec(`INSERT OR IGNORE INTO main.${table} SELECT * FROM service.${table}`);
    }).immediate();
    db.transaction(() => {
      for (const table of old) db.exec(`DROP TABLE service.${table}`);
    }).immediate();
    return mailFile;
  } finally {
    if (db.open && db.inTransaction) db.exec('ROLLBACK');
    try {
      db.exec('DETACH DATABASE service');
    } catch {
      // not attached (the ATTACH itself failed)
    }
    store.close();
  }
};

/**
 * Opens (creating if needed) a connection to the mail tables' SQLite file: WAL with
 * `synchronous = NORMAL`. The event store's connection fsyncs every commit (an acknowledged
 * command must survive power loss); the mail tables need only atomic, consistent commits. WAL
 * with NORMAL gives that without an fsync per commit, which on the event loop was the largest
 * cost of every ticket opened. A power loss can roll back the last few mail transactions: the
 * checkpoint rolls back with them, so the reactor redoes that work, and at worst an e-mail the
 * server had accepted goes out again with the same Message-ID (the window a crash already has).
 * `synchronous` is a per-connection setting, so the event store's FULL is unaffected.
 */
export const openNotificationDatabase = (file: string): Database.Database => {
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  // The WAL is copied back into the file (and the file fsynced) once it holds this many pages:
  // 10,000 (about 40 MB) rather than SQLite's 1,000, so a catch-up that writes rows for many
  // tickets pays for a checkpoint every few batches, not every batch. Per connection.
  db.pragma('wal_autocheckpoint = 10000');
  return db;
};

/**
 * The `mail_` tables (in their own file, {@link mailDatabaseFile}): the reactor's checkpoint, the outbox, the
 * policies and outages it has seen, and the SLA alert index. Every method is synchronous
 * (better-sqlite3), so a caller can group several into one {@link transaction} and commit them
 * with the checkpoint.
 */
export class NotificationStore {
  readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly statements;

  /** `database` is an open connection (e.g. the SQLite event store's `db`) or a file path. */
  constructor(database: Database.Database | string) {
    this.db = typeof database === 'string' ? openNotificationDatabase(database) : database;
    this.ownsDb = typeof database === 'string';
    this.db.exec(SCHEMA);
    const db = this.db;
    this.statements = {
      checkpoint: db.prepare('SELECT commit_position, prepare_position FROM mail_checkpoint WHERE name = ?'),
      saveCheckpoint: db.prepare(
        `INSERT INTO mail_checkpoint (name, commit_position, prepare_position) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position`,
      ),
      enqueue: db.prepare(
        `INSERT INTO mail_outbox (dedupe_key, purpose, channel, ticket_id, ticket_number, trigger_event_id, message_id, recipient,
           subject, text_body, html_body, status, hold_outage_id, created_at, next_attempt_at, ack_state, last_error)
         VALUES (@dedupe_key, @purpose, @channel, @ticket_id, @ticket_number, @trigger_event_id, @message_id, @recipient,
           @subject, @text_body, @html_body, @status, @hold_outage_id, @created_at, 0, @ack_state, @last_error)
         ON CONFLICT (dedupe_key) DO NOTHING`,
      ),
      byKey: db.prepare('SELECT * FROM mail_outbox WHERE dedupe_key = ?'),
      due: db.prepare(`SELECT * FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`),
      dueAlerts: db.prepare(
        `SELECT * FROM mail_outbox WHERE status = 'pending' AND purpose = 'outage-alert' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
      ),
      nextDue: db.prepare(
        `SELECT min(t) AS next FROM (
           SELECT min(next_attempt_at) AS t FROM mail_outbox WHERE status = 'pending'
           UNION ALL SELECT min(ack_next_at) FROM mail_outbox WHERE ack_state = 'pending')`,
      ),
      markSent: db.prepare(
        `UPDATE mail_outbox SET status = 'sent', sent_at = ?, smtp_response = ?, attempts = attempts + 1, last_error = NULL,
           ack_state = CASE WHEN purpose IN ('confirmation', 'outage-restored', 'resolution', 'outage-alert', 'sla-warning', 'sla-breach') THEN 'pending' ELSE ack_state END
         WHERE id = ? AND status IN ('pending', 'suppressed')`,
      ),
      markRetry: db.prepare(`UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'pending'`),
      defer: db.prepare(`UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`),
      markFailed: db.prepare(`UPDATE mail_outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'`),
      ackPending: db.prepare(`SELECT * FROM mail_outbox WHERE ack_state = 'pending' AND ack_next_at <= ? ORDER BY id LIMIT ?`),
      ackDone: db.prepare(`UPDATE mail_outbox SET ack_state = 'done' WHERE id = ?`),
      ackRetry: db.prepare(`UPDATE mail_outbox SET ack_attempts = ack_attempts + 1, ack_next_at = ?, last_error = ? WHERE id = ?`),
      ackFailed: db.prepare(`UPDATE mail_outbox SET ack_state = 'failed', ack_attempts = ack_attempts + 1, last_error = ? WHERE id = ?`),
      suppressRecordedAsSent: db.prepare(`UPDATE mail_outbox SET status = 'suppressed', last_error = ? WHERE dedupe_key = ? AND message_id = ? AND status IN ('held', 'pending')`),
      suppressUnsent: db.prepare(`UPDATE mail_outbox SET status = 'suppressed', last_error = ? WHERE dedupe_key = ? AND status IN ('held', 'pending')`),
      releaseHeldRows: db.prepare(`UPDATE mail_outbox SET status = 'pending', hold_outage_id = NULL, next_attempt_at = 0 WHERE status = 'held'`),
      suppressUnsentAlerts: db.prepare(
        `UPDATE mail_outbox SET status = 'suppressed', last_error = ? WHERE dedupe_key IN (?, ?) AND status IN ('held', 'pending')`,
      ),
      rows: db.prepare('SELECT * FROM mail_outbox ORDER BY id'),
      sentRows: db.prepare(`SELECT * FROM mail_outbox WHERE status = 'sent' ORDER BY sent_at, id`),
      sentForTicket: db.prepare(`SELECT * FROM mail_outbox WHERE status = 'sent' AND ticket_id = ? ORDER BY sent_at, id`),
      savePolicy: db.prepare('INSERT INTO mail_policies (version, policy) VALUES (?, ?) ON CONFLICT (version) DO NOTHING'),
      policy: db.prepare('SELECT policy FROM mail_policies WHERE version = ?'),
      deletePoints: db.prepare('DELETE FROM mail_alert_points WHERE ticket_id = ?'),
      insertPoint: db.prepare(
        `INSERT INTO mail_alert_points (ticket_id, stream_id, clock, level, due_at)
         SELECT @ticket_id, @stream_id, @clock, @level, @due_at
         WHERE NOT EXISTS (SELECT 1 FROM mail_alerts a WHERE a.ticket_id = @ticket_id AND a.clock = @clock AND a.level = @level)`,
      ),
      duePoints: db.prepare('SELECT * FROM mail_alert_points WHERE due_at <= ? ORDER BY due_at, ticket_id, clock, level LIMIT ?'),
      deletePoint: db.prepare('DELETE FROM mail_alert_points WHERE ticket_id = ? AND clock = ? AND level = ? AND due_at = ?'),
      points: db.prepare('SELECT * FROM mail_alert_points WHERE ticket_id = ? ORDER BY due_at, clock, level'),
      deleteAlertPoint: db.prepare('DELETE FROM mail_alert_points WHERE ticket_id = ? AND clock = ? AND level = ?'),
      fireAlert: db.prepare(
        'INSERT INTO mail_alerts (ticket_id, clock, level, due_at, fired_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      alerts: db.prepare('SELECT * FROM mail_alerts ORDER BY fired_at, ticket_id, clock, level'),
    };
  }

  /**
   * Runs `work` in one SQLite transaction (nested calls join the outer one). It starts with
   * `BEGIN IMMEDIATE`: another connection (the event store's, on another thread) may be writing,
   * and a transaction that read first and then writes would get SQLITE_BUSY at once instead of
   * waiting for the lock.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  checkpoint(name: string): GlobalPosition | undefined {
    const row = this.statements.checkpoint.get(name) as { commit_position: string; prepare_position: string } | undefined;
    return row === undefined ? undefined : { commit: BigInt(row.commit_position), prepare: BigInt(row.prepare_position) };
  }

  saveCheckpoint(name: string, position: GlobalPosition): void {
    this.statements.saveCheckpoint.run(name, position.commit.toString(), position.prepare.toString());
  }

  /**
   * Adds a row unless one with the same dedupe key exists; true when it was added. A row added
   * `suppressed` carries the reason (`lastError`).
   */
  enqueue(row: NewOutboxRow, lastError: string | null = null): boolean {
    return this.statements.enqueue.run({ ...row, ack_state: 'none', last_error: lastError }).changes === 1;
  }

  outboxRow(dedupeKey: string): OutboxRow | undefined {
    return this.statements.byKey.get(dedupeKey) as OutboxRow | undefined;
  }

  /** Rows due by `nowMs`: outage alerts first (engineers are alerted ahead of any backlog), then the rest in order. */
  dueOutbox(nowMs: number, limit: number): OutboxRow[] {
    const alerts = this.statements.dueAlerts.all(nowMs, limit) as OutboxRow[];
    if (alerts.length >= limit) return alerts;
    const taken = new Set(alerts.map((r) => r.id));
    const rest = (this.statements.due.all(nowMs, limit) as OutboxRow[]).filter((r) => !taken.has(r.id));
    return [...alerts, ...rest].slice(0, limit);
  }

  /** When the earliest pending row (or acknowledgement) becomes due, if any. */
  nextDueAt(): number | undefined {
    const row = this.statements.nextDue.get() as { next: number | null };
    return row.next ?? undefined;
  }

  /** Also for a row suppressed while its delivery was under way: it did go out. */
  markSent(id: number, sentAtMs: number, response: string): void {
    this.statements.markSent.run(sentAtMs, response, id);
  }

  markRetry(id: number, nextAttemptAtMs: number, error: string): void {
    this.statements.markRetry.run(nextAttemptAtMs, error, id);
  }

  /** Moves a row's next attempt without counting an attempt. */
  defer(id: number, nextAttemptAtMs: number): void {
    this.statements.defer.run(nextAttemptAtMs, id);
  }

  markFailed(id: number, error: string): void {
    this.statements.markFailed.run(error, id);
  }

  pendingAcknowledgements(nowMs: number, limit: number): OutboxRow[] {
    return this.statements.ackPending.all(nowMs, limit) as OutboxRow[];
  }

  markAcknowledged(id: number): void {
    this.statements.ackDone.run(id);
  }

  retryAcknowledgement(id: number, nextAttemptAtMs: number, error: string): void {
    this.statements.ackRetry.run(nextAttemptAtMs, error, id);
  }

  failAcknowledgement(id: number, error: string): void {
    this.statements.ackFailed.run(error, id);
  }

  /** The ticket joined a declared outage: its confirmation, if not out yet, is never sent. */
  suppressUnsentConfirmation(ticketId: string, reason: string): void {
    this.statements.suppressUnsent.run(reason, `confirmation:${ticketId}`);
  }

  /**
   * The log says the e-mail with this Message-ID went out (`TicketNotificationSent`), so a row
   * for it that is not sent here is not sent: it was, from another mail file (a rebuilt one, or
   * another replica's). The row is kept, suppressed with the reason.
   */
  suppressRecordedAsSent(dedupeKey: string, messageId: string): void {
    this.statements.suppressRecordedAsSent.run('already sent: recorded on the ticket (TicketNotificationSent)', dedupeKey, messageId);
  }

  /**
   * Earlier versions held every confirmation while an outage was declared (`held` rows). Only
   * tickets linked to the outage have their confirmation withheld now (those rows are
   * `suppressed` when the link is made), so a held row left in an older mail file is released:
   * it is sent like any pending row. Returns how many were released.
   */
  releaseHeldRows(): number {
    return this.statements.releaseHeldRows.run().changes;
  }

  /** The dedupe key of an outage's alert on one channel: one alert per outage and channel. */
  static alertKey(outageId: string, channel: 'email' | 'webhook'): string {
    return `outage-alert:${outageId}:${channel}`;
  }

  /**
   * The log says this outage's alert went out on `channel` (`OutageAlertSent`), so a row for it
   * that is not sent here is not sent: it was, from another mail file.
   */
  suppressAlertRecordedAsSent(outageId: string, channel: 'email' | 'webhook'): void {
    this.statements.suppressUnsent.run('already sent: recorded on the outage board (OutageAlertSent)', NotificationStore.alertKey(outageId, channel));
  }

  /** The outage's alerts not out yet are dropped (the outage was closed: debriefed and over). */
  suppressUnsentAlerts(outageId: string, reason: string): void {
    this.statements.suppressUnsentAlerts.run(reason, NotificationStore.alertKey(outageId, 'email'), NotificationStore.alertKey(outageId, 'webhook'));
  }

  /** Every outbox row, oldest first (for tests and operators). */
  outbox(): OutboxRow[] {
    return this.statements.rows.all() as OutboxRow[];
  }

  /** What was delivered (all, or one ticket's), in the order it went out: the record of each sending. */
  sent(ticketId?: string): OutboxRow[] {
    return (ticketId === undefined ? this.statements.sentRows.all() : this.statements.sentForTicket.all(ticketId)) as OutboxRow[];
  }

  /** The table of earlier versions (no longer written by the mailer; for files moved from before). */
  savePolicy(version: number, policyJson: string): void {
    this.statements.savePolicy.run(version, policyJson);
  }

  policyJson(version: number): string | undefined {
    return (this.statements.policy.get(version) as { policy: string } | undefined)?.policy;
  }

  /** Replaces a ticket's alert points; points already fired are skipped. */
  replacePoints(ticketId: string, streamId: string, points: readonly Pick<AlertPointRow, 'clock' | 'level' | 'due_at'>[]): void {
    this.statements.deletePoints.run(ticketId);
    for (const p of points) {
      this.statements.insertPoint.run({ ticket_id: ticketId, stream_id: streamId, clock: p.clock, level: p.level, due_at: p.due_at });
    }
  }

  /** Points due at or before `nowMs`, earliest first: the index makes this cost the due points only. */
  duePoints(nowMs: number, limit: number): AlertPointRow[] {
    return this.statements.duePoints.all(nowMs, limit) as AlertPointRow[];
  }

  /** Removes a point if it is still the one that was read (a recompute may have moved it). */
  deletePoint(point: AlertPointRow): boolean {
    return this.statements.deletePoint.run(point.ticket_id, point.clock, point.level, point.due_at).changes === 1;
  }

  points(ticketId: string): AlertPointRow[] {
    return this.statements.points.all(ticketId) as AlertPointRow[];
  }

  /** Records that an alert fired; false when it had fired before. */
  fireAlert(point: AlertPointRow, firedAtMs: number): boolean {
    return this.statements.fireAlert.run(point.ticket_id, point.clock, point.level, point.due_at, firedAtMs).changes === 1;
  }

  /**
   * The log says this alert was raised (`TicketSlaAlertRaised`): it is fired here too, and its
   * point goes, whatever its due time (a recompute may have moved it), and is never added again.
   */
  markAlertRaised(ticketId: string, clock: AlertPointRow['clock'], level: string, dueAtMs: number, firedAtMs: number): void {
    this.statements.deleteAlertPoint.run(ticketId, clock, level);
    this.statements.fireAlert.run(ticketId, clock, level, dueAtMs, firedAtMs);
  }

  /** The row with this dedupe key, if not out yet, is not sent: the log records it as sent from another mail file. */
  suppressUnsentByKey(dedupeKey: string, reason: string): void {
    this.statements.suppressUnsent.run(reason, dedupeKey);
  }

  alerts(): (Omit<AlertPointRow, 'stream_id'> & { fired_at: number })[] {
    return this.statements.alerts.all() as (AlertPointRow & { fired_at: number })[];
  }

  /** Closes the connection if this store opened it. */
  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
