import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { demoWeek } from '../../src/demo/demo-week.ts';
import { experimentWeek, PLANTED } from '../../src/demo/experiment-population.ts';
import { demoMembers } from '../../src/demo/operational-database.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');
const week = demoWeek(new Date('2026-06-15T10:00:00Z'));

describe("the demo's synthetic data", () => {
  it('is the same for one seed and differs between seeds', () => {
    const a = experimentWeek(demoMembers(300, week, 5), week, 6);
    const b = experimentWeek(demoMembers(300, week, 5), week, 6);
    const c = experimentWeek(demoMembers(300, week, 7), week, 8);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.playback, c.playback);
  });

  it('splits each day evenly but for the planted mismatch day, and plants longer sessions in bigger-art only', () => {
    const events = experimentWeek(demoMembers(3000, week, 17), week, 18);
    const perDay = new Map<number, Record<string, number>>();
    for (const a of events.allocations) {
      const day = Math.floor((Date.parse(a.allocated_at as string) - week.startMs) / 86_400_000);
      const counts = perDay.get(day) ?? {};
      counts[a.cell as string] = (counts[a.cell as string] ?? 0) + 1;
      perDay.set(day, counts);
    }
    assert.equal(perDay.size, 7);
    for (const [day, counts] of perDay) {
      const values = ['control', 'bigger-art', 'new-font'].map((c) => counts[c] ?? 0);
      if (day === PLANTED.mismatchDay) assert.ok(values[0]! < values[2]! / 2, `day ${day}: ${JSON.stringify(counts)}`);
      else assert.ok(Math.max(...values) - Math.min(...values) <= 1, `day ${day}: ${JSON.stringify(counts)}`);
    }
    const cellOf = new Map(events.allocations.map((a) => [a.member, a.cell as string]));
    const perSession = (cell: string) => {
      const hours = events.playback.filter((p) => cellOf.get(p.member) === cell).map((p) => p.hours as number);
      return hours.reduce((s, h) => s + h, 0) / hours.length;
    };
    assert.ok(perSession('bigger-art') > 1.08 * perSession('control'), `${perSession('bigger-art')} vs ${perSession('control')}`);
    assert.ok(Math.abs(perSession('new-font') / perSession('control') - 1) < 0.08, `${perSession('new-font')} vs ${perSession('control')}`);
    // Every event lies between its member's allocation and the week's end.
    const allocatedAt = new Map(events.allocations.map((a) => [a.member, Date.parse(a.allocated_at as string)]));
    for (const e of [...events.playback, ...events.ui]) {
      const ts = Date.parse(e.ts as string);
      assert.ok(ts >= allocatedAt.get(e.member)! && ts < week.endMs, JSON.stringify(e));
    }
  });
});

describe('quarry demo on the command line', () => {
  it('documents itself and refuses bad options in one line', () => {
    const help = spawnSync(process.execPath, [QUARRY, 'demo', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const text of ['npm run demo', '--remove', '--seed', 'demo_ops', 'quarry:demo']) assert.ok(help.stdout.includes(text), text);
    assert.match(spawnSync(process.execPath, [QUARRY, '--help'], { encoding: 'utf8' }).stdout, /demo\s+Run the whole platform on sample data/);
    const bad = spawnSync(process.execPath, [QUARRY, 'demo', '--members', 'many'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr, 'quarry demo: --members must be a whole number, at least 30 (got "many")\n');
  });
});
