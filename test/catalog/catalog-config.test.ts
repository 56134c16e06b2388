import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { configuredCatalogs } from '../../src/catalog/catalog-area.ts';
import { loadConfig } from '../../src/config/config.ts';

describe('catalog configuration', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-catalog-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const load = (yaml: string) => {
    const file = path.join(dir, `c${Math.random().toString(16).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    return loadConfig({ QUARRY_CONFIG: file, QUARRY_HOME: dir }, dir);
  };

  it('adds the warehouse catalog when the file names none, and keeps a configured one', () => {
    assert.deepEqual(configuredCatalogs(load('port: 1\n')).map((c) => c.name), ['warehouse']);
    const config = load(`catalogs:
  - name: shop
    connector: postgresql
    url: postgres://u@127.0.0.1/shop
    webhooks: [{ url: "http://127.0.0.1:9/hook", events: [PARTITION_ADD] }]
  - name: local
    connector: sqlite
    path: data/local.db
catalog:
  partitionListLimit: 100
`);
    assert.deepEqual(configuredCatalogs(config).map((c) => `${c.name}:${c.connector}`), ['warehouse:warehouse', 'shop:postgresql', 'local:sqlite']);
    assert.equal(config.catalogs![1]!.path, path.join(dir, 'data/local.db'));
    assert.equal(config.catalog!.partitionListLimit, 100);
    assert.deepEqual(configuredCatalogs(load('catalogs: [{ name: warehouse, connector: warehouse, createAcl: { sales: [amy] } }]\n')).map((c) => c.createAcl), [{ sales: ['amy'] }]);
  });

  it('names the bad setting', () => {
    assert.throws(() => load('catalogs: [{ name: a, connector: postgresql }]\n'), /catalogs\.0\.url must be a postgres:\/\/ URL/);
    assert.throws(() => load('catalogs: [{ name: a, connector: mysql, url: "postgres://x" }]\n'), /catalogs\.0\.url must be a mysql:\/\/ URL/);
    assert.throws(() => load('catalogs: [{ name: a, connector: sqlite }]\n'), /catalogs\.0\.path is required/);
    assert.throws(() => load('catalogs: [{ name: a, connector: warehouse }, { name: a, connector: warehouse }]\n'), /catalogs\.1\.name repeats the catalog name "a"/);
    assert.throws(() => load('catalogs: [{ name: A, connector: warehouse }]\n'), /catalogs\.0\.name/);
    assert.throws(() => load('catalogs: [{ name: a, connector: oracle }]\n'), /catalogs\.0\.connector/);
    assert.throws(() => load('catalog: { partitionLimit: 3 }\n'), /partitionLimit is not a known setting/);
  });
});
