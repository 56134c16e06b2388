// Demo benchmark: `npm run demo` as the README says, in a fresh QUARRY_HOME on a free port, timed
// from the command's start to each step it prints (server answering, events sent and committed, the
// finished A/B report, every job done). The baseline, in the same run: `quarry server` alone on
// another fresh home, from its start to its first /health answer — what a user waited for before the
// demo existed. Figures are printed as seconds and as ratios to that baseline; copy the table into
// bench/RESULTS.md. The issue's goal is a finished report within 60 s of the command on the 2-core
// machine (after install).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopLocalAgent } from '../test/support/server-process.ts';
import { freePort } from '../test/support/test-service.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIMIT_MS = 15 * 60_000;

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + LIMIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${LIMIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Ctrl-C as a terminal sends it: to the child's whole process group (npm's shell does not pass it on). */
async function stop(child: ChildProcess, home: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await stopLocalAgent(home);
  rmSync(home, { recursive: true, force: true });
}

// Baseline: an empty server on a fresh home.
const baseHome = mkdtempSync(path.join(os.tmpdir(), 'quarry-demo-bench-base-'));
const basePort = await freePort();
const t0 = performance.now();
const server = spawn(process.execPath, [path.join(ROOT, 'bin/quarry.js'), 'server'], { env: { ...process.env, QUARRY_HOME: baseHome, QUARRY_PORT: String(basePort), QUARRY_LOG_LEVEL: 'warn' }, stdio: 'ignore', detached: true });
await waitFor('server answer', async () => ((await fetch(`http://127.0.0.1:${basePort}/health`).catch(() => undefined))?.ok ? true : undefined));
const baselineS = (performance.now() - t0) / 1000;
await stop(server, baseHome);

// The demo.
const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-demo-bench-'));
const port = await freePort();
const start = performance.now();
const demo = spawn('npm', ['run', 'demo'], { cwd: ROOT, env: { ...process.env, QUARRY_HOME: home, QUARRY_PORT: String(port), QUARRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const seen = new Map<string, number>();
let output = '';
const steps: [string, RegExp][] = [
  ['UI URL printed', /Quarry demo: open/],
  ['server answering', /(started quarry server|using the quarry server)/],
  ['week of events sent', /sent \d+ events/],
  ['events committed', /events committed/],
  ['A/B report finished', /report finished in/],
  ['sql job done', /sql job (SUCCEEDED|FAILED|KILLED|INVALID)/],
  ['all 21 snapshot jobs done (demo ready)', /demo ready/],
];
demo.stdout!.on('data', (chunk: Buffer) => {
  output += chunk.toString();
  process.stderr.write(chunk);
  for (const [name, pattern] of steps) if (!seen.has(name) && pattern.test(output)) seen.set(name, (performance.now() - start) / 1000);
});
try {
  await waitFor('finished demo', () => (seen.has(steps.at(-1)![0]) ? true : demo.exitCode !== null ? Promise.reject(new Error(`the demo exited ${demo.exitCode}:\n${output}`)) : undefined));
} finally {
  await stop(demo, home);
}

console.log(`\n| step of \`npm run demo\` | seconds from the command | ratio to an empty server's start (${baselineS.toFixed(1)} s, same run) |`);
console.log('|---|---|---|');
for (const [name] of steps) {
  const s = seen.get(name);
  console.log(`| ${name} | ${s === undefined ? '—' : s.toFixed(1)} | ${s === undefined ? '—' : `${(s / baselineS).toFixed(2)}×`} |`);
}
console.log(`\n${/report finished in [^\n]+/.exec(output)?.[0] ?? ''}`);
