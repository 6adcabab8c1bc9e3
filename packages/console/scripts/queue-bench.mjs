// `npm run bench -w @support-sla/console` (part of the root `npm run bench`): the queue page with
// BENCH_QUEUE_TICKETS (10,000) open tickets, measured in the browser (a benchmark, not a test).
//
// The real service (compiled: `node packages/service/bin/build-workspace.js` first) on a temporary
// SQLite file with NOTIFICATIONS=off; the tickets are opened through the API (8 at a time; a third
// of them classified, so the queue has several priority classes). Then, in headless Chromium
// (playwright-core, /usr/bin/chromium or CHROMIUM_PATH), BENCH_QUEUE_ROUNDS (5) times each:
// - first render: from navigation to the queue page (token already in the tab) until the table
//   shows its rows with their clocks (the page's own `performance.now()`, so from the navigation
//   start), with the JS heap after it;
// - live update: a new ticket, classified as an error affecting 100,000 users so that it heads
//   the queue (the page shows 100 rows a page; an unclassified ticket lands on the last one):
//   from the `POST /tickets` answer until the page's count of open tickets includes it, and from
//   the classification's answer until its row heads the table (the page polls `GET /queue`
//   every 2 s, so each is at most the poll interval plus the update);
// - the cost of the page while it is open and idle: the long tasks (> 50 ms) the page ran over
//   10 s (the countdowns tick every second).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const { startService } = require(join(here, '..', '..', 'service', 'dist', 'testing', 'service-harness.js'));
const { chromium } = require('playwright-core');

const TICKETS = Number(process.env.BENCH_QUEUE_TICKETS ?? '10000');
const ROUNDS = Number(process.env.BENCH_QUEUE_ROUNDS ?? '5');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BUILD = join(here, '..', 'dist', 'web', 'index.html');

if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
if (!existsSync(BUILD)) throw new Error('The console is not built: run `node packages/service/bin/build-workspace.js`');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const max = (xs) => Math.max(...xs);
const ms = (n) => `${Math.round(n).toLocaleString('en-US')} ms`;

const svc = await startService({ env: { NOTIFICATIONS: 'off', SEAL_STDOUT: 'off', SEAL_INTERVAL_SECONDS: '0', LOG_LEVEL: 'silent' } });
let browser;
try {
  const agent = svc.tokenFor('agent', 'u-agent', 'support', { name: 'Bench Agent' });
  const requesters = [
    svc.tokenFor('administrator', 'u-ada', 'acme', { email: 'ada@acme.example', name: 'Ada' }),
    svc.tokenFor('teacher', 'u-tom', 'acme', { email: 'tom@acme.example', name: 'Tom' }),
  ];
  const post = async (path, token, body) => {
    const res = await fetch(`${svc.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomBytes(12).toString('hex') },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const open = (i) => post('/tickets', requesters[i % 2], { channel: 'email', request: { summary: `Bench ticket ${i}`, description: 'Opened by the queue bench' } });

  console.log(`Queue page bench: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  const seedStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (;;) {
        const i = next++;
        if (i >= TICKETS) return;
        const opened = await open(i);
        if (i % 3 === 0) {
          await post(`/tickets/${opened.ticketId}/classification`, agent, i % 2 === 0 ? { category: 'personal/how-to' } : { category: 'technical/bug', usersAffected: 1 + (i % 97), stepsToReproduce: 'Open it' });
        }
      }
    }),
  );
  console.log(`${TICKETS.toLocaleString('en-US')} open tickets written through the API in ${ms(performance.now() - seedStart)}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  await context.addInitScript((token) => sessionStorage.setItem('support-sla.token', token), agent);
  const page = await context.newPage();
  const rowsWithClocks = '[data-testid=queue] tbody tr[data-ticket] td[data-clock=confirmation][data-deadline^="2"]';

  const renders = [];
  const heaps = [];
  const updates = [];
  const counts = [];
  let shownRows = 0;
  for (let round = 0; round < ROUNDS; round++) {
    await page.goto('about:blank');
    await page.goto(`${svc.baseUrl}/console/#/queue`);
    await page.waitForSelector(rowsWithClocks, { timeout: 120_000 });
    renders.push(await page.evaluate(() => performance.now()));
    shownRows = await page.locator('[data-testid=queue] tbody tr[data-ticket]').count();
    const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    heaps.push(heap);

    const opened = await open(TICKETS + round);
    const t0 = performance.now();
    await page.waitForFunction((n) => globalThis.document.querySelector('.toolbar [aria-live]')?.textContent?.startsWith(`${n} open`) === true, TICKETS + round + 1, { timeout: 120_000 });
    counts.push(performance.now() - t0);
    await post(`/tickets/${opened.ticketId}/classification`, agent, { category: 'technical/bug', usersAffected: 100_000 + round, stepsToReproduce: 'Everything' });
    const t1 = performance.now();
    await page.waitForSelector(`[data-testid=queue] tbody tr[data-ticket="${opened.ticketId}"]:first-child`, { timeout: 120_000 });
    updates.push(performance.now() - t1);
    console.log(`  round ${round + 1}: first render ${ms(renders.at(-1))}, new ticket counted ${ms(counts.at(-1))}, its row at the top ${ms(updates.at(-1))}`);
  }

  // Idle cost: long tasks over 10 s with the page open.
  await page.evaluate(() => {
    globalThis.__long = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.__long.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  await page.waitForTimeout(10_000);
  const long = await page.evaluate(() => globalThis.__long);

  console.log(`\nQueue page, ${TICKETS.toLocaleString('en-US')} open tickets, ${shownRows.toLocaleString('en-US')} rows rendered, ${ROUNDS} rounds:`);
  console.log(`  first render (navigation to rows with clocks)   median ${ms(median(renders))}   max ${ms(max(renders))}`);
  console.log(`  live update: POST /tickets answer to the count  median ${ms(median(counts))}   max ${ms(max(counts))}`);
  console.log(`  live update: classification to its row on top   median ${ms(median(updates))}   max ${ms(max(updates))}`);
  console.log(`  JS heap after the first render                  median ${(median(heaps) / 2 ** 20).toFixed(1)} MiB`);
  console.log(`  long tasks while idle for 10 s                  ${long.length}, ${ms(long.reduce((a, b) => a + b, 0))} in all, longest ${ms(long.length === 0 ? 0 : max(long))}`);
} finally {
  await browser?.close();
  // The in-process service's shutdown can leave a promise that no handle keeps alive (Node's exit
  // code 13, "unsettled top-level await"): bounded, then the bench exits with its own status.
  await Promise.race([svc.stop({ removeData: true }), new Promise((done) => setTimeout(done, 10_000))]);
}
process.exit(process.exitCode ?? 0);
