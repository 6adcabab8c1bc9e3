import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/audit/testing/run-cli';
import { call as httpCall, eventually, type Json } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';
import { checkSignature, decodeSeal, SEAL_STREAM, type Seal } from './seal';

/**
 * Seals in the real service over HTTP on a SQLite file: `POST /seals` for admins only, the seal
 * in the log and in the seal file, the read models and the write path unaffected by the seals
 * stream, `audit verify --seal` proving the result, and the periodic sealer.
 */
jest.setTimeout(60_000);

let dir: string;
let svc: InProcessService;
const sealFile = () => join(dir, 'audit', 'seals.jsonl');
const readSeals = (): Seal[] =>
  existsSync(sealFile())
    ? readFileSync(sealFile(), 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => decodeSeal(JSON.parse(line)))
    : [];

const call = (method: string, path: string, token: string | undefined, body?: unknown) => httpCall(svc.baseUrl, method, path, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }) });
const request = { summary: 'Grade export fails', description: 'Clicking Export does nothing since the last update.' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seals-e2e-'));
  svc = await startService({
    dbFile: join(dir, 'support-sla.sqlite'),
    env: { SEAL_FILE: sealFile(), SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0', NOTIFICATIONS: 'off' },
  });
});

afterAll(async () => {
  await svc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /seals', () => {
  it('is for admins only', async () => {
    expect((await call('POST', '/seals', svc.tokenFor('agent', 'u-agent', 'support'))).status).toBe(403);
    expect((await call('POST', '/seals', svc.tokenFor('auditor', 'u-audit', 'audit'))).status).toBe(403);
    expect((await call('POST', '/seals', undefined)).status).toBe(401);
    expect(readSeals()).toEqual([]);
  });

  it('seals the log: the signed seal is answered, appended to the log and to the seal file, with a key generated beside the database', async () => {
    const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' });
    expect((await call('POST', '/tickets', ada, { channel: 'email', request })).status).toBe(201);
    const res = await call('POST', '/seals', svc.tokenFor('admin', 'u-admin', 'support'));
    expect(res.status).toBe(201);
    const seal = decodeSeal(res.json.seal);
    expect(checkSignature(seal)).toBeUndefined();
    expect(res.json.seals).toEqual([expect.objectContaining({ sequence: 0, headPosition: seal.headPosition, digest: seal.digest, keyId: seal.keyId, copies: { file: 'written' } })]);
    expect(Object.keys(seal.changed)).toEqual(expect.arrayContaining(['policy-support']));
    expect(readSeals()).toEqual([seal]);
    expect(existsSync(join(dir, 'seal-key.pem'))).toBe(true);
    expect(existsSync(join(dir, 'token-key'))).toBe(false); // the token key came from the environment; the two never share a file
  });

  it('leaves the read models and the write path alone: the seals stream is outside what they read', async () => {
    const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' });
    const opened = await call('POST', '/tickets', ada, { channel: 'email', request });
    expect(opened.status).toBe(201);
    expect((await call('GET', `/tickets/${opened.json.ticketId as string}`, ada)).status).toBe(200);
    // The queue is a read model fed from the log: it reaches the new ticket, past the seals.
    const queue = await call('GET', `/queue?minPosition=${opened.json.position as string}`, svc.tokenFor('agent', 'u-agent', 'support'));
    expect(queue.status).toBe(200);
    expect(JSON.stringify(queue.json)).toContain(opened.json.ticketNumber as string);
    const health = await call('GET', '/health', undefined);
    expect(health.status).toBe(200);
    expect(health.json.projections.every((p: Json) => p.status !== 'failed')).toBe(true);
    // A second seal chains to the first.
    const second = await call('POST', '/seals', svc.tokenFor('admin', 'u-admin', 'support'));
    expect(second.json.seals[0]).toMatchObject({ sequence: 1 });
    expect(Object.keys(decodeSeal(second.json.seal).changed)).toContain(SEAL_STREAM);
  });

  it('audit verify --seal proves the running service\'s log against the seal file', async () => {
    const run = await runCli(['audit', 'verify', '--db', svc.dbFile, '--seal', sealFile()]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Seal #1 of .*; 2 seals checked, the whole chain from the first\./);
    expect(run.stdout).toMatch(/the log is as sealed: nothing was removed or rewritten/);
  });
});

describe('the periodic sealer and its settings', () => {
  it('seals every SEAL_INTERVAL_SECONDS, and not again while nothing but its own seal was appended', async () => {
    await svc.stop();
    svc = await startService({
      dbFile: join(dir, 'support-sla.sqlite'),
      tokenKey: svc.tokenKey,
      env: { SEAL_FILE: sealFile(), SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '1', NOTIFICATIONS: 'off' },
    });
    // Nothing but the second seal's own event came after it: an idle log gets no seal every second.
    await new Promise((done) => setTimeout(done, 2_500));
    expect(readSeals()).toHaveLength(2);
    const ada = svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' });
    const opened = await call('POST', '/tickets', ada, { channel: 'email', request });
    const third = await eventually('a periodic seal', async () => readSeals()[2], 10_000, 100);
    expect(third).toMatchObject({ sequence: 2 });
    // The open's number claim is sealed with its ticket.
    expect(Object.keys(third.changed)).toEqual([`claim-${opened.json.ticketNumber as string}`, SEAL_STREAM, `ticket-${opened.json.ticketId as string}`]);
    await new Promise((done) => setTimeout(done, 2_500));
    expect(readSeals()).toHaveLength(3);
    expect((await call('GET', '/health', undefined)).status).toBe(200);
  });

  it('a bad setting stops the start, naming the variable', async () => {
    await expect(startService({ env: { SEAL_INTERVAL_SECONDS: 'hourly' } })).rejects.toThrow(/SEAL_INTERVAL_SECONDS must be a whole number/);
    await expect(startService({ env: { NODE_ENV: 'production', SEAL_STDOUT: 'off' } })).rejects.toThrow(/SEAL_KEY_FILE or SUPPORT_SLA_SEAL_KEY is required when NODE_ENV=production/);
  });
});
