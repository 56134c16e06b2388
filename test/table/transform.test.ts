import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PrimitiveType } from '../../src/table/iceberg-type.ts';
import { applyTransform, canApply, checkTransform, humanValue, parseTransform, resultType, transformToString } from '../../src/table/transform.ts';
import { toIcebergValue } from '../../src/table/values.ts';

const T = (text: string) => parseTransform(text);
const ts: PrimitiveType = { kind: 'timestamp' };
const value = (type: PrimitiveType, literal: unknown) => toIcebergValue(type, literal, 'literal');

describe('partition transforms (spec "Partition Transforms")', () => {
  it('buckets by (hash & Integer.MAX_VALUE) % N with Appendix B’s hashes', () => {
    // 34 → 2017239379; "iceberg" → 1210000089; 14.20 → -500754589 (negative: the sign bit is masked off).
    assert.equal(applyTransform(T('bucket[100]'), { kind: 'long' }, 34n), 2017239379 % 100);
    assert.equal(applyTransform(T('bucket[100]'), { kind: 'int' }, 34), 79);
    assert.equal(applyTransform(T('bucket[16]'), { kind: 'string' }, 'iceberg'), 1210000089 % 16);
    assert.equal(applyTransform(T('bucket[7]'), { kind: 'decimal', precision: 9, scale: 2 }, 1420n), (-500754589 & 0x7fffffff) % 7);
    assert.equal(applyTransform(T('bucket[1000]'), ts, value(ts, '2017-11-16T22:31:08')), (-2047944441 & 0x7fffffff) % 1000);
  });

  it('truncates as the spec’s "Truncate Transform Details" table shows', () => {
    assert.equal(applyTransform(T('truncate[10]'), { kind: 'int' }, 1), 0);
    assert.equal(applyTransform(T('truncate[10]'), { kind: 'int' }, -1), -10);
    assert.equal(applyTransform(T('truncate[10]'), { kind: 'long' }, 1n), 0n);
    assert.equal(applyTransform(T('truncate[10]'), { kind: 'long' }, -1n), -10n);
    // decimal(…,2) with W=50: 10.65 → 10.50 (on the unscaled value 1065 → 1050).
    assert.equal(applyTransform(T('truncate[50]'), { kind: 'decimal', precision: 9, scale: 2 }, 1065n), 1050n);
    assert.equal(applyTransform(T('truncate[3]'), { kind: 'string' }, 'iceberg'), 'ice');
    assert.deepEqual(applyTransform(T('truncate[3]'), { kind: 'binary' }, new Uint8Array([1, 2, 3, 4, 5])), new Uint8Array([1, 2, 3]));
    assert.equal(applyTransform(T('truncate[2]'), { kind: 'string' }, '😀😀😀'), '😀😀', 'strings truncate by code points, not UTF-16 units');
  });

  it('maps dates and timestamps to years, months, days and hours from the epoch, flooring before 1970', () => {
    const at = value(ts, '2017-11-16T22:31:08');
    assert.equal(applyTransform(T('year'), ts, at), 47);
    assert.equal(applyTransform(T('month'), ts, at), 47 * 12 + 10);
    assert.equal(applyTransform(T('day'), ts, at), 17486);
    assert.equal(applyTransform(T('hour'), ts, at), 17486 * 24 + 22);
    assert.equal(applyTransform(T('day'), { kind: 'date' }, 17486), 17486);
    const justBefore = -1n; // 1969-12-31T23:59:59.999999
    assert.equal(applyTransform(T('hour'), ts, justBefore), -1);
    assert.equal(applyTransform(T('day'), ts, justBefore), -1);
    assert.equal(applyTransform(T('month'), ts, justBefore), -1);
    assert.equal(applyTransform(T('year'), ts, justBefore), -1);
  });

  it('names partition folders as Iceberg writers do', () => {
    const at = value(ts, '2017-11-16T22:31:08');
    const human = (t: string) => humanValue(T(t), ts, applyTransform(T(t), ts, at));
    assert.deepEqual(['year', 'month', 'day', 'hour'].map(human), ['2017', '2017-11', '2017-11-16', '2017-11-16-22']);
    assert.equal(humanValue(T('month'), ts, -1), '1969-12');
    assert.equal(humanValue(T('identity'), ts, null), 'null');
  });

  it('keeps nulls null, and void always null', () => {
    assert.equal(applyTransform(T('bucket[4]'), { kind: 'int' }, null), null);
    assert.equal(applyTransform(T('void'), { kind: 'int' }, 5), null);
  });

  it('applies only to the source types the spec allows, and says which', () => {
    assert.equal(canApply(T('bucket[4]'), { kind: 'double' }), false);
    assert.equal(canApply(T('truncate[4]'), { kind: 'double' }), false);
    assert.equal(canApply(T('hour'), { kind: 'date' }), false);
    assert.equal(canApply(T('day'), { kind: 'timestamptz' }), true);
    assert.throws(() => checkTransform(T('hour'), { kind: 'date' }, 'spec.fields[0]'), /spec\.fields\[0\]: transform hour does not apply to a date column/);
  });

  it('parses and prints transforms, refusing unknown ones and zero widths', () => {
    assert.equal(transformToString(parseTransform(' Bucket[ 16 ] ')), 'bucket[16]');
    assert.deepEqual(resultType(T('day'), ts), { kind: 'date' });
    assert.deepEqual(resultType(T('bucket[2]'), { kind: 'string' }), { kind: 'int' });
    assert.throws(() => parseTransform('bucket[0]', 'partition[1]'), /partition\[1\]: unknown transform "bucket\[0\]"/);
    assert.throws(() => parseTransform('week'), /use identity, year, month, day, hour, bucket\[N\], truncate\[W\] or void/);
  });
});
