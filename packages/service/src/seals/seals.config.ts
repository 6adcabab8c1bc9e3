import { dirname, join, resolve } from 'node:path';
import { nonBlank, protocolOf, tokenKeyFileFor, type ServiceConfig } from '../config/service-config';

/** Settings of the log seals, all from environment variables of their own (see README.md here). */
export interface SealsConfig {
  /** `SUPPORT_SLA_SEAL_KEY`: the Ed25519 private key itself (PEM, or base64 of its PKCS#8 DER). */
  readonly keyText: string | undefined;
  /** `SEAL_KEY_FILE`, or `seal-key.pem` beside the database (created on first use outside production). */
  readonly keyFile: string;
  /** The key file was named by `SEAL_KEY_FILE` (then it is never generated in production). */
  readonly keyFileGiven: boolean;
  /** `SEAL_FILE`: the JSON-lines file every seal is appended to (default `seals.jsonl` beside the database). */
  readonly file: string;
  /** `SEAL_WEBHOOK_URL`: each seal is also POSTed there as JSON; undefined: no webhook. */
  readonly webhookUrl: string | undefined;
  /** `SEAL_STDOUT` (default on): each seal is also printed on standard output as one JSON line. */
  readonly stdout: boolean;
  /** `SEAL_INTERVAL_SECONDS` (default 3600) in milliseconds; 0: no periodic seal (`POST /seals` still seals). */
  readonly intervalMs: number;
  /** `NODE_ENV=production`: the key must be given, never generated. */
  readonly production: boolean;
}

export class SealsConfigError extends Error {
  override readonly name = 'SealsConfigError';
}

export const DEFAULT_SEAL_INTERVAL_SECONDS = 3600;
/** 31 days: a longer interval is almost certainly a unit mistake. */
export const MAX_SEAL_INTERVAL_SECONDS = 31 * 24 * 3600;

/** The directory the development files live in: the database's, or `./data` for an in-memory database. */
const dataDirectory = (dbFile: string, cwd: string): string => (dbFile === ':memory:' ? resolve(cwd, 'data') : dirname(dbFile));

/**
 * Reads the seal settings from the service's environment. Throws {@link SealsConfigError}
 * naming the variable at fault, so the service does not start with a seal it cannot make.
 */
export function readSealsConfig(config: Pick<ServiceConfig, 'dbFile' | 'production' | 'env' | 'tokenKey'>, cwd: string = process.cwd()): SealsConfig {
  const env = config.env;
  const directory = dataDirectory(config.dbFile, cwd);

  const intervalText = nonBlank(env['SEAL_INTERVAL_SECONDS']);
  const seconds = intervalText === undefined ? DEFAULT_SEAL_INTERVAL_SECONDS : /^\d+$/.test(intervalText) ? Number(intervalText) : Number.NaN;
  if (!(Number.isSafeInteger(seconds) && seconds >= 0 && seconds <= MAX_SEAL_INTERVAL_SECONDS)) {
    throw new SealsConfigError(`SEAL_INTERVAL_SECONDS must be a whole number of seconds from 0 (off) to ${MAX_SEAL_INTERVAL_SECONDS}, got ${intervalText}`);
  }

  const webhookUrl = nonBlank(env['SEAL_WEBHOOK_URL']);
  if (webhookUrl !== undefined) {
    const protocol = protocolOf(webhookUrl);
    if (protocol === undefined) throw new SealsConfigError(`SEAL_WEBHOOK_URL is not a URL: ${webhookUrl}`);
    if (protocol !== 'http:' && protocol !== 'https:') throw new SealsConfigError(`SEAL_WEBHOOK_URL must use http: or https:, got ${protocol}`);
  }

  const stdoutText = (nonBlank(env['SEAL_STDOUT']) ?? 'on').toLowerCase();
  if (stdoutText !== 'on' && stdoutText !== 'off') throw new SealsConfigError(`SEAL_STDOUT must be on or off, got ${env['SEAL_STDOUT']}`);

  const keyText = nonBlank(env['SUPPORT_SLA_SEAL_KEY']);
  const keyFileText = nonBlank(env['SEAL_KEY_FILE']);
  if (keyText !== undefined && keyFileText !== undefined) throw new SealsConfigError('set SUPPORT_SLA_SEAL_KEY or SEAL_KEY_FILE, not both');
  if (config.production && keyText === undefined && keyFileText === undefined) {
    throw new SealsConfigError('SEAL_KEY_FILE or SUPPORT_SLA_SEAL_KEY is required when NODE_ENV=production (a generated seal key is for development only)');
  }
  // The seal key proves what the log held; whoever holds the token key runs the service. One
  // secret for both would let the service's operator sign seals of a rewritten log.
  if (keyText !== undefined && config.tokenKey !== undefined && keyText === config.tokenKey) {
    throw new SealsConfigError('SUPPORT_SLA_SEAL_KEY must not be the token key (SUPPORT_SLA_TOKEN_KEY)');
  }
  const keyFile = keyFileText === undefined ? join(directory, 'seal-key.pem') : resolve(cwd, keyFileText);
  if (keyFile === tokenKeyFileFor(config)) throw new SealsConfigError(`SEAL_KEY_FILE must not be the token key file (${keyFile})`);

  const fileText = nonBlank(env['SEAL_FILE']);
  const file = fileText === undefined ? join(directory, 'seals.jsonl') : resolve(cwd, fileText);
  if (file === keyFile) throw new SealsConfigError(`SEAL_FILE must not be the seal key file (${file})`);

  return {
    keyText,
    keyFile,
    keyFileGiven: keyFileText !== undefined,
    file,
    webhookUrl,
    stdout: stdoutText === 'on',
    intervalMs: seconds * 1000,
    production: config.production,
  };
}
