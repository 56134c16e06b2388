import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, screenshotFolder } from '../support/browser.ts';
import { stopLocalAgent } from '../support/server-process.ts';
import { freePort } from '../support/test-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** A loaded 2-core machine has taken over 2 minutes to a finished demo; the wait is generous. */
const READY_MS = 8 * 60_000;

interface Job {
  id: string;
  name: string;
  status: string;
  commandName?: string;
}

/**
 * `npm run demo` as the README says, on a fresh QUARRY_HOME (the clean folder) and a free port:
 * everything is then checked through the public APIs and the UI, and `quarry demo --remove` takes
 * the demo away again.
 */
describe('npm run demo', () => {
  let home: string;
  let url: string;
  let demo: ChildProcess;
  let output = '';
  const env = () => ({ ...process.env, QUARRY_HOME: home, QUARRY_PORT: String(port), QUARRY_LOG_LEVEL: 'warn' });
  let port: number;

  /** Waits for a line of the demo's output matching `pattern`, naming the output seen so far on failure. */
  async function waitForOutput(pattern: RegExp, limitMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}) before printing ${pattern}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the demo did not print ${pattern} within ${limitMs / 1000} s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const api = async <T>(p: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${url}${p}`, init);
    const text = await response.text();
    assert.ok(response.ok, `${init?.method ?? 'GET'} ${p} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const query = (sql: string) => api<{ rows: unknown[][] }>('/api/query/v1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });

  before(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'quarry-demo-'));
    port = await freePort();
    // Its own process group, so Ctrl-C can be sent as a terminal sends it: to npm, its shell and the demo.
    demo = spawn('npm', ['run', 'demo'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    demo.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForOutput(/demo ready/, READY_MS);
  });

  after(async () => {
    if (demo && demo.exitCode === null) {
      process.kill(-demo.pid!, 'SIGINT');
      await new Promise((resolve) => demo.once('exit', resolve));
    }
    await stopLocalAgent(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('prints the UI URL first, then the report it finished', () => {
    const first = output.split('\n').find((line) => !line.startsWith('>') && line.trim() !== '');
    url = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(first ?? '')?.[1] ?? '';
    assert.equal(url, `http://127.0.0.1:${port}`, output);
    assert.match(output, /report finished in [\d.]+ s: streaming_hours: bigger-art \+[\d.]+ h \(p [^,]+, significant\); new-font [+-][\d.]+ h \(p [^,]+, not significant\); sample ratio MISMATCH/);
  });

  it('ran the snapshot, ab-report and sql jobs through the jobs API, all SUCCEEDED', async () => {
    const found = await api<{ _embedded?: { jobSearchResultList: Job[] } }>('/api/v3/jobs?tag=quarry:demo&size=100');
    const jobs = found._embedded?.jobSearchResultList ?? [];
    const byKind = (prefix: string) => jobs.filter((j) => j.name.startsWith(prefix));
    assert.equal(byKind('snapshot-').length, 21, JSON.stringify(jobs.map((j) => j.name)));
    assert.equal(byKind('ab-report-').length, 1);
    assert.equal(byKind('hours-per-device').length, 1);
    assert.deepEqual(jobs.filter((j) => j.status !== 'SUCCEEDED').map((j) => `${j.name} ${j.status}`), []);
    const sqlJob = byKind('hours-per-device')[0]!;
    const csv = await (await fetch(`${url}/api/v3/jobs/${sqlJob.id}/output/result.csv`)).text();
    assert.match(csv, /^device,sessions,hours\n(\w+,\d+,[\d.]+\n)+$/);
    const reportJob = byKind('ab-report-')[0]!;
    const fromJob = await api<{ experiment: string }>(`/api/v3/jobs/${reportJob.id}/output/report.json`);
    assert.equal(fromJob.experiment, 'demo-artwork');
  });

  it('landed the events, the dead letters and a partition per day of each dimension table', async () => {
    for (const table of ['demo_events.playback', 'demo_events.ui', 'demo_ab.allocations']) {
      const [[n]] = (await query(`SELECT count(*) FROM ${table}`)).rows as [[number]];
      assert.ok(Number(n) > 1000, `${table} has ${n} rows`);
    }
    const [[dead]] = (await query('SELECT count(*) FROM demo_events.playback_dead_letters')).rows as [[number]];
    assert.ok(Number(dead) >= 6, `${dead} dead letters in demo_events.playback_dead_letters`);
    for (const table of ['members', 'plans', 'devices']) {
      const days = (await query(`SELECT dateint, count(*) FROM demo_dims.${table} GROUP BY dateint ORDER BY dateint`)).rows;
      assert.equal(days.length, 7, `demo_dims.${table}: ${JSON.stringify(days)}`);
    }
    // Members who joined during the week make later days' snapshots larger.
    const members = (await query('SELECT dateint, count(*) FROM demo_dims.members GROUP BY dateint ORDER BY dateint')).rows.map((r) => Number(r[1]));
    assert.ok(members[6]! > members[0]!, JSON.stringify(members));
  });

  it('keeps events flowing through the collector while it runs', async () => {
    const accepted = async () => (await api<{ accepted: number }>('/api/pipeline/v1/streams/demo-ui')).accepted;
    const first = await accepted();
    const deadline = Date.now() + 120_000;
    let last = first;
    while (last <= first) {
      assert.ok(Date.now() < deadline, `demo-ui accepted stayed at ${first} for 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      last = await accepted();
    }
  });

  it('stored a report that finds the planted effect, not the null one, and flags the sample-ratio mismatch', async () => {
    const report = await api<{ srm: { mismatch: boolean }; metrics: { name: string; cells: { name: string; significant: boolean; lift: number | null }[] }[] }>(
      '/api/experiments/v1/experiments/demo-artwork/reports/latest',
    );
    assert.equal(report.srm.mismatch, true);
    const hours = report.metrics.find((m) => m.name === 'streaming_hours')!;
    const cell = (name: string) => hours.cells.find((c) => c.name === name)!;
    assert.equal(cell('bigger-art').significant, true);
    assert.ok(cell('bigger-art').lift! > 0);
    assert.equal(cell('new-font').significant, false);
  });

  it('shows the report in the browser from the printed URL', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${url}/experiments`);
      // The experiments page links each experiment's report (whatever page the UI shows it on).
      const link = page.locator('a[href*="demo-artwork"]').first();
      await link.waitFor({ timeout: 60_000 });
      await link.click();
      await page.waitForURL(/demo-artwork/, { timeout: 60_000 });
      await page.getByText('bigger-art').first().waitFor({ timeout: 60_000 });
      await page.screenshot({ path: path.join(screenshotFolder(), 'demo-report.png'), fullPage: true });
      assert.match(await page.content(), /new-font/);
    } finally {
      await browser.close();
    }
  });

  it('is removed by quarry demo --remove, leaving nothing of the demo but its emptied stream tables', async () => {
    const removed = spawnSync(process.execPath, [path.join(ROOT, 'bin/quarry.js'), 'demo', '--remove'], { env: env(), encoding: 'utf8', timeout: 300_000 });
    assert.equal(removed.status, 0, removed.stderr + removed.stdout);
    assert.equal((await fetch(`${url}/api/experiments/v1/experiments/demo-artwork`)).status, 404);
    assert.equal((await fetch(`${url}/api/v3/commands/demo-ab-report`)).status, 404);
    assert.equal((await fetch(`${url}/api/v3/clusters/demo-local`)).status, 404);
    assert.equal((await fetch(`${url}/iceberg/v1/namespaces/demo_dims/tables/members`)).status, 404);
    assert.equal(existsSync(path.join(home, 'demo')), false);
    const streams = await api<{ streams: { name: string; active: boolean }[] }>('/api/pipeline/v1/streams');
    assert.deepEqual(streams.streams.filter((s) => s.name.startsWith('demo-') && s.active), []);
  });
});
