import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Debian's chromium: `npm test` passes it as QUARRY_TEST_CHROMIUM; a file run alone asks the same
 * install script. No skip: without a browser the UI tests fail, naming the script.
 */
export function chromiumPath(): string {
  const given = process.env.QUARRY_TEST_CHROMIUM;
  if (given) return given;
  try {
    return execFileSync('bash', [path.join(ROOT, 'scripts/services/chromium.sh'), 'install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch {
    throw new Error('No chromium for the web UI tests: run scripts/services/chromium.sh install as root (apt-get install chromium)');
  }
}

/** Chromium flags for running as root in a container without a display or GPU. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}

/**
 * How long a browser test waits for a condition on the page. Generous because CI runs the whole suite
 * on two shared cores: a step that takes 100 ms on a quiet machine took over 30 s there. A condition
 * that holds is met as soon as it holds; only a broken one costs the whole wait.
 */
export const PAGE_WAIT_MS = 180_000;

/** A new page whose waits (locators, navigation, waitForFunction) default to PAGE_WAIT_MS. */
export async function openPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(PAGE_WAIT_MS);
  page.setDefaultNavigationTimeout(PAGE_WAIT_MS);
  return page;
}

/**
 * Waits until `expression` is true in the page. Playwright's own waitForFunction polls a string by
 * evaluating it inside the page, which the UI's content policy (no eval) refuses; this evaluates it
 * through the DevTools protocol on each poll instead.
 */
export async function waitForCondition(page: Page, expression: string, limitMs = PAGE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if ((await page.evaluate(expression)) === true) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the text of the element with data-testid `testId` matches `expected`, failing with what was awaited and the last
 * text seen. For values the page updates by polling, where reading once would catch an earlier value.
 */
export async function waitForText(page: Page, testId: string, expected: RegExp, limitMs = PAGE_WAIT_MS): Promise<string> {
  const deadline = Date.now() + limitMs;
  let seen: string | null = null;
  for (;;) {
    seen = await page.getByTestId(testId).textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => seen);
    if (seen !== null && expected.test(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for [data-testid=${testId}] to match ${expected}; last seen: ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The folder this test run's screenshots go to: QUARRY_TEST_SCREENSHOTS, or one named after the run's
 * start under .cache/ui-screenshots (the same for every file of one `npm test`, via the runner's pid).
 */
export function screenshotFolder(): string {
  const folder = process.env.QUARRY_TEST_SCREENSHOTS ?? path.join(ROOT, '.cache', 'ui-screenshots', `run-${process.env.QUARRY_TEST_RUN_ID ?? process.ppid}`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Saves a screenshot named `name`, then runs axe-core in the page and fails on any serious or
 * critical violation, listing them.
 */
export async function checkPage(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotFolder(), `${name}.png`), fullPage: true });
  // Evaluated through the DevTools protocol, not added as a <script>: the UI's content policy allows
  // its own script files only, and the check must run on the page as users get it, policy and all.
  await page.evaluate(AXE_SOURCE);
  // A string expression: it runs in the page, whose globals (window.axe, document) Node's types lack.
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  })()`)) as AxeViolation[];
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) throw new Error(`axe-core found on ${name}: ${JSON.stringify(bad, null, 1)}`);
}

/** Counts the API requests a page makes (anything under /api, /mds, /iceberg), by path. */
export function countApiRequests(page: Page): { paths: string[] } {
  const seen = { paths: [] as string[] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (/^\/(api|mds|iceberg)\//.test(url.pathname)) seen.paths.push(`${request.method()} ${url.pathname}${url.search}`);
  });
  return seen;
}
