import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FileIO } from '../../src/table/file-io.ts';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import { allowedLocationsOf, LocationNotAllowedError } from '../../src/warehouse/allowed-locations.ts';

// The rule by itself: spellings that name the same place agree, tricks that leave the root are refused.
describe('allowed locations', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-allowed-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const wh = path.join(dir, 'wh');
  const extra = path.join(dir, 'extra');
  const outside = path.join(dir, 'outside');
  for (const d of [wh, extra, outside]) mkdirSync(d, { recursive: true });
  const rule = allowedLocationsOf(pathToFileURL(wh).href, [pathToFileURL(extra).href, 's3://bucket/prefix']);

  it('allows every spelling of a place under the warehouse or a configured root', () => {
    for (const inside of [
      `file://${wh}/ns.db/t`,
      `file:${wh}/ns.db/t`,
      `file://localhost${wh}/ns.db/t`,
      `file://LOCALHOST${wh}/ns.db/t/`,
      `${wh}/ns.db/t`,
      `file://${wh}//ns.db///t//`,
      `file://${wh}/ns.db/t/p=%C3%9Cn`,
      `file://${extra}/t`,
      's3://bucket/prefix/t',
      's3a://bucket/prefix/t/metadata/v1.metadata.json',
      's3n://bucket/prefix//t',
    ]) {
      assert.ok(rule.allows(inside), inside);
    }
  });

  it('refuses places outside, whatever the spelling', () => {
    for (const outsideLocation of [
      'file:///tmp/x',
      '/etc/passwd',
      `file://${wh}-evil/t`,
      `file://${wh}/../outside/t`,
      `file://${wh}/ns.db/./t`,
      `file://${wh}/%2e%2e/outside/t`,
      `file://${wh}/%2E%2E%2Foutside/t`,
      `file://${wh}/a/%2e/t`,
      `file://otherhost${wh}/t`,
      `FILE://${wh}/t`,
      's3://bucket/prefix-evil/t',
      's3://bucket/t',
      's3://other/prefix/t',
      's3://Bucket/prefix/t',
      's3://bucket/prefix/../t',
      's3://bucket/prefix/%2E%2E/t',
      `file://${wh}/a\\..\\..\\t`,
      'hdfs://nn/prefix/t',
      'https://bucket/prefix/t',
      'relative/path',
    ]) {
      assert.ok(!rule.allows(outsideLocation), outsideLocation);
    }
  });

  it('names the location and the allowed roots in a 400-kind error', () => {
    assert.throws(
      () => rule.checkText('file:///tmp/x', 'location'),
      (error: unknown) =>
        error instanceof LocationNotAllowedError &&
        error.kind === 'invalid' &&
        error.message.includes('"file:///tmp/x"') &&
        error.message.includes(JSON.stringify(pathToFileURL(wh).href)) &&
        error.message.includes('"s3://bucket/prefix"') &&
        error.message.includes('QUARRY_WAREHOUSE_ALLOWED_LOCATIONS'),
    );
  });

  it('follows a symbolic link inside the warehouse to where it really points', async () => {
    symlinkSync(outside, path.join(wh, 'link-out'));
    symlinkSync(path.join(wh, 'real'), path.join(wh, 'link-in'));
    mkdirSync(path.join(wh, 'real'));
    assert.ok(rule.allows(`file://${wh}/link-out/t`), 'by its text the link is inside');
    await assert.rejects(rule.check(`file://${wh}/link-out/t/metadata/v1.metadata.json`, 'location'), /symbolic link/);
    await assert.rejects(rule.check(`file://${wh}/link-out`, 'location'), /symbolic link/);
    await rule.check(`file://${wh}/link-in/t/metadata/v1.metadata.json`, 'location');
    await rule.check(`file://${wh}/not-yet/there/t`, 'location');
  });

  it('refuses a table at a root itself, whose purge would empty the root', async () => {
    await assert.rejects(rule.checkTable({ location: `file://${wh}`, properties: {} }), /allowed root itself/);
    await assert.rejects(rule.checkTable({ location: 's3://bucket/prefix/', properties: {} }), /allowed root itself/);
    await assert.rejects(rule.checkTable({ location: `file://${wh}/t`, properties: { 'write.data.path': 'file:///tmp/data' } }), /properties\.write\.data\.path/);
    await rule.checkTable({ location: `file://${wh}/t`, properties: { 'write.metadata.path': `file://${extra}/t/md` } });
  });

  it('guards every access of a FileIO, reads included', async () => {
    const io = new FileIO((root) => openObjectStore(root, { region: 'us-east-1', forcePathStyle: true }), path.join(dir, 'cache'), rule);
    await io.write(`file://${wh}/ns.db/t/x.json`, '{}');
    assert.equal(new TextDecoder().decode(await io.read(`file://${wh}/ns.db/t/x.json`)), '{}');
    const unguarded = new FileIO((root) => openObjectStore(root, { region: 'us-east-1', forcePathStyle: true }), path.join(dir, 'cache'));
    await unguarded.write(`file://${outside}/secret.json`, '{"secret":1}');
    for (const attempt of [
      () => io.read(`file://${outside}/secret.json`),
      () => io.read(`file://${wh}/link-out/secret.json`),
      () => io.write(`file://${outside}/new.json`, '{}'),
      () => io.exists(`file://${outside}/secret.json`),
      () => io.delete(`file://${outside}/secret.json`),
      () => io.list(`file://${outside}`),
      () => io.localPath(`file://${outside}/secret.json`),
    ]) {
      await assert.rejects(attempt(), LocationNotAllowedError);
    }
    assert.ok(await unguarded.exists(`file://${outside}/secret.json`), 'nothing outside was deleted');
  });
});
