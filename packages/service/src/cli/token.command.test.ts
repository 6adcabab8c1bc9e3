import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '../auth/token.service';
import { loadConfig, resolveTokenKey } from '../config/service-config';
import { runCli } from './program';

describe('support-sla token', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'support-sla-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runCli(args, {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: { SUPPORT_SLA_DB: join(dir, 'data', 'db.sqlite'), ...env },
      cwd: dir,
    });
    return { code, out, err };
  };

  /** What a service started with `env` (in `cwd`) does at start-up: resolve, and if need be generate, its key. */
  const startServiceKey = (env: NodeJS.ProcessEnv, cwd = dir): string => resolveTokenKey(loadConfig(env, cwd)).key;

  it('prints a token the service key verifies, with every claim', async () => {
    const key = startServiceKey({ SUPPORT_SLA_DB: join(dir, 'data', 'db.sqlite') });
    const { code, out } = await run(['token', '--role', 'teacher', '--user', 'u7', '--org', 'acme', '--email', 't@acme.test', '--name', 'Tess', '--expires-in', '2h']);
    expect(code).toBe(0);
    expect(new TokenService(key).verify(out.trim())).toEqual({ id: 'u7', role: 'teacher', org: 'acme', email: 't@acme.test', name: 'Tess' });
  });

  it('refuses, creating nothing, when no service with these settings has made a key: names the file and the settings that must match (issue 22)', async () => {
    const serviceKey = startServiceKey({ SUPPORT_SLA_DB: join(dir, 'data', 'db.sqlite') });
    // Another SUPPORT_SLA_DB than the service's: before, this wrote a second key and the service answered 401.
    const other = join(dir, 'elsewhere', 'db.sqlite');
    const refused = await run(['token', '--role', 'agent', '--user', 'u1', '--org', 'acme'], { SUPPORT_SLA_DB: other });
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toContain(join(dir, 'elsewhere', 'token-key'));
    expect(refused.err).toMatch(/Start the service first \(npm start\).*same SUPPORT_SLA_DB as the service \(here .*elsewhere.db\.sqlite.*SUPPORT_SLA_TOKEN_KEY/);
    expect(refused.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir, 'elsewhere'))).toBe(false);
    // The default relative path counts from the working directory: run from another directory, it is refused too.
    const fromSubdirectory = await runCli(['token', '--role', 'agent', '--user', 'u1', '--org', 'acme'], {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: join(dir, 'data'),
    });
    expect(fromSubdirectory).toBe(2);
    expect(existsSync(join(dir, 'data', 'data'))).toBe(false);
    // With the service's settings it signs with the service's key.
    const agreed = await run(['token', '--role', 'agent', '--user', 'u1', '--org', 'acme']);
    expect(agreed.code).toBe(0);
    expect(new TokenService(serviceKey).verify(agreed.out.trim()).id).toBe('u1');
  });

  it('signs with the same default key file as a service started in the same directory with nothing set', async () => {
    const key = startServiceKey({});
    let printed = '';
    const code = await runCli(['token', '--role', 'agent', '--user', 'u2', '--org', 'acme'], {
      stdout: { write: (t: string) => (printed += t) },
      stderr: { write: () => true },
      env: {},
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(new TokenService(key).verify(printed.trim()).id).toBe('u2');
  });

  it('signs with SUPPORT_SLA_TOKEN_KEY when it is set', async () => {
    const key = 'z'.repeat(40);
    const { code, out } = await run(['token', '--role', 'auditor', '--user', 'a1', '--org', 'acme'], { SUPPORT_SLA_TOKEN_KEY: key });
    expect(code).toBe(0);
    expect(new TokenService(key).verify(out.trim()).role).toBe('auditor');
  });

  it('binds a monitor token to the location given with --monitor, and keeps the lifetime under the cap (issue 20)', async () => {
    const key = 'z'.repeat(40);
    const monitor = await run(['token', '--role', 'monitor', '--user', 'mon-chi', '--org', 'ops', '--monitor', 'chicago'], { SUPPORT_SLA_TOKEN_KEY: key });
    expect(monitor.code).toBe(0);
    expect(new TokenService(key).verify(monitor.out.trim())).toEqual({ id: 'mon-chi', role: 'monitor', org: 'ops', monitor: 'chicago' });
    // The default lifetime stays short: 8 hours.
    const { iat, exp } = JSON.parse(Buffer.from(monitor.out.trim().split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
    expect(exp - iat).toBe(8 * 3600);
    const long = await run(['token', '--role', 'agent', '--user', 'u1', '--org', 'acme', '--expires-in', '31d'], { SUPPORT_SLA_TOKEN_KEY: key });
    expect(long.code).not.toBe(0);
    expect(long.err).toMatch(/exceeds the maximum of 30d \(TOKEN_MAX_LIFETIME\)/);
    const allowed = await run(['token', '--role', 'agent', '--user', 'u1', '--org', 'acme', '--expires-in', '31d'], { SUPPORT_SLA_TOKEN_KEY: key, TOKEN_MAX_LIFETIME: '60d' });
    expect(allowed.code).toBe(0);
  });

  it.each([
    [['token', '--role', 'monitor', '--user', 'm1', '--org', 'ops'], /needs --monitor/],
    [['token', '--role', 'monitor', '--user', 'm1', '--org', 'ops', '--monitor', 'boston'], /argument 'boston' is invalid/],
    [['token', '--role', 'agent', '--user', 'u1', '--org', 'acme', '--monitor', 'chicago'], /--monitor is for --role monitor only/],
    [['token', '--role', 'root', '--user', 'u1', '--org', 'acme'], /argument 'root' is invalid/],
    [['token', '--user', 'u1', '--org', 'acme'], /required option '--role <role>' not specified/],
    [['token', '--role', 'agent', '--org', 'acme'], /--user/],
    [['token', '--role', 'agent', '--user', 'u1', '--org', 'acme', '--email', 'nope'], /e-mail/],
    [['token', '--role', 'agent', '--user', 'u1', '--org', 'acme', '--expires-in', 'soon'], /duration/],
    [['tokn'], /unknown command/],
  ])('refuses %j with a one-line error and a non-zero exit', async (args, message) => {
    const { code, out, err } = await run(args);
    expect(code).not.toBe(0);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err.trim().split('\n').filter((l) => l.startsWith('error')).length).toBeLessThanOrEqual(1);
  });

  it('reports a bad environment in one line', async () => {
    const { code, err } = await run(['token', '--role', 'agent', '--user', 'u1', '--org', 'acme'], { SUPPORT_SLA_TOKEN_KEY: 'short' });
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/SUPPORT_SLA_TOKEN_KEY/);
  });
});
