import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../../src/config/config.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

describe('the platform a command uses when QUARRY_HOME is not set', () => {
  let root: string;
  const env = { ...process.env };
  delete env.QUARRY_HOME;
  delete env.QUARRY_CONFIG;
  delete env.QUARRY_DATABASE_URL;
  delete env.QUARRY_WAREHOUSE;
  const quarry = (cwd: string, args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [QUARRY, ...args], { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'quarry-home-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('is the nearest .quarry in the working folder or a parent, as the configuration reads it', () => {
    const project = path.join(root, 'project');
    const deep = path.join(project, 'src', 'deep');
    mkdirSync(path.join(project, '.quarry'), { recursive: true });
    mkdirSync(deep, { recursive: true });
    const config = loadConfig({}, deep);
    assert.equal(config.home, path.join(project, '.quarry'));
    assert.equal(config.homeSource, 'found');
    assert.deepEqual(config.database, { kind: 'sqlite', path: path.join(project, '.quarry', 'quarry.db') });
    assert.equal(config.warehouse, pathToFileURL(path.join(project, '.quarry', 'warehouse')).href);
    // QUARRY_HOME wins over what is found; with nothing found the default is ./.quarry.
    assert.equal(loadConfig({ QUARRY_HOME: 'elsewhere' }, deep).homeSource, 'QUARRY_HOME');
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    assert.deepEqual([loadConfig({}, empty).home, loadConfig({}, empty).homeSource], [path.join(empty, '.quarry'), 'default']);
  });

  it('quarry table works from a subfolder on the project platform and says which one', () => {
    const project = path.join(root, 'tables');
    mkdirSync(path.join(project, '.quarry'), { recursive: true });
    mkdirSync(path.join(project, 'notebooks'));
    const created = quarry(project, ['table', 'create', 'demo.t', '--column', 'id:long']);
    assert.equal(created.status, 0, created.stderr);
    assert.match(created.stderr, /^quarry: using the Quarry home .*tables\/\.quarry \(found here\): database sqlite:.*tables\/\.quarry\/quarry\.db, warehouse file:\/\/.*tables\/\.quarry\/warehouse; set QUARRY_HOME to choose another$/m);
    const listed = quarry(path.join(project, 'notebooks'), ['table', 'list', 'demo']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), ['demo.t']);
    assert.match(listed.stderr, new RegExp(`found above ${path.join(project, 'notebooks').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    assert.equal(existsSync(path.join(project, 'notebooks', '.quarry')), false, 'no second home in the subfolder');
    // Chosen explicitly: nothing to announce.
    const explicit = quarry(root, ['table', 'list', 'demo'], { QUARRY_HOME: path.join(project, '.quarry') });
    assert.deepEqual(JSON.parse(explicit.stdout), ['demo.t']);
    assert.doesNotMatch(explicit.stderr, /using/);
  });

  it('quarry table stops, making nothing, where no platform is', () => {
    const stray = path.join(root, 'stray');
    mkdirSync(stray);
    const res = quarry(stray, ['table', 'list', 'demo']);
    assert.equal(res.status, 1);
    assert.equal(
      res.stderr.trim(),
      `quarry table list: no Quarry home in ${stray} or its parents: run quarry table list inside the folder where 'quarry server' runs (it keeps its state in .quarry), or set QUARRY_HOME (or QUARRY_DATABASE_URL and QUARRY_WAREHOUSE) to the platform's`,
    );
    assert.equal(existsSync(path.join(stray, '.quarry')), false);
  });
});
