import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, isLoopbackHost, loadConfig, parseByteSize, parseDurationMs, parseDurationSeconds, readTokenKey, resolveTokenKey, tokenKeyFileFor } from './service-config';

describe('loadConfig', () => {
  it('works with nothing set, using the documented defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({ port: 3000, dbFile: '/srv/app/data/support-sla.sqlite', eventStore: 'sqlite', logLevel: 'info', maxBodyBytes: 65536, tokenKey: undefined });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      { PORT: '0', SUPPORT_SLA_DB: '/var/lib/sla.db', EVENT_STORE: 'esdb', ESDB_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', SUPPORT_SLA_TOKEN_KEY: 'k'.repeat(40), LOG_LEVEL: 'debug', SMTP_URL: 'smtp://mail:25', MAX_BODY_BYTES: '1mb' },
      '/x',
    );
    expect(config).toMatchObject({ port: 0, dbFile: '/var/lib/sla.db', eventStore: 'esdb', esdbConnectionString: 'esdb://localhost:2113?tls=false', logLevel: 'debug', maxBodyBytes: 1048576 });
    // SMTP_URL is checked here and read by the mailer (readNotificationsConfig), not kept twice.
    expect(config).not.toHaveProperty('smtpUrl');
  });

  it('reports every problem at once, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', EVENT_STORE: 'postgres', LOG_LEVEL: 'loud', MAX_BODY_BYTES: 'big', SMTP_URL: 'http://x', SUPPORT_SLA_TOKEN_KEY: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'EVENT_STORE', 'LOG_LEVEL', 'MAX_BODY_BYTES', 'SMTP_URL', 'SUPPORT_SLA_TOKEN_KEY']) expect(problems).toContain(name);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    // The lease settings the mailer reads are refused at start-up too.
    expect(() => loadConfig({ NOTIFICATIONS_LEASE_RENEW: '9s' })).toThrow(/NOTIFICATIONS_LEASE_RENEW \(9000 ms\) must be shorter than NOTIFICATIONS_LEASE_TTL/);
    expect(() => loadConfig({ SMTP_URL: 'not a url' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ EVENT_STORE: 'esdb' })).toThrow(/ESDB_CONNECTION_STRING is required/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SUPPORT_SLA_TOKEN_KEY is required/);
  });

  it('caps token lifetimes at 30 days and remembers idempotency keys for 24 hours unless told otherwise (issue 20)', () => {
    expect(loadConfig({}, '/x')).toMatchObject({ tokenMaxLifetimeSeconds: 30 * 86_400, idempotencyKeyTtlMs: 24 * 3600_000 });
    expect(loadConfig({ TOKEN_MAX_LIFETIME: '12h', IDEMPOTENCY_KEY_TTL: '7d' }, '/x')).toMatchObject({ tokenMaxLifetimeSeconds: 12 * 3600, idempotencyKeyTtlMs: 7 * 86_400_000 });
    expect(() => loadConfig({ TOKEN_MAX_LIFETIME: 'forever' })).toThrow(/TOKEN_MAX_LIFETIME/);
    expect(() => loadConfig({ TOKEN_MAX_LIFETIME: '400d' })).toThrow(/TOKEN_MAX_LIFETIME/);
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL: '0' })).toThrow(/IDEMPOTENCY_KEY_TTL/);
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL: '30s' })).toThrow(/IDEMPOTENCY_KEY_TTL/);
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('15m')).toBe(900);
    expect(parseDurationSeconds('1w')).toBeUndefined();
  });

  it('appends to EventStoreDB over the unary Append unless ESDB_BATCH_APPEND=on (issue 21)', () => {
    expect(loadConfig({}, '/x').esdbBatchAppend).toBe(false);
    expect(loadConfig({ ESDB_BATCH_APPEND: 'on' }, '/x').esdbBatchAppend).toBe(true);
    expect(loadConfig({ ESDB_BATCH_APPEND: 'OFF' }, '/x').esdbBatchAppend).toBe(false);
    expect(() => loadConfig({ ESDB_BATCH_APPEND: 'yes' })).toThrow(/ESDB_BATCH_APPEND must be on or off/);
  });

  it('gives EventStoreDB calls a 5 s deadline unless ESDB_CALL_DEADLINE says otherwise (issue 21)', () => {
    expect(loadConfig({}, '/x').esdbCallDeadlineMs).toBe(5_000);
    expect(loadConfig({ ESDB_CALL_DEADLINE: '1500ms' }, '/x').esdbCallDeadlineMs).toBe(1_500);
    expect(loadConfig({ ESDB_CALL_DEADLINE: '2' }, '/x').esdbCallDeadlineMs).toBe(2_000);
    expect(() => loadConfig({ ESDB_CALL_DEADLINE: '10ms' })).toThrow(/ESDB_CALL_DEADLINE must be a duration from 100ms to 10m/);
    expect(() => loadConfig({ ESDB_CALL_DEADLINE: 'soon' })).toThrow(/ESDB_CALL_DEADLINE/);
    expect(parseDurationMs('1m')).toBe(60_000);
    expect(parseDurationMs('0s')).toBeUndefined();
  });

  it('binds loopback unless HOST opens it up, and never opens it with a generated key in production (issue 22)', () => {
    expect(loadConfig({}, '/x').host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }, '/x').host).toBe('0.0.0.0');
    // Production needs SUPPORT_SLA_TOKEN_KEY, so a generated development key never meets an open HOST there.
    expect(() => loadConfig({ NODE_ENV: 'production', HOST: '0.0.0.0' }, '/x')).toThrow(/SUPPORT_SLA_TOKEN_KEY is required when NODE_ENV=production/);
    expect(loadConfig({ NODE_ENV: 'production', HOST: '0.0.0.0', SUPPORT_SLA_TOKEN_KEY: 'k'.repeat(40) }, '/x')).toMatchObject({ host: '0.0.0.0', production: true });
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'sla.example.com', '128.0.0.1']) expect([host, isLoopbackHost(host)]).toEqual([host, false]);
  });

  it('parses body sizes', () => {
    expect(parseByteSize('64kb')).toBe(65536);
    expect(parseByteSize('100')).toBe(100);
    expect(parseByteSize('2 MB')).toBe(2 * 1024 * 1024);
    expect(parseByteSize('0')).toBeUndefined();
    expect(parseByteSize('-5')).toBeUndefined();
  });
});

