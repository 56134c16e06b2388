import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findJava, JavaNotFoundError } from '../../src/engines/java-runtime.ts';
import { ChecksumMismatchError, sha1Of, verifySha1 } from '../../src/engines/maven-artifact.ts';
import { QUARRY_BIN } from '../support/engines.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'quarry-engines-install-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake JDK folder: a `release` file and an executable bin/java, which is all findJava reads. */
function fakeJdk(root: string, name: string, version: string): string {
  const home = path.join(root, name);
  mkdirSync(path.join(home, 'bin'), { recursive: true });
  writeFileSync(path.join(home, 'bin', 'java'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(path.join(home, 'release'), `IMPLEMENTOR="test"\nJAVA_VERSION="${version}"\n`);
  return home;
}

describe('finding a Java for an engine', () => {
  const root = path.join(scratch, 'jvm');
  const j17 = fakeJdk(root, 'java-17', '17.0.15');
  const j25 = fakeJdk(root, 'temurin-25', '25.0.3');
  symlinkSync(j17, path.join(root, 'java-1.17.0')); // Debian's alias: the same JDK twice

  it('picks the newest Java in range from the folders, or JAVA_HOME when it fits', () => {
    assert.deepEqual(findJava('Trino', 24, Infinity, {}, [root]), { home: j25, major: 25 });
    assert.deepEqual(findJava('Spark', 17, 21, {}, [root]), { home: j17, major: 17 });
    assert.deepEqual(findJava('Spark', 17, Infinity, { JAVA_HOME: j17 }, [root]), { home: j17, major: 17 });
  });

  it('says which Javas it found and what to install when none is new enough', () => {
    const empty = path.join(scratch, 'no-jvm');
    mkdirSync(empty);
    assert.throws(() => findJava('Trino 476', 24, Infinity, {}, [empty]), (error: unknown) => error instanceof JavaNotFoundError && /found none/.test(error.message));
    const only17 = path.join(scratch, 'only17');
    fakeJdk(only17, 'java-17', '17.0.15');
    assert.throws(() => findJava('Trino 476', 24, Infinity, {}, [only17]), (error: unknown) => {
      assert.ok(error instanceof JavaNotFoundError);
      assert.match(error.message, /Trino 476 needs a Java 24 or newer; found .*java-17 \(Java 17\)/);
      assert.match(error.message, /JAVA_HOME/);
      return true;
    });
  });
});

describe("checking a fetched file against Maven Central's .sha1", () => {
  it('accepts the file the .sha1 describes and refuses one whose bytes changed', async () => {
    const file = path.join(scratch, 'engine.jar');
    writeFileSync(file, 'the published bytes');
    writeFileSync(`${file}.sha1`, `${await sha1Of(file)}  engine.jar\n`);
    assert.equal(await verifySha1(file), await sha1Of(file));
    writeFileSync(file, 'tampered bytes');
    await assert.rejects(verifySha1(file), (error: unknown) => error instanceof ChecksumMismatchError && /does not match the published/.test(error.message));
    rmSync(`${file}.sha1`);
    await assert.rejects(verifySha1(file), /has no engine\.jar\.sha1 beside it/);
  });
});

describe('quarry engines', () => {
  it('--help documents every subcommand and what Trino needs', () => {
    const help = spawnSync(process.execPath, [QUARRY_BIN, 'engines', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const word of ['install ENGINE', 'start ENGINE', 'stop ENGINE', 'status', 'register ENGINE', 'exec TOOL', 'Java 24 or newer', 'QUARRY_ENGINES_CACHE']) assert.ok(help.stdout.includes(word), word);
  });

  it('a second install into the test cache is a no-op', () => {
    const cache = process.env.QUARRY_TEST_ENGINES_CACHE;
    assert.ok(cache, 'QUARRY_TEST_ENGINES_CACHE (scripts/with-services.sh) names the engines cache');
    for (const engine of ['spark', 'trino']) {
      const run: SpawnSyncReturns<string> = spawnSync(process.execPath, [QUARRY_BIN, 'engines', 'install', engine], { encoding: 'utf8', env: { ...process.env, QUARRY_ENGINES_CACHE: cache, QUARRY_HOME: scratch }, timeout: 120_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).alreadyInstalled, true, run.stderr);
      assert.match(run.stderr, /is already installed/);
    }
  });

  it('names the engines it knows when given another', () => {
    const run = spawnSync(process.execPath, [QUARRY_BIN, 'engines', 'install', 'presto'], { encoding: 'utf8', env: { ...process.env, QUARRY_HOME: scratch } });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /needs an engine: spark or trino \(got "presto"\)/);
  });
});
