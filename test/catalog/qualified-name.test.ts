import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QualifiedName } from '../../src/catalog/qualified-name.ts';
import { makePartitionName, parsePartitionName } from '../../src/catalog/partition-name.ts';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';

describe('QualifiedName', () => {
  it('parses c, c/d, c/d/t and partitions whose names contain slashes', () => {
    assert.equal(QualifiedName.parse('prodhive').type, 'CATALOG');
    assert.equal(QualifiedName.parse('prodhive/dse').type, 'DATABASE');
    const table = QualifiedName.parse(' ProdHive/DSE/Playback ');
    assert.equal(table.type, 'TABLE');
    assert.equal(table.toString(), 'prodhive/dse/playback');
    const partition = QualifiedName.parse('prodhive/dse/playback/dateint=20240101/hour=3');
    assert.equal(partition.type, 'PARTITION');
    assert.equal(partition.partitionName, 'dateint=20240101/hour=3');
    assert.equal(partition.table.toString(), 'prodhive/dse/playback');
    assert.equal(QualifiedName.parse('c/d/t/myview').type, 'MVIEW');
  });

  it('lower-cases catalog, database and table names unless the catalog keeps case; partitions keep case', () => {
    assert.equal(QualifiedName.ofTable('H', 'Db', 'Tbl').toString(), 'h/db/tbl');
    assert.equal(QualifiedName.ofTable('cde_Sales', 'Db', 'Tbl').toString(), 'cde_sales/Db/Tbl');
    assert.equal(QualifiedName.ofTable('mydruid', 'Db', 'Tbl').toString(), 'mydruid/Db/Tbl');
    assert.equal(QualifiedName.ofPartition('h', 'd', 't', 'Region=EU').partitionName, 'Region=EU');
  });

  it('reads and writes the JSON form', () => {
    const name = QualifiedName.fromJson({ catalogName: 'h', databaseName: 'd', tableName: 't', partitionName: '' });
    assert.deepEqual(name.toJSON(), { qualifiedName: 'h/d/t', catalogName: 'h', databaseName: 'd', tableName: 't' });
    assert.equal(QualifiedName.fromJson({ qualifiedName: 'h/d/t/one=1' }).partitionName, 'one=1');
  });

  it('refuses illegal characters, naming the part', () => {
    const cases: Array<[() => unknown, RegExp, string]> = [
      [() => QualifiedName.ofTable('h', 'd', 'a;b'), /^Table name "a;b" contains ";"/, 'tableName'],
      [() => QualifiedName.ofDatabase('h', 'x\ny'), /^Database name "x\\ny" contains "\\n"/, 'databaseName'],
      [() => QualifiedName.ofCatalog(''), /^Catalog name must not be empty/, 'catalogName'],
      [() => QualifiedName.ofTable('h', 'd', 'x'.repeat(256)), /at most 255/, 'tableName'],
      [() => QualifiedName.ofPartition('h', 'd', 't', 'a=\u0001'), /control character/, 'partitionName'],
      [() => QualifiedName.parse('h//t'), /^Database name must not be empty/, 'databaseName'],
      [() => QualifiedName.fromJson({ catalogName: 'h', tableName: 't' }), /A table name needs a database name/, 'databaseName'],
    ];
    for (const [make, message, field] of cases) {
      assert.throws(make, (error: unknown) => error instanceof InvalidInputError && message.test(error.message) && error.field === field);
    }
  });
});

describe('Hive partition names', () => {
  const keys = [{ name: 'dateint', type: 'int' }, { name: 'path', type: 'string' }];
  it('checks keys in order, unescapes values and keeps the table key spelling', () => {
    const parsed = parsePartitionName('DATEINT=20240101/path=a%2Fb%3Dc', keys, 'h/d/t');
    assert.deepEqual(parsed, { name: 'dateint=20240101/path=a%2Fb%3Dc', values: ['20240101', 'a/b=c'] });
    assert.equal(makePartitionName(['dateint', 'path'], ['20240101', 'a/b=c']), 'dateint=20240101/path=a%2Fb%3Dc');
  });
  it('refuses wrong keys, empty values and non-numbers for numeric keys', () => {
    assert.throws(() => parsePartitionName('path=x/dateint=1', keys, 'h/d/t'), /expected key 'dateint' at part 1, found 'path'/);
    assert.throws(() => parsePartitionName('dateint=/path=x', keys, 'h/d/t'), /cannot be null or empty/);
    assert.throws(() => parsePartitionName('dateint=x/path=x', keys, 'h/d/t'), /"x" for key 'dateint' is not a number/);
    assert.doesNotThrow(() => parsePartitionName('dateint=__HIVE_DEFAULT_PARTITION__/path=x', keys, 'h/d/t'));
  });
});