describe('resolveTokenKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers the environment', () => {
    expect(resolveTokenKey({ tokenKey: 'e'.repeat(32), dbFile: join(dir, 'db.sqlite') })).toEqual({ key: 'e'.repeat(32), source: 'environment', file: undefined });
  });

  it('generates a private key file beside the database once, then reuses it', () => {
    const config = { tokenKey: undefined, dbFile: join(dir, 'sub', 'db.sqlite') };
    const first = resolveTokenKey(config);
    expect(first.source).toBe('generated');
    expect(first.file).toBe(join(dir, 'sub', 'token-key'));
    expect(first.key.length).toBeGreaterThanOrEqual(32);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    const second = resolveTokenKey(config);
    expect(second).toEqual({ key: first.key, source: 'key-file', file: first.file });
    expect(readFileSync(tokenKeyFileFor(config), 'utf8').trim()).toBe(first.key);
  });

  it('reads without creating: undefined until a service has generated the key file (issue 22)', () => {
    const config = { tokenKey: undefined, dbFile: join(dir, 'db.sqlite') };
    expect(readTokenKey(config)).toBeUndefined();
    expect(() => statSync(tokenKeyFileFor(config))).toThrow();
    const generated = resolveTokenKey(config);
    expect(readTokenKey(config)).toEqual({ key: generated.key, source: 'key-file', file: generated.file });
    expect(readTokenKey({ tokenKey: 'e'.repeat(32), dbFile: config.dbFile })?.source).toBe('environment');
  });

  it('refuses a truncated key file', () => {
    const config = { tokenKey: undefined, dbFile: join(dir, 'db.sqlite') };
    writeFileSync(tokenKeyFileFor(config), 'tiny');
    expect(() => resolveTokenKey(config)).toThrow(ConfigError);
  });
});
