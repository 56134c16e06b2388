import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileContent, type DataFile } from '../../src/table/data-file.ts';
import { evaluateTuple, fileAllMatch, fileMightMatch, manifestMightMatch } from '../../src/table/evaluators.ts';
import { and, bind, bindWith, eq, gt, gtEq, isIn, isNull, lt, ltEq, not, notEq, notIn, notNull, or, type Expression } from '../../src/table/expression.ts';
import { summarize } from '../../src/table/manifest-io.ts';
import { Schema } from '../../src/table/schema.ts';
import { serializeValue } from '../../src/table/values.ts';

// id long (field 1), name string (field 2)
const schema = Schema.fromColumns([
  { name: 'id', type: 'long', required: true },
  { name: 'name', type: 'string' },
]);
const b = (expr: Expression) => bind(expr, schema);
const long = (v: bigint) => serializeValue({ kind: 'long' }, v);
const str = (v: string) => serializeValue({ kind: 'string' }, v);

/** A data file holding ids 10..20 and names "b".."m", 100 rows, `nameNulls` of them without a name. */
function file(nameNulls = 0): DataFile {
  return {
    content: FileContent.Data,
    filePath: 'file:///t/data/f.parquet',
    fileFormat: 'PARQUET',
    specId: 0,
    partition: [],
    recordCount: 100,
    fileSizeInBytes: 1,
    valueCounts: new Map([[1, 100], [2, 100]]),
    nullValueCounts: new Map([[1, 0], [2, nameNulls]]),
    lowerBounds: new Map([[1, long(10n)], [2, str('b')]]),
    upperBounds: new Map([[1, long(20n)], [2, str('m')]]),
  };
}

describe('metrics evaluation (inclusive: might a row match?)', () => {
  const cases: [string, Expression, boolean][] = [
    ['eq inside the bounds', eq('id', 15), true],
    ['eq below the lower bound', eq('id', 9), false],
    ['eq above the upper bound', eq('id', 21), false],
    ['lt the lower bound', lt('id', 10), false],
    ['ltEq the lower bound', ltEq('id', 10), true],
    ['gt the upper bound', gt('id', 20), false],
    ['gtEq the upper bound', gtEq('id', 20), true],
    ['in, one value inside', isIn('id', [1, 15]), true],
    ['in, all outside', isIn('id', [1, 25]), false],
    ['notEq never prunes', notEq('id', 15), true],
    ['notIn never prunes', notIn('id', [15]), true],
    ['string by bytes', eq('name', 'n'), false],
    ['isNull with no nulls', isNull('name'), false],
    ['and prunes when one side does', and(eq('id', 15), eq('name', 'z')), false],
    ['or keeps when one side may match', or(eq('id', 99), eq('name', 'c')), true],
    ['not is pushed into the predicate', not(gtEq('id', 10)), false],
  ];
  for (const [what, expr, expected] of cases) it(what, () => assert.equal(fileMightMatch(b(expr), file()), expected));

  it('a column without statistics cannot prune', () => {
    const bare: DataFile = { ...file(), lowerBounds: new Map(), upperBounds: new Map(), nullValueCounts: new Map(), valueCounts: new Map() };
    assert.equal(fileMightMatch(b(eq('id', 999)), bare), true);
    assert.equal(fileMightMatch(b(isNull('name')), bare), true);
  });

  it('an all-null column matches only isNull', () => {
    const allNull: DataFile = { ...file(100), lowerBounds: new Map([[1, long(10n)]]), upperBounds: new Map([[1, long(20n)]]) };
    assert.equal(fileMightMatch(b(isNull('name')), allNull), true);
    assert.equal(fileMightMatch(b(notNull('name')), allNull), false);
    assert.equal(fileMightMatch(b(eq('name', 'c')), allNull), false);
  });
});

describe('metrics evaluation (strict: does every row match?)', () => {
  it('proves range predicates from the bounds', () => {
    assert.equal(fileAllMatch(b(gtEq('id', 10)), file()), true);
    assert.equal(fileAllMatch(b(gt('id', 10)), file()), false);
    assert.equal(fileAllMatch(b(lt('id', 21)), file()), true);
    assert.equal(fileAllMatch(b(notEq('id', 5)), file()), true);
    assert.equal(fileAllMatch(b(notIn('id', [5, 25])), file()), true);
    assert.equal(fileAllMatch(b(and(gtEq('id', 10), ltEq('id', 20))), file()), true);
  });

  it('never proves equality on strings (bounds may be truncated), nor anything of a column with nulls', () => {
    const one: DataFile = { ...file(), lowerBounds: new Map([[2, str('c')]]), upperBounds: new Map([[2, str('c')]]) };
    assert.equal(fileAllMatch(b(eq('name', 'c')), one), false);
    assert.equal(fileAllMatch(b(lt('name', 'z')), file()), true);
    assert.equal(fileAllMatch(b(lt('name', 'z')), file(1)), false);
    assert.equal(fileAllMatch(b(notNull('name')), file()), true);
  });
});

describe('partition evaluation', () => {
  // Partition tuples bound by position: field 0 is a day (date), field 1 a bucket (int).
  const resolve = (column: string) => (column === 'day' ? { ref: 0, type: { kind: 'date' as const } } : { ref: 1, type: { kind: 'int' as const } });
  const bp = (expr: Expression) => bindWith(expr, resolve);

  it('evaluates a tuple, with null matching only isNull', () => {
    assert.equal(evaluateTuple(bp(and(eq('day', '2024-01-02'), isIn('bucket', [1, 3]))), [19724, 3]), true);
    assert.equal(evaluateTuple(bp(eq('bucket', 3)), [19724, null]), false);
    assert.equal(evaluateTuple(bp(notEq('bucket', 3)), [19724, null]), false);
    assert.equal(evaluateTuple(bp(isNull('bucket')), [19724, null]), true);
  });

  it('prunes manifests by their partition summaries', () => {
    const summaries = summarize([{ kind: 'date' }, { kind: 'int' }], [
      [19723, 0],
      [19725, 2],
    ]);
    assert.equal(manifestMightMatch(bp(eq('day', '2024-01-02')), summaries), true);
    assert.equal(manifestMightMatch(bp(eq('day', '2024-01-05')), summaries), false);
    assert.equal(manifestMightMatch(bp(gt('bucket', 2)), summaries), false);
    assert.equal(manifestMightMatch(bp(isNull('bucket')), summaries), false, 'no null in the summary');
    assert.equal(manifestMightMatch(bp(isNull('bucket')), summarize([{ kind: 'date' }, { kind: 'int' }], [[19723, null]])), true);
    assert.equal(manifestMightMatch(bp(eq('day', '2030-01-01')), undefined), true, 'no summaries: cannot prune');
  });
});
