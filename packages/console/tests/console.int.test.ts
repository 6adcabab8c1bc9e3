import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../service/src/application/clock';
import { CLOCK_OVERRIDE } from '../../service/src/support.module';
import { call, type Json } from '../../service/src/testing/http';
import { startService, type InProcessService } from '../../service/src/testing/service-harness';
import { launchBrowser, screenshot, seriousViolations } from './browser';

/**
 * The console in a real browser (Debian's Chromium, headless, driven by playwright-core) against
 * the real service on a temporary SQLite file with an injected clock. One browser and one page
 * for the whole file; each test goes on from where the previous one left the service.
 */
jest.setTimeout(60_000);

const clock = new ManualClock(new Date('2026-03-10T14:00:00Z')); // Tuesday 10:00 in New York
let svc: InProcessService;
let browser: Browser;
let page: Page;
const tickets: { id: string; number: string }[] = [];

let minted: Record<'agent' | 'ada' | 'tom', string> | undefined;
/** The tokens, minted once (a token minted again a second later differs in its `iat`). */
const tokens = (): Record<'agent' | 'ada' | 'tom', string> =>
  (minted ??= {
    agent: svc.tokenFor('agent', 'u-agent', 'support', { name: 'Alex Agent' }),
    ada: svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' }),
    tom: svc.tokenFor('teacher', 'u-tom', 'acme', { email: 'tom@acme.example', name: 'Tom' }),
  });
