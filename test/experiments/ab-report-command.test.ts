import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

describe('quarry ab-report', () => {
  it('declares from a file, computes, stores and writes JSON and HTML; bad input is one clear line', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-cli-ab-'));
    const run = (...args: string[]) => spawnSync(process.execPath, [QUARRY, ...args], { env: { ...process.env, QUARRY_HOME: home }, encoding: 'utf8', timeout: 120_000 });
    try {
      assert.match(run('ab-report', '--help').stdout, /Usage: quarry ab-report --experiment NAME/);
      assert.match(run('--help').stdout, /ab-report/);
      // 40 members in two cells; b's members watch 2 hours more, a's member 1 never watches.
      const allocations = ['member,experiment,cell,allocated_at'];
      const events = ['member,ts,hours'];
      for (let m = 1; m <= 40; m++) {
        const cell = m % 2 ? 'a' : 'b';
        allocations.push(`${m},e1,${cell},2026-01-0${1 + (m % 5)}T00:00:00Z`);
        if (m === 1) continue;
        events.push(`${m},2026-01-0${2 + (m % 5)}T12:00:00Z,${(m % 7) + (cell === 'b' ? 2 : 0)}`);
      }
      writeFileSync(path.join(home, 'alloc.csv'), `${allocations.join('\n')}\n`);
      writeFileSync(path.join(home, 'events.csv'), `${events.join('\n')}\n`);
      for (const args of [
        ['table', 'create', 'ab.alloc', '--column', 'member:long:required', '--column', 'experiment:string', '--column', 'cell:string', '--column', 'allocated_at:timestamptz'],
        ['table', 'append', 'ab.alloc', path.join(home, 'alloc.csv')],
        ['table', 'create', 'ab.events', '--column', 'member:long:required', '--column', 'ts:timestamptz', '--column', 'hours:double'],
        ['table', 'append', 'ab.events', path.join(home, 'events.csv')],
      ]) {
        const r = run(...args);
        assert.equal(r.status, 0, r.stderr);
      }
      const definition = path.join(home, 'e1.json');
      writeFileSync(
        definition,
        JSON.stringify({ allocation: { table: 'ab.alloc' }, control: 'a', cells: [{ name: 'a' }, { name: 'b' }], metrics: [{ name: 'hours', kind: 'mean', table: 'ab.events', value: 'sum(hours)', windowDays: 7 }] }),
      );
      const json = run('ab-report', '--experiment', 'e1', '--definition', definition);
      assert.equal(json.status, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { number: number; cells: { members: number }[]; metrics: { cells: { name: string; mean: number; lift: number | null; significant: boolean }[] }[] };
      assert.equal(report.number, 1);
      assert.deepEqual(report.cells.map((c) => c.members), [20, 20]);
      const [a, b] = report.metrics[0]!.cells;
      // Cell a: members 1, 3, …, 39 — member 1 without events counts 0.
      const hoursA = Array.from({ length: 20 }, (_, i) => 2 * i + 1).map((m) => (m === 1 ? 0 : m % 7));
      assert.equal(a!.mean, hoursA.reduce((s, h) => s + h, 0) / 20);
      assert.ok(b!.lift! > 1 && b!.significant);
      assert.match(json.stderr, /report 1 of e1: a 20, b 20 members; sample ratio ok .*significant: hours\/b/);

      const out = path.join(home, 'e1.html');
      const html = run('ab-report', '--experiment', 'e1', '--format', 'html', '--output', out);
      assert.equal(html.status, 0, html.stderr);
      const page = readFileSync(out, 'utf8');
      assert.match(page, /^<!doctype html>/);
      assert.match(page, /<svg /);
      assert.match(page, /Report 2,/);

      const missing = run('ab-report', '--experiment', 'nope');
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^quarry ab-report: No experiment named nope/);
      const noName = run('ab-report');
      assert.match(noName.stderr, /needs --experiment NAME/);
      writeFileSync(definition, JSON.stringify({ control: 'a' }));
      assert.match(run('ab-report', '--experiment', 'e1', '--definition', definition).stderr, /--definition .*e1\.json: \(top level\)|allocation/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
