import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'quarry-config-'));

describe('configuration', () => {
  it('defaults to embedded SQLite and a file warehouse under ./.quarry', () => {
    const config = loadConfig({}, cwd);
    assert.equal(config.home, path.join(cwd, '.quarry'));
    assert.equal(config.port, 8080);
    assert.deepEqual(config.database, { kind: 'sqlite', path: path.join(cwd, '.quarry', 'quarry.db') });
    assert.equal(config.warehouse, pathToFileURL(path.join(cwd, '.quarry', 'warehouse')).href);
  });

  it('reads QUARRY_HOME, QUARRY_PORT, QUARRY_DATABASE_URL and QUARRY_WAREHOUSE', () => {
    const config = loadConfig(
      {
        QUARRY_HOME: 'state',
        QUARRY_PORT: '9090',
        QUARRY_DATABASE_URL: 'postgres://q:secret@db.internal:5432/quarry',
        QUARRY_WAREHOUSE: 's3://analytics-warehouse/prod/',
      },
      cwd,
    );
    assert.equal(config.home, path.join(cwd, 'state'));
    assert.equal(config.port, 9090);
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://q:secret@db.internal:5432/quarry' });
    assert.equal(config.warehouse, 's3://analytics-warehouse/prod');
  });

  it('accepts an explicit sqlite: URL and a plain folder as warehouse', () => {
    const config = loadConfig({ QUARRY_DATABASE_URL: 'sqlite:meta/q.db', QUARRY_WAREHOUSE: 'wh' }, cwd);
    assert.deepEqual(config.database, { kind: 'sqlite', path: path.join(cwd, 'meta/q.db') });
    assert.equal(config.warehouse, pathToFileURL(path.join(cwd, 'wh')).href);
  });

  it('reads the allowed table locations from QUARRY_WAREHOUSE_ALLOWED_LOCATIONS or the file (warehouseAllowedLocations)', () => {
    assert.deepEqual(loadConfig({}, cwd).warehouseAllowedLocations, []);
    const fromEnv = loadConfig({ QUARRY_WAREHOUSE_ALLOWED_LOCATIONS: 's3://shared-lake/iceberg/, file:///data/iceberg,extra' }, cwd);
    assert.deepEqual(fromEnv.warehouseAllowedLocations, ['s3://shared-lake/iceberg', 'file:///data/iceberg', pathToFileURL(path.join(cwd, 'extra')).href]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-config-file-'));
    const file = path.join(dir, 'quarry.yaml');
    writeFileSync(file, 'warehouseAllowedLocations:\n  - s3://shared-lake/iceberg\n');
    assert.deepEqual(loadConfig({ QUARRY_CONFIG: file }, cwd).warehouseAllowedLocations, ['s3://shared-lake/iceberg']);
    assert.deepEqual(loadConfig({ QUARRY_CONFIG: file, QUARRY_WAREHOUSE_ALLOWED_LOCATIONS: 's3://other-lake' }, cwd).warehouseAllowedLocations, ['s3://other-lake']);
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ QUARRY_WAREHOUSE_ALLOWED_LOCATIONS: 'hdfs://nn/x' }, /QUARRY_WAREHOUSE_ALLOWED_LOCATIONS must be a file:\/\/ or s3:\/\/ URI/],
    [{ QUARRY_WAREHOUSE_ALLOWED_LOCATIONS: 's3://lake/a/../b' }, /QUARRY_WAREHOUSE_ALLOWED_LOCATIONS must not contain '.' or '..' segments/],
    [{ QUARRY_PORT: 'eighty' }, /^Invalid configuration: QUARRY_PORT must be an integer from 0 to 65535 \(got "eighty"\)$/],
    [{ QUARRY_PORT: '70000' }, /QUARRY_PORT/],
    [{ QUARRY_DATABASE_URL: 'mysql://root:pw@x/db' }, /^Invalid configuration: QUARRY_DATABASE_URL must start with postgres:\/\/.*root:\*\*\*@/],
    [{ QUARRY_WAREHOUSE: 'hdfs://nn/warehouse' }, /QUARRY_WAREHOUSE must be a file:\/\/ or s3:\/\/ URI/],
    [{ QUARRY_WAREHOUSE: 's3://Bad_Bucket' }, /QUARRY_WAREHOUSE must be s3:\/\/bucket/],
    [{ QUARRY_LOG_LEVEL: 'loud' }, /QUARRY_LOG_LEVEL must be one of/],
    [{ QUARRY_AGENT_TOKEN: 'changeme' }, /^Invalid configuration: QUARRY_AGENT_TOKEN must be at least 16 characters \(got 8\)$/],
    [{ QUARRY_AGENT_TOKEN: 'a long secret with spaces' }, /QUARRY_AGENT_TOKEN must not contain whitespace/],
    [{ QUARRY_S3_PART_SIZE_BYTES: '1024' }, /QUARRY_S3_PART_SIZE_BYTES must be a whole number of bytes from 5242880/],
    [{ QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS: 'soon' }, /QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS must be a number of seconds from 0 \(no deadline\) to 3600 \(got "soon"\)/],
    [{ QUARRY_CONFIG: 'missing.yaml' }, /QUARRY_CONFIG names .*missing.yaml, which does not exist/],
  ];
  for (const [env, message] of bad) {
    it(`rejects ${JSON.stringify(env)} with one line naming the setting`, () => {
      assert.throws(() => loadConfig(env, cwd), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'), 'one line');
        assert.ok(!error.message.includes('secret'), 'no password');
        return true;
      });
    });
  }

  it('takes the PostgreSQL statement deadline from QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS', () => {
    const config = loadConfig({ QUARRY_DATABASE_URL: 'postgres://u@h/db', QUARRY_DATABASE_STATEMENT_TIMEOUT_SECONDS: '2.5' }, cwd);
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u@h/db', statementTimeoutMs: 2500 });
  });

  it('reads a YAML file and lets the environment win over it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-config-file-'));
    const file = path.join(dir, 'quarry.yaml');
    writeFileSync(file, 'port: 7070\nlogLevel: debug\nhttp:\n  bodyLimitBytes: 2048\n');
    const fromFile = loadConfig({ QUARRY_CONFIG: file }, cwd);
    assert.equal(fromFile.port, 7070);
    assert.equal(fromFile.logLevel, 'debug');
    assert.equal(fromFile.http.bodyLimitBytes, 2048);
    assert.equal(loadConfig({ QUARRY_CONFIG: file, QUARRY_PORT: '6060' }, cwd).port, 6060);
  });

  it('finds quarry.yaml in QUARRY_HOME', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-home-'));
    writeFileSync(path.join(home, 'quarry.yaml'), 'port: 7171\n');
    assert.equal(loadConfig({ QUARRY_HOME: home }, cwd).port, 7171);
  });

  it('rejects unknown keys and wrong types in the file, naming them', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-config-file-'));
    const typo = path.join(dir, 'typo.yaml');
    writeFileSync(typo, 'prot: 7070\n');
    assert.throws(() => loadConfig({ QUARRY_CONFIG: typo }, cwd), /typo\.yaml: prot is not a known setting/);
    const wrong = path.join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ http: { bodyLimitBytes: 'big' } }));
    assert.throws(() => loadConfig({ QUARRY_CONFIG: wrong }, cwd), /wrong\.json: http\.bodyLimitBytes must be integer/);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"port": ');
    assert.throws(() => loadConfig({ QUARRY_CONFIG: broken }, cwd), /broken\.json cannot be parsed/);
  });
});
