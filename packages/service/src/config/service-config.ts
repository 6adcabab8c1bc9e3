import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readLeaseTimings } from '../notifications/notifications.config';

export const EVENT_STORE_KINDS = ['sqlite', 'memory', 'esdb'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The service's configuration, read once from the environment at start-up. */
export interface ServiceConfig {
  /** HTTP port; 0 picks a free one (the bound port is logged). */
  readonly port: number;
  /** Host/interface to bind (default loopback, `127.0.0.1`: `HOST=0.0.0.0` opens it to every interface). */
  readonly host: string;
  /** Absolute path of the SQLite file (events when `eventStore` is sqlite; read models, checkpoints, idempotency keys and ticket numbers always). */
  readonly dbFile: string;
  readonly eventStore: EventStoreKind;
  readonly esdbConnectionString: string | undefined;
  /** With `esdb`: how long one EventStoreDB call may go unanswered before it fails with 503, in milliseconds. */
  readonly esdbCallDeadlineMs: number;
  /** With `esdb`: append through BatchAppend when the server offers it (`ESDB_BATCH_APPEND=on`); default off, see the esdb README. */
  readonly esdbBatchAppend: boolean;
  /** The HS256 key from the environment, if set; see {@link resolveTokenKey}. */
  readonly tokenKey: string | undefined;
  readonly logLevel: LogLevel;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** How many times a command runs against fresh state after a version conflict before answering 409. */
  readonly commandMaxAttempts: number;
  /** Longest lifetime (`exp` − `iat`) a bearer token may have, in seconds; longer ones are refused. */
  readonly tokenMaxLifetimeSeconds: number;
  /** How long an `Idempotency-Key`'s answer is remembered, in milliseconds; older rows are purged. */
  readonly idempotencyKeyTtlMs: number;
  readonly production: boolean;
  /** The environment this was read from, for modules with settings of their own (e-mail). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The defaults, as documented in the README. */
export const CONFIG_DEFAULTS = {
  PORT: '3000',
  HOST: '127.0.0.1',
  SUPPORT_SLA_DB: './data/support-sla.sqlite',
  EVENT_STORE: 'sqlite',
  LOG_LEVEL: 'info',
  MAX_BODY_BYTES: '64kb',
  COMMAND_MAX_ATTEMPTS: '5',
  TOKEN_MAX_LIFETIME: '30d',
  IDEMPOTENCY_KEY_TTL: '24h',
  ESDB_CALL_DEADLINE: '5s',
  ESDB_BATCH_APPEND: 'off',
} as const;

/** One or more environment variables are wrong; `problems` names each. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Minimum length of an HS256 key given in the environment (32 bytes, the hash size). */
export const MIN_TOKEN_KEY_LENGTH = 32;

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses `65536`, `64kb` or `1mb` into bytes. */
export const parseByteSize = (text: string): number | undefined => {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
};

const DURATION = /^(\d+)\s*(s|m|h|d)?$/i;
const SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Parses `90`, `90s`, `15m`, `24h` or `30d` into seconds (a bare number is seconds). */
export const parseDurationSeconds = (text: string): number | undefined => {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * (SECONDS[(match[2] ?? 's').toLowerCase()] ?? 1);
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : undefined;
};

const SHORT_DURATION = /^(\d+)\s*(ms|s|m)?$/i;
const MILLISECONDS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Parses `250ms`, `5s`, `1m` or a bare number of seconds into milliseconds. */
export const parseDurationMs = (text: string): number | undefined => {
  const match = SHORT_DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (MILLISECONDS[(match[2] ?? 's').toLowerCase()] ?? 1000);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : undefined;
};

/** The longest token lifetime a setting may allow: a year (a longer one is a typo, or no expiry by another name). */
const MAX_TOKEN_LIFETIME_SECONDS = 366 * 86_400;

/** The value trimmed, or undefined when it is missing or blank. */
export const nonBlank = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** The URL's protocol (`https:`), or undefined when the text is not a URL. */
export const protocolOf = (url: string): string | undefined => {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
};

const oneOf = <T extends string>(values: readonly T[], value: string): value is T => (values as readonly string[]).includes(value);

/**
 * Reads and checks every variable, collecting all problems before failing, so one start-up
 * attempt tells the operator everything that is wrong.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ServiceConfig {
  const problems: string[] = [];
  const read = (name: keyof typeof CONFIG_DEFAULTS): string => nonBlank(env[name]) ?? CONFIG_DEFAULTS[name];
  const optional = (name: string): string | undefined => nonBlank(env[name]);

  const portText = read('PORT');
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) problems.push(`PORT must be an integer from 0 to 65535 (got "${portText}")`);

  const eventStore = read('EVENT_STORE').toLowerCase();
  if (!oneOf(EVENT_STORE_KINDS, eventStore)) problems.push(`EVENT_STORE must be one of ${EVENT_STORE_KINDS.join(', ')} (got "${eventStore}")`);

  const esdbConnectionString = optional('ESDB_CONNECTION_STRING');
  if (eventStore === 'esdb' && esdbConnectionString === undefined) problems.push('ESDB_CONNECTION_STRING is required when EVENT_STORE=esdb (e.g. esdb://localhost:2113?tls=false)');
  if (esdbConnectionString !== undefined && !/^(esdb|esdb\+discover|eventstore):\/\//.test(esdbConnectionString)) {
    problems.push('ESDB_CONNECTION_STRING must start with esdb:// or esdb+discover://');
  }

  const deadlineText = read('ESDB_CALL_DEADLINE');
  const esdbCallDeadlineMs = parseDurationMs(deadlineText);
  if (esdbCallDeadlineMs === undefined || esdbCallDeadlineMs < 100 || esdbCallDeadlineMs > 600_000) {
    problems.push(`ESDB_CALL_DEADLINE must be a duration from 100ms to 10m, such as 5s or 1500ms (got "${deadlineText}")`);
  }

  const batchAppendText = read('ESDB_BATCH_APPEND').toLowerCase();
  if (batchAppendText !== 'on' && batchAppendText !== 'off') problems.push(`ESDB_BATCH_APPEND must be on or off (got "${batchAppendText}")`);

  const tokenKey = optional('SUPPORT_SLA_TOKEN_KEY');
  if (tokenKey !== undefined && tokenKey.length < MIN_TOKEN_KEY_LENGTH) problems.push(`SUPPORT_SLA_TOKEN_KEY must be at least ${MIN_TOKEN_KEY_LENGTH} characters (got ${tokenKey.length})`);

  const logLevel = read('LOG_LEVEL').toLowerCase();
  if (!oneOf(LOG_LEVELS, logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  // The mailer reads SMTP_URL (readNotificationsConfig); it is checked here too, so that a bad
  // one is refused at start-up together with every other bad setting.
  const smtpUrl = optional('SMTP_URL');
  if (smtpUrl !== undefined && !['smtp:', 'smtps:'].includes(protocolOf(smtpUrl) ?? '')) {
    problems.push('SMTP_URL must be an smtp:// or smtps:// URL (e.g. smtp://user:pass@mail.example.com:587)');
  }

  // The notifications read their lease settings themselves (readNotificationsConfig); checked
  // here too, so that bad ones are refused at start-up with every other bad setting.
  try {
    readLeaseTimings(env);
  } catch (error) {
    problems.push((error as Error).message);
  }

  const sizeText = read('MAX_BODY_BYTES');
  const maxBodyBytes = parseByteSize(sizeText);
  if (maxBodyBytes === undefined) problems.push(`MAX_BODY_BYTES must be a positive size such as 65536, 64kb or 1mb (got "${sizeText}")`);

  const attemptsText = read('COMMAND_MAX_ATTEMPTS');
  const commandMaxAttempts = /^[1-9]\d?$/.test(attemptsText) ? Number(attemptsText) : undefined;
  if (commandMaxAttempts === undefined) problems.push(`COMMAND_MAX_ATTEMPTS must be a whole number from 1 to 99 (got "${attemptsText}")`);

  const lifetimeText = read('TOKEN_MAX_LIFETIME');
  const tokenMaxLifetimeSeconds = parseDurationSeconds(lifetimeText);
  if (tokenMaxLifetimeSeconds === undefined || tokenMaxLifetimeSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    problems.push(`TOKEN_MAX_LIFETIME must be a duration such as 8h or 30d, at most 366d (got "${lifetimeText}")`);
  }

  const ttlText = read('IDEMPOTENCY_KEY_TTL');
  const idempotencyKeyTtlSeconds = parseDurationSeconds(ttlText);
  if (idempotencyKeyTtlSeconds === undefined || idempotencyKeyTtlSeconds < 60) {
    problems.push(`IDEMPOTENCY_KEY_TTL must be a duration of at least a minute, such as 24h or 7d (got "${ttlText}")`);
  }

  const production = (env.NODE_ENV ?? '').toLowerCase() === 'production';
  if (production && tokenKey === undefined) problems.push('SUPPORT_SLA_TOKEN_KEY is required when NODE_ENV=production (a generated key is for development only)');

  if (problems.length > 0) throw new ConfigError(problems);
  const dbText = read('SUPPORT_SLA_DB');
  return {
    port,
    host: read('HOST'),
    dbFile: dbText === ':memory:' ? dbText : resolve(cwd, dbText),
    eventStore: eventStore as EventStoreKind,
    esdbConnectionString,
    esdbCallDeadlineMs: esdbCallDeadlineMs!,
    esdbBatchAppend: batchAppendText === 'on',
    tokenKey,
    logLevel: logLevel as LogLevel,
    maxBodyBytes: maxBodyBytes!,
    commandMaxAttempts: commandMaxAttempts!,
    tokenMaxLifetimeSeconds: tokenMaxLifetimeSeconds!,
    idempotencyKeyTtlMs: idempotencyKeyTtlSeconds! * 1000,
    production,
    env,
  };
}

/** Where the token key came from. */
export type TokenKeySource = 'environment' | 'key-file' | 'generated';

export interface ResolvedTokenKey {
  readonly key: string;
  readonly source: TokenKeySource;
  /** The key file, when the key lives in one. */
  readonly file: string | undefined;
}

/**
 * Whether `host` only accepts connections from this machine: `localhost`, `127.0.0.0/8` or `::1`.
 * Anything else (`0.0.0.0`, `::`, a LAN address or name) lets other machines reach the service.
 */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
};

/** The development key file: `<directory of the SQLite file>/token-key` (beside `./data/` by default). */
export const tokenKeyFileFor = (config: Pick<ServiceConfig, 'dbFile'>): string =>
  join(config.dbFile === ':memory:' ? resolve('data') : dirname(config.dbFile), 'token-key');

/**
 * The HS256 key as it is now, creating nothing: `SUPPORT_SLA_TOKEN_KEY` when set, else the key file
 * beside the database, else `undefined` (no service with these settings has started yet). The
 * `support-sla token` command uses this, so it never invents a key no service would read.
 */
export function readTokenKey(config: Pick<ServiceConfig, 'tokenKey' | 'dbFile'>): ResolvedTokenKey | undefined {
  if (config.tokenKey !== undefined) return { key: config.tokenKey, source: 'environment', file: undefined };
  const file = tokenKeyFileFor(config);
  if (!existsSync(file)) return undefined;
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < MIN_TOKEN_KEY_LENGTH) throw new ConfigError([`the token key file ${file} holds a key shorter than ${MIN_TOKEN_KEY_LENGTH} characters; delete it to generate a new one`]);
  return { key, source: 'key-file', file };
}

/**
 * The HS256 key: as {@link readTokenKey}, and when there is none, a random key written to the key
 * file beside the database (mode 0600). The service calls this at start-up; the `support-sla token`
 * command reads the same file through {@link readTokenKey}, so tokens printed by one are accepted
 * by the other when both see the same `SUPPORT_SLA_TOKEN_KEY` or `SUPPORT_SLA_DB`.
 */
export function resolveTokenKey(config: Pick<ServiceConfig, 'tokenKey' | 'dbFile'>): ResolvedTokenKey {
  const existing = readTokenKey(config);
  if (existing !== undefined) return existing;
  const file = tokenKeyFileFor(config);
  const key = randomBytes(32).toString('base64url');
  return createKeyFile(file, `${key}\n`) ? { key, source: 'generated', file } : resolveTokenKey(config);
}

/**
 * Creates a key file (and its directory) holding `text`, readable by its owner only (mode 0600).
 * False when another process created it first: then theirs is the key to use.
 */
export function createKeyFile(file: string, text: string): boolean {
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
