import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenService } from '../auth/token.service';
import { resolveTokenKey } from '../config/service-config';
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

  it('prints a token the service key verifies, with every claim', async () => {
    const { code, out } = await run(['token', '--role', 'teacher', '--user', 'u7', '--org', 'acme', '--email', 't@acme.test', '--name', 'Tess', '--expires-in', '2h']);
    expect(code).toBe(0);
    const key = resolveTokenKey({ tokenKey: undefined, dbFile: join(dir, 'data', 'db.sqlite') });
    expect(key.source).toBe('key-file');
    expect(new TokenService(key.key).verify(out.trim())).toEqual({ id: 'u7', role: 'teacher', org: 'acme', email: 't@acme.test', name: 'Tess' });
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
