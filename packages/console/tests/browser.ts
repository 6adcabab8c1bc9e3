import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's package (`apt-get install -y chromium`): browsers cannot be downloaded here. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CONSOLE_BUILD = join(__dirname, '..', 'dist', 'web', 'index.html');
/**
 * Where each page's screenshot goes: a test artifact under dist/ (not committed). To refresh the
 * README's copies: `CONSOLE_SCREENSHOTS=packages/console/screenshots npx jest --selectProjects console`.
 */
export const SCREENSHOTS = process.env['CONSOLE_SCREENSHOTS'] ?? join(__dirname, '..', 'dist', 'screenshots');

/**
 * Launches headless Chromium, or fails at once with what to do: no browser binary, or no
 * console build, is a clear error and never a hang (the launch itself has a 30 s timeout).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the console's browser tests need it (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  }
  if (!existsSync(CONSOLE_BUILD)) {
    throw new Error(`The console is not built (${CONSOLE_BUILD} is missing): run \`node packages/service/bin/build-workspace.js\` (npm ci does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is; the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) does not apply.
  await page.evaluate(AXE);
  const results = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
