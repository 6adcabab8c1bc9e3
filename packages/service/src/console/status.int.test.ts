import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../application/clock';
import { CLOCK_OVERRIDE } from '../support.module';
import { call, eventually } from '../testing/http';
import { startService, type InProcessService } from '../testing/service-harness';
import { ConsoleFiles } from './console-files';
import { PublicStatusService, STATUS_FRESH_MS } from './status.query';

/** The public status (`GET /status`, JSON and page) over the real service, and the console's file list. */
jest.setTimeout(30_000);

const clock = new ManualClock(new Date('2026-03-10T13:00:00Z'));
let svc: InProcessService;

beforeAll(async () => {
  svc = await startService({ providers: [{ provide: CLOCK_OVERRIDE, useValue: clock }] });
});
afterAll(async () => {
  await svc.stop({ removeData: true });
});

const report = (monitor: string, status: 'up' | 'down', observedAt: string) =>
  call(svc.baseUrl, 'POST', `/monitors/${monitor}/reports`, { token: svc.tokenFor('monitor', `mon-${monitor}`, 'ops'), body: { status, observedAt } });

const json = async () => (await call(svc.baseUrl, 'GET', '/status', { headers: { accept: 'application/json' } })).json;

describe('GET /status', () => {
  test('needs no token and says nothing was reported before any monitor reported', async () => {
    const res = await call(svc.baseUrl, 'GET', '/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json).toMatchObject({
      monitors: [
        { monitor: 'chicago', status: null, reportedAt: null },
        { monitor: 'california', status: null, reportedAt: null },
        { monitor: 'atlanta', status: null, reportedAt: null },
      ],
      outage: { declared: false, since: null, source: null },
      lastRestoration: null,
      boardRevision: null,
    });
  });

  test('shows each monitor’s latest report, then the outage all three declare, then the restoration', async () => {
    expect((await report('chicago', 'down', '2026-03-10T12:58:00Z')).status).toBe(200);
    expect((await report('california', 'down', '2026-03-10T12:59:00Z')).status).toBe(200);
    // Within the cache's fresh window the answer may be the cached one; it catches up right after.
    const partial = await eventually('the new reports', async () => {
      const s = await json();
      return s.monitors[1].status === 'down' ? s : undefined;
    });
    expect(partial.monitors[0]).toEqual({ monitor: 'chicago', status: 'down', reportedAt: '2026-03-10T12:58:00.000Z' });
    expect(partial.outage.declared).toBe(false);

    expect((await report('atlanta', 'down', '2026-03-10T12:59:30Z')).status).toBe(200);
    const down = await eventually('the outage', async () => {
      const s = await json();
      return s.outage.declared ? s : undefined;
    });
    expect(down.outage).toEqual({ declared: true, since: '2026-03-10T12:59:30.000Z', source: 'monitors' });

    clock.set('2026-03-10T13:20:00Z');
    expect((await report('chicago', 'up', '2026-03-10T13:15:00Z')).status).toBe(200);
    const up = await eventually('the restoration', async () => {
      const s = await json();
      return s.outage.declared ? undefined : s;
    });
    expect(up.lastRestoration).toBe('2026-03-10T13:15:00.000Z');
    expect(up.monitors[0]).toEqual({ monitor: 'chicago', status: 'up', reportedAt: '2026-03-10T13:15:00.000Z' });
    // Nothing about tickets or organizations.
    expect(Object.keys(up).sort()).toEqual(['boardRevision', 'checkedAt', 'lastRestoration', 'monitors', 'outage']);
  });

  test('a browser gets a page with no script, under a CSP that allows none', async () => {
    const res = await call(svc.baseUrl, 'GET', '/status', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.text).not.toContain('<script');
    expect(res.text).toContain('<tr data-monitor="chicago"><th scope="row">Chicago</th><td class="state state-up">Up</td>');
    expect(res.text).toContain('data-outage="none"');
    expect(res.text).toContain('<time datetime="2026-03-10T13:15:00.000Z">');
    const css = await call(svc.baseUrl, 'GET', '/status/style.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  test('a flood of requests reads the log at most once per fresh window', async () => {
    const status = svc.app.get(PublicStatusService);
    // The log moves (so the cache must look again), then many callers ask at once.
    expect((await report('atlanta', 'up', '2026-03-10T13:16:00Z')).status).toBe(200);
    await new Promise((r) => setTimeout(r, STATUS_FRESH_MS + 10));
    const before = status.reads;
    const started = Date.now();
    await Promise.all(Array.from({ length: 200 }, () => json()));
    const windows = Math.ceil((Date.now() - started) / STATUS_FRESH_MS) + 1;
    expect(status.reads - before).toBeGreaterThanOrEqual(1);
    expect(status.reads - before).toBeLessThanOrEqual(windows);
    expect((await json()).monitors[2]).toEqual({ monitor: 'atlanta', status: 'up', reportedAt: '2026-03-10T13:16:00.000Z' });
  });
});

describe('the console’s files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-files-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>c</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.sqlite'), 'not served');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('serves what the build wrote, with its content type; nothing else and nothing outside', () => {
    const files = new ConsoleFiles(dir);
    expect(files.built()).toBe(true);
    expect(files.get('index.html')).toMatchObject({ type: 'text/html; charset=utf-8', immutable: false });
    expect(files.get('assets/index-abc123.js')).toMatchObject({ type: 'text/javascript; charset=utf-8', immutable: true });
    expect(files.get('secret.sqlite')).toBeUndefined();
    expect(files.get('../package.json')).toBeUndefined();
    expect(files.get('assets/../index.html')).toBeUndefined();
  });

  test('a rebuild (a new stamp) is picked up', async () => {
    const files = new ConsoleFiles(dir);
    expect(files.get('index.html')?.body.toString()).toBe('<!doctype html><title>c</title>');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>rebuilt</title>');
    writeFileSync(join(dir, '.built'), 'now');
    await new Promise((r) => setTimeout(r, 1_050));
    expect(files.get('index.html')?.body.toString()).toBe('<!doctype html><title>rebuilt</title>');
    expect(files.get('.built')).toBeUndefined();
  });

  test('a directory without a build is not built', () => {
    expect(new ConsoleFiles(join(dir, 'missing')).built()).toBe(false);
  });
});
