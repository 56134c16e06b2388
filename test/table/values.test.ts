import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PrimitiveType } from '../../src/table/iceberg-type.ts';
import {
  compareValues,
  deserializeValue,
  formatValue,
  fromTwosComplement,
  minimalTwosComplement,
  serializeValue,
  toIcebergValue,
  type IcebergValue,
} from '../../src/table/values.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Appendix D "Binary single-value serialization" (the form of bounds and partition summaries), each
 * type with the bytes the spec's rule gives for one value: little-endian ints, longs, floats and
 * doubles; days and microseconds; UTF-8 without length; the UUID's 16 big-endian bytes; a decimal's
 * unscaled value as minimal two's-complement big-endian.
 */
const APPENDIX_D: readonly { type: PrimitiveType; literal: unknown; bytes: string }[] = [
  { type: { kind: 'boolean' }, literal: false, bytes: '00' },
  { type: { kind: 'boolean' }, literal: true, bytes: '01' },
  { type: { kind: 'int' }, literal: 34, bytes: '22000000' },
  { type: { kind: 'int' }, literal: -1, bytes: 'ffffffff' },
  { type: { kind: 'long' }, literal: 34n, bytes: '2200000000000000' },
  { type: { kind: 'float' }, literal: 1, bytes: '0000803f' },
  { type: { kind: 'double' }, literal: 1, bytes: '000000000000f03f' },
  { type: { kind: 'date' }, literal: '2017-11-16', bytes: Buffer.from(new Int32Array([17486]).buffer).toString('hex') },
  { type: { kind: 'time' }, literal: '22:31:08', bytes: le64(81068000000n) },
  { type: { kind: 'timestamp' }, literal: '2017-11-16T22:31:08', bytes: le64(1510871468000000n) },
  { type: { kind: 'timestamptz' }, literal: '2017-11-16T14:31:08-08:00', bytes: le64(1510871468000000n) },
  { type: { kind: 'string' }, literal: 'iceberg', bytes: Buffer.from('iceberg').toString('hex') },
  { type: { kind: 'string' }, literal: 'é', bytes: 'c3a9' },
  { type: { kind: 'uuid' }, literal: 'f79c3e09-677c-4bbd-a479-3f349cb785e7', bytes: 'f79c3e09677c4bbda4793f349cb785e7' },
  { type: { kind: 'fixed', length: 4 }, literal: '00010203', bytes: '00010203' },
  { type: { kind: 'binary' }, literal: '000102ff', bytes: '000102ff' },
  { type: { kind: 'decimal', precision: 9, scale: 2 }, literal: '14.20', bytes: '058c' },
  { type: { kind: 'decimal', precision: 9, scale: 2 }, literal: '-14.20', bytes: 'fa74' },
  { type: { kind: 'decimal', precision: 9, scale: 2 }, literal: '1.27', bytes: '7f' },
  { type: { kind: 'decimal', precision: 9, scale: 2 }, literal: '1.28', bytes: '0080' },
];

function le64(v: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(v);
  return b.toString('hex');
}

describe('single-value serialization: Iceberg spec Appendix D', () => {
  for (const { type, literal, bytes } of APPENDIX_D) {
    it(`${type.kind} ${String(literal)} ↔ ${bytes}`, () => {
      const value = toIcebergValue(type, literal, 'literal');
      const serialized = serializeValue(type, value);
      assert.equal(hex(serialized), bytes);
      assert.deepEqual(deserializeValue(type, serialized), value);
    });
  }

  it('reads any non-zero byte as true', () => {
    assert.equal(deserializeValue({ kind: 'boolean' }, new Uint8Array([0x02])), true);
  });

  it('reads bounds written before a promotion at their old width (int → long, float → double)', () => {
    assert.equal(deserializeValue({ kind: 'long' }, serializeValue({ kind: 'int' }, -5)), -5n);
    assert.equal(deserializeValue({ kind: 'double' }, serializeValue({ kind: 'float' }, 1.5)), 1.5);
  });

  it('uses as few two’s-complement bytes as the unscaled value needs, at every width boundary', () => {
    const cases: [bigint, string][] = [
      [0n, '00'],
      [127n, '7f'],
      [128n, '0080'],
      [-128n, '80'],
      [-129n, 'ff7f'],
      [32767n, '7fff'],
      [32768n, '008000'],
    ];
    for (const [value, bytes] of cases) {
      assert.equal(hex(minimalTwosComplement(value)), bytes, String(value));
      assert.equal(fromTwosComplement(minimalTwosComplement(value)), value);
    }
  });
});

describe('values: parsing literals, ordering and display', () => {
  it('names the input and the type when a literal does not fit', () => {
    assert.throws(() => toIcebergValue({ kind: 'int' }, 2 ** 31, 'filter.value'), /filter\.value: 2147483648 is not a valid int value/);
    assert.throws(() => toIcebergValue({ kind: 'decimal', precision: 4, scale: 2 }, '123.45', 'v'), /is not a valid decimal\(4,\s?2\) value/);
    assert.throws(() => toIcebergValue({ kind: 'fixed', length: 4 }, '0001', 'v'), /not a valid fixed\[4\] value/);
    assert.throws(() => toIcebergValue({ kind: 'uuid' }, 'not-a-uuid', 'v'), /not a valid uuid value/);
  });

  it('orders strings by their UTF-8 bytes (the order bounds are kept in), binary by bytes, numbers across widths', () => {
    const string: PrimitiveType = { kind: 'string' };
    // By UTF-8 bytes U+FFFD (EF BF BD) comes before U+1F600 (F0 9F 98 80), though its UTF-16 unit FFFD is after D83D.
    assert.ok(compareValues(string, '\uFFFD', '😀') < 0);
    assert.ok(compareValues(string, 'Z', 'a') < 0);
    assert.ok(compareValues({ kind: 'binary' }, new Uint8Array([1, 2]), new Uint8Array([1, 2, 0])) < 0);
    assert.equal(compareValues({ kind: 'long' }, 5 as IcebergValue, 5n), 0);
  });

  it('shows values as the spec’s JSON single-value forms do (dates, timestamps, decimals, uuids)', () => {
    assert.equal(formatValue({ kind: 'date' }, 17486), '2017-11-16');
    assert.equal(formatValue({ kind: 'decimal', precision: 9, scale: 2 }, 1420n), '14.20');
    assert.equal(formatValue({ kind: 'uuid' }, 'f79c3e09-677c-4bbd-a479-3f349cb785e7'), 'f79c3e09-677c-4bbd-a479-3f349cb785e7');
    assert.match(formatValue({ kind: 'timestamp' }, 1510871468123456n), /^2017-11-16[T ]22:31:08\.123456$/);
  });
});