const api = async (method: string, path: string, token: string, body?: unknown): Promise<Json> => {
  const res = await call(svc.baseUrl, method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.json;
};

/** Opens the console page at `hash` and waits for `selector`. */
const show = async (hash: string, selector: string): Promise<void> => {
  await page.goto(`${svc.baseUrl}/console/${hash}`);
  await page.waitForSelector(selector, { timeout: 15_000 });
};

const noSeriousViolations = async (name: string): Promise<void> => {
  await screenshot(page, name);
  expect(await seriousViolations(page)).toEqual([]);
};

beforeAll(async () => {
  // Fail fast (missing Chromium or build) before starting anything else.
  browser = await launchBrowser();
  svc = await startService({ providers: [{ provide: CLOCK_OVERRIDE, useValue: clock }], env: { NOTIFICATIONS: 'off' } });
  const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB', viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  const t = tokens();
  // Four tickets the queue orders differently from their arrival: two errors by users affected, a how-to, one unclassified.
  const open = async (token: string, summary: string): Promise<{ id: string; number: string }> => {
    const opened = await api('POST', '/tickets', token, { channel: 'email', request: { summary, description: `${summary}, since this morning.` } });
    clock.advance(60_000);
    return { id: opened.ticketId as string, number: opened.ticketNumber as string };
  };
  tickets.push(await open(t.tom, 'How do I add a widget?'));
  tickets.push(await open(t.ada, 'Grade export fails'));
  tickets.push(await open(t.tom, 'Login page slow'));
  tickets.push(await open(t.ada, 'Question about feeds'));
  await api('POST', `/tickets/${tickets[0]!.id}/classification`, t.agent, { category: 'personal/how-to' });
  await api('POST', `/tickets/${tickets[1]!.id}/classification`, t.agent, { category: 'technical/bug', usersAffected: 40, stepsToReproduce: 'Open the gradebook, click Export' });
  await api('POST', `/tickets/${tickets[2]!.id}/classification`, t.agent, { category: 'technical/login', usersAffected: 5, stepsToReproduce: 'Open the login page' });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop({ removeData: true });
});

describe('the console', () => {
  test('is served at /console/ with a self-only CSP, and signing in keeps the token for the tab', async () => {
    const res = await call(svc.baseUrl, 'GET', '/console/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'; script-src 'self'; style-src 'self';/);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(res.text)?.[1];
    expect(script).toBeDefined();
    const js = await call(svc.baseUrl, 'GET', script!);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await call(svc.baseUrl, 'GET', '/console/nope.js')).status).toBe(404);

    await show('', '#token');
    await noSeriousViolations('sign-in');
    await page.fill('#token', 'not-a-token');
    await page.click('button[type=submit]');
    await expect(page.textContent('[role=alert]')).resolves.toContain('not a support-sla token');
    await page.fill('#token', tokens().agent);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=queue] tbody tr');
    expect(await page.evaluate(() => sessionStorage.getItem('support-sla.token'))).toBe(tokens().agent);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  test('the queue lists the open tickets in the API’s order, with the API’s deadlines, in the viewer’s and the policy’s zones', async () => {
    const queue = await api('GET', '/queue', tokens().agent);
    const board = await api('GET', '/sla', tokens().agent);
    await show('#/queue', `[data-testid=queue] tbody tr[data-ticket] td[data-clock=confirmation][data-deadline^="2026"]`);
    const rows = await page.$$eval('[data-testid=queue] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-ticket')));
    expect(rows).toEqual((queue.entries as Json[]).map((e) => e.ticketId));
    expect(rows).toHaveLength(4);
    const first = board.tickets.find((t: Json) => t.ticketId === tickets[1]!.id);
    const cell = page.locator(`tr[data-ticket="${tickets[1]!.id}"] td[data-clock=confirmation]`);
    expect(await cell.getAttribute('data-deadline')).toBe(first.confirmation.deadline);
    expect(await cell.locator('time').first().getAttribute('datetime')).toBe(first.confirmation.deadline);
    // 2 h after 14:01 UTC: 17:01 in Paris, 12:01 in New York (the policy's zone).
    expect(await cell.textContent()).toContain('10 Mar 2026, 17:01:00 CET');
    expect(await cell.textContent()).toContain('12:01:00 GMT-4 (America/New_York)');
    await noSeriousViolations('queue');
  });

  test('a new ticket appears without a reload; a clock past its deadline is marked breached', async () => {
    const opened = await api('POST', '/tickets', tokens().ada, { channel: 'email', request: { summary: 'Dashboard blank', description: 'The dashboard shows nothing.' } });
    await page.waitForSelector(`tr[data-ticket="${opened.ticketId as string}"]`, { timeout: 10_000 });
    tickets.push({ id: opened.ticketId as string, number: opened.ticketNumber as string });

    expect(await page.getAttribute(`tr[data-ticket="${tickets[1]!.id}"]`, 'data-mark')).toBeNull();
    clock.set('2026-03-10T16:30:00Z'); // past the 2 h premium confirmation deadline of 16:01
    const board = await api('GET', '/sla', tokens().agent);
    expect(board.breached).toContain(tickets[1]!.number);
    await page.click('text=Refresh');
    await page.waitForSelector(`tr[data-ticket="${tickets[1]!.id}"][data-mark=breached]`, { timeout: 10_000 });
    expect(await page.getAttribute(`tr[data-ticket="${tickets[1]!.id}"] td[data-clock=confirmation]`, 'data-status')).toBe('breached');
    await screenshot(page, 'queue-breached');

    // Waiting on the customer: the row says so, and the paused clock shows as paused on the ticket.
    await api('POST', `/tickets/${tickets[2]!.id}/awaiting-customer`, tokens().agent, { reason: 'Which browser?' });
    await page.waitForSelector(`tr[data-ticket="${tickets[2]!.id}"] .badge-paused`, { timeout: 10_000 });
    await show(`#/tickets/${tickets[2]!.id}`, 'table.clocks tr[data-clock=resolution][data-status=paused]');
    expect(await page.textContent('table.clocks tr[data-clock=resolution]')).toContain('paused');
  });

  test('the ticket page shows the request, the clocks and the timeline with both times; an agent responds from it', async () => {
    const { id } = tickets[1]!;
    await show(`#/tickets/${id}`, '[data-testid=timeline] tbody tr');
    const details = await api('GET', `/tickets/${id}`, tokens().agent);
    const history = await api('GET', `/tickets/${id}/history`, tokens().agent);
    expect(await page.textContent('h1')).toContain('Grade export fails');
    expect(await page.textContent('main')).toContain('ada@acme.example');
    expect(await page.getAttribute('table.clocks tr[data-clock=confirmation]', 'data-deadline')).toBe(details.sla.confirmation.deadline);
    const rows = await page.$$eval('[data-testid=timeline] tbody tr', (trs) =>
      trs.map((tr) => ({ type: tr.getAttribute('data-type'), occurredAt: tr.getAttribute('data-occurred'), recordedAt: tr.getAttribute('data-recorded') })),
    );
    expect(rows).toEqual((history.entries as Json[]).map((e) => ({ type: e.type, occurredAt: e.occurredAt, recordedAt: e.recordedAt })));
    await noSeriousViolations('ticket');

    await page.fill('#respond-message', 'Reproduced; fixing.');
    await page.fill('#respond-actionPlan', 'Hotfix tonight');
    await page.click('form[data-action=respond] button[type=submit]');
    await page.waitForSelector('[data-testid=timeline] tbody tr[data-type=TicketResponded]', { timeout: 10_000 });
    expect((await api('GET', `/tickets/${id}`, tokens().agent)).ticket.respondedAt).toBe('2026-03-10T16:30:00.000Z');

    // As of 14:30 UTC, by what had been recorded: open, confirmation still running.
    await show(`#/tickets/${id}?asOf=2026-03-10T14%3A30%3A00.000Z&reading=recorded`, '[data-testid=as-of] table.clocks');
    const asOf = await api('GET', `/tickets/${id}/sla?asOf=2026-03-10T14:30:00.000Z&reading=recorded`, tokens().agent);
    expect(await page.getAttribute('[data-testid=as-of] tr[data-clock=confirmation]', 'data-status')).toBe(asOf.sla.confirmation.status);
  });

  test('the compliance page charts the report’s numbers and downloads exactly the API’s CSV', async () => {
    const from = '2026-03-01T00:00:00.000Z';
    const to = '2026-04-01T00:00:00.000Z';
    await show('#/compliance?from=2026-03-01&to=2026-04-01', '[data-testid=weekly-chart-table] tbody tr');
    const report = await api('GET', `/reports/compliance?from=${from}&to=${to}`, tokens().agent);
    expect(await page.textContent('[data-testid=received]')).toBe(String(report.total.received));
    expect(report.total.breachedTickets).toContain(tickets[1]!.number);
    expect(await page.textContent('[data-testid=breached]')).toContain(tickets[1]!.number);

    // The week of 8 March: premium confirmation met % as the API's counts give it.
    const week = await api('GET', `/reports/compliance?from=2026-03-08T00:00:00.000Z&to=2026-03-15T00:00:00.000Z`, tokens().agent);
    const premium = (week.groups as Json[]).filter((g) => g.tier === 'premium');
    const within = premium.reduce((n, g) => n + g.confirmation.withinTarget, 0);
    const breached = premium.reduce((n, g) => n + g.confirmation.breached, 0);
    expect(breached).toBeGreaterThan(0);
    const expected = Math.round((within / (within + breached)) * 10_000) / 100;
    const chart = JSON.parse((await page.getAttribute('[data-testid=weekly-chart] [data-chart]', 'data-chart'))!) as { categories: string[]; series: { name: string; values: (number | null)[] }[] };
    const weekIndex = chart.categories.indexOf('2026-03-08');
    expect(weekIndex).toBe(1);
    expect(chart.series.find((s) => s.name === 'premium confirmation met')!.values[weekIndex]).toBe(expected);
    const cell = page.locator('[data-testid=weekly-chart-table] tr[data-series="premium confirmation met"] td').nth(weekIndex);
    expect(await cell.getAttribute('data-value')).toBe(String(expected));
    // The chart itself was drawn (a canvas with pixels).
    expect(await page.$$eval('[data-testid=weekly-chart] canvas', (cs) => cs.length)).toBeGreaterThan(0);
    await noSeriousViolations('compliance');

    const api_csv = await fetch(`${svc.baseUrl}/reports/compliance?from=${from}&to=${to}&format=csv`, { headers: { authorization: `Bearer ${tokens().agent}` } });
    const expectedBytes = Buffer.from(await api_csv.arrayBuffer());
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv]')]);
    const saved = await download.path();
    expect(readFileSync(saved).equals(expectedBytes)).toBe(true);
    expect(download.suggestedFilename()).toBe('compliance-2026-03-01-2026-04-01.csv');
  });

  test('the outages page shows the monitors’ latest reports (GET /status), the open outage and its linked tickets (GET /outages), never asking for a report; the public status page needs no sign-in', async () => {
    for (const m of ['chicago', 'california', 'atlanta']) {
      await api('POST', `/monitors/${m}/reports`, svc.tokenFor('monitor', `mon-${m}`, 'ops'), { status: 'down', observedAt: '2026-03-10T16:20:00Z' });
    }
    // A ticket linked to the outage: the page lists its number, linking to its page.
    const t = tokens();
    const outageId = ((await api('GET', '/outages', t.agent)) as { outages: { outageId: string; endedAt: string | null }[] }).outages.find((o) => o.endedAt === null)!.outageId;
    const linked = (await api('POST', '/tickets', t.ada, { channel: 'email', request: { summary: 'Nothing loads', description: 'During the outage' } })) as { ticketId: string; ticketNumber: string };
    const link = (await api('POST', `/tickets/${linked.ticketId}/outage-link`, t.agent, { outageId })) as { position: string };
    await api('GET', `/queue?minPosition=${encodeURIComponent(link.position)}`, t.agent);
    const calls: string[] = [];
    const record = (request: { url(): string }): void => {
      calls.push(new URL(request.url()).pathname);
    };
    page.on('request', record);
    try {
      await show('#/outages', '[data-testid=open-outage].overdue');
      await page.waitForSelector('[data-testid=monitors] tr[data-monitor=atlanta] time');
    } finally {
      page.off('request', record);
    }
    expect(calls).toEqual(expect.arrayContaining(['/status', '/outages']));
    expect(calls.filter((c) => c.startsWith('/reports'))).toEqual([]);
    expect(await page.textContent('[data-testid=monitors] tr[data-monitor=atlanta]')).toContain('down');
    expect(await page.getAttribute('[data-testid=monitors] tr[data-monitor=atlanta] time', 'datetime')).toBe('2026-03-10T16:20:00.000Z');
    // The outage's clocks and linked tickets: a link to the compliance page for the days it spans.
    // Still open: up to the service's today (the injected clock, through /status's checkedAt).
    expect(await page.getAttribute('[data-testid=outages] [data-testid=outage-report]', 'href')).toBe('#/compliance?from=2026-03-10&to=2026-03-11');
    expect(await page.textContent(`[data-outage="${outageId}"] [data-testid=linked-tickets]`)).toContain(linked.ticketNumber);
    expect(await page.getAttribute(`[data-outage="${outageId}"] [data-testid=linked-tickets] a`, 'href')).toBe(`#/tickets/${linked.ticketNumber}`);
    await noSeriousViolations('outages');

    await page.goto(`${svc.baseUrl}/status`);
    await page.waitForSelector('[data-outage=declared]');
    expect(await page.textContent('[data-outage=declared]')).toContain('2026-03-10 16:20:00 UTC');
    await noSeriousViolations('status');
  });

  test('a long queue is shown a page of 100 rows at a time, each page in the API’s order', async () => {
    const t = tokens();
    for (let i = 0; i < 100; i++) await api('POST', '/tickets', i % 2 === 0 ? t.tom : t.ada, { channel: 'email', request: { summary: `Long queue ${i}`, description: 'One of many' } });
    const queue = await api('GET', '/queue', t.agent);
    expect(queue.total).toBeGreaterThan(100);
    await show('#/queue', '[data-testid=queue-pages-top]');
    expect(await page.locator('[data-testid=queue] tbody tr[data-ticket]').count()).toBe(100);
    expect(await page.textContent('[data-testid=queue-pages-top]')).toContain(`Rows 1–100 of ${queue.total}`);
    await page.click('[data-testid=queue-pages-top] a:has-text("Next")');
    await page.waitForSelector('[data-testid=queue] tbody tr[data-ticket] >> nth=0');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=queue] tbody tr[data-ticket]').length === n, queue.total - 100);
    const ids = await page.locator('[data-testid=queue] tbody tr[data-ticket]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ticket')));
    expect(ids).toEqual((queue.entries as { ticketId: string }[]).slice(100).map((e) => e.ticketId));
    expect(new URL(page.url()).hash).toBe('#/queue?page=2');
    await noSeriousViolations('queue-page-2');
  });

  test('a role sees what the API lets it: a teacher gets the API’s 403 as a sentence on the queue', async () => {
    await page.evaluate((token) => sessionStorage.setItem('support-sla.token', token), tokens().tom);
    await page.goto(`${svc.baseUrl}/console/#/queue`);
    await page.reload();
    await page.waitForSelector('[role=alert]', { timeout: 15_000 });
    expect(await page.textContent('[role=alert]')).toMatch(/^Your role may not see or do this: role teacher may not do this/);
    expect(await page.$('nav >> text=Queue')).toBeNull();
  });
});
