// Web UI benchmark: time to the first page of the jobs list over 10,000 jobs (SQLite and PostgreSQL),
// in headless Debian chromium (a fresh tab each time, the browser already running, files cached
// as a returning user has them), against the baseline of the same API call alone from Node
// (GET /api/v3/jobs, first page of 25). Median of RUNS after one warm-up; prints the ratio.
// Also prints the built bundle's size, raw and gzipped.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../test/support/browser.ts';
import { insertFinishedJobs } from '../test/support/many-jobs.ts';
import { openTestPlatform } from '../test/support/platform.ts';
import { STORES, type StoreKind } from '../test/support/stores.ts';

const JOBS = Number(process.env.BENCH_WEB_JOBS ?? 10_000);
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 15);
const ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist/assets');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function runStore(store: StoreKind): Promise<string> {
  const t = await openTestPlatform(store, { logLevel: 'silent' });
  const browser = await launchBrowser();
  try {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await insertFinishedJobs(t.platform, JOBS);
    const api = async () => {
      const t0 = performance.now();
      const response = await fetch(`${url}/api/v3/jobs?size=25&page=0&sort=created,desc`);
      await response.json();
      return performance.now() - t0;
    };
    const ui = async () => {
      const page = await browser.newPage();
      const t0 = performance.now();
      await page.goto(`${url}/jobs`);
      await page.locator('tbody tr').nth(24).waitFor();
      const ms = performance.now() - t0;
      await page.close();
      return ms;
    };
    await api();
    await ui();
    const apiMs: number[] = [];
    const uiMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      apiMs.push(await api());
      uiMs.push(await ui());
    }
    const a = median(apiMs);
    const u = median(uiMs);
    return `| ${store} | ${JOBS} | ${a.toFixed(1)} ms | ${u.toFixed(1)} ms | ${(u / a).toFixed(1)}× |`;
  } finally {
    await browser.close();
    await t.close();
  }
}

const rows = [];
for (const store of STORES) rows.push(await runStore(store));
console.log('| store | jobs | API call alone (median) | UI: navigation to 25 rows shown (median) | ratio |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
let raw = 0;
let gz = 0;
for (const name of readdirSync(ASSETS)) {
  const bytes = readFileSync(path.join(ASSETS, name));
  raw += bytes.length;
  gz += gzipSync(bytes).length;
}
console.log(`\nbundle (web/dist/assets): ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzipped`);
