import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PrimitiveType } from '../../src/table/iceberg-type.ts';
import { murmur3Long, murmur3x86_32 } from '../../src/table/murmur3.ts';
import { hashValue } from '../../src/table/transform.ts';
import { parseDate, parseTimestamp, toIcebergValue } from '../../src/table/values.ts';

/**
 * The Iceberg spec's own test values for the 32-bit hash (Appendix B "32-bit Hash Requirements"):
 * Murmur3, x86 variant, seed 0, over the bytes Appendix B names for each type.
 */
const APPENDIX_B: readonly { type: PrimitiveType; literal: unknown; hash: number }[] = [
  { type: { kind: 'int' }, literal: 34, hash: 2017239379 },
  { type: { kind: 'long' }, literal: 34n, hash: 2017239379 },
  { type: { kind: 'decimal', precision: 9, scale: 2 }, literal: '14.20', hash: -500754589 },
  { type: { kind: 'date' }, literal: '2017-11-16', hash: -653330422 },
  { type: { kind: 'time' }, literal: '22:31:08', hash: -662762989 },
  { type: { kind: 'timestamp' }, literal: '2017-11-16T22:31:08', hash: -2047944441 },
  { type: { kind: 'timestamp' }, literal: '2017-11-16T22:31:08.000001', hash: -1207196810 },
  { type: { kind: 'timestamptz' }, literal: '2017-11-16T14:31:08-08:00', hash: -2047944441 },
  { type: { kind: 'timestamptz' }, literal: '2017-11-16T14:31:08.000001-08:00', hash: -1207196810 },
  { type: { kind: 'string' }, literal: 'iceberg', hash: 1210000089 },
  { type: { kind: 'uuid' }, literal: 'f79c3e09-677c-4bbd-a479-3f349cb785e7', hash: 1488055340 },
  { type: { kind: 'fixed', length: 4 }, literal: new Uint8Array([0, 1, 2, 3]), hash: -188683207 },
  { type: { kind: 'binary' }, literal: new Uint8Array([0, 1, 2, 3]), hash: -188683207 },
];

describe('murmur3 and the bucket hash: Iceberg spec Appendix B test values', () => {
  for (const { type, literal, hash } of APPENDIX_B) {
    const shown = literal instanceof Uint8Array ? Buffer.from(literal).toString('hex') : String(literal);
    it(`${type.kind} ${shown} → ${hash}`, () => {
      assert.equal(hashValue(type, toIcebergValue(type, literal, 'literal')), hash);
    });
  }

  it('hashes an int exactly as the long of the same value (note 1: promotion keeps buckets)', () => {
    for (const v of [0, 1, -1, 34, 2 ** 31 - 1, -(2 ** 31)]) assert.equal(hashValue({ kind: 'int' }, v), hashValue({ kind: 'long' }, BigInt(v)));
  });

  it('hashes a long as its 8 little-endian bytes, whichever entry point', () => {
    for (const v of [34n, -1n, 2n ** 62n, -(2n ** 63n)]) {
      const bytes = Buffer.alloc(8);
      bytes.writeBigInt64LE(v);
      assert.equal(murmur3Long(v), murmur3x86_32(bytes));
    }
  });

  it('hashes the UUID as its 16 big-endian bytes (note 4)', () => {
    const bytes = Buffer.from('F79C3E09677C4BBDA4793F349CB785E7', 'hex');
    assert.equal(murmur3x86_32(bytes), 1488055340);
  });

  it('hashes a decimal by its unscaled value in as few bytes as hold it, whatever the scale (note 2)', () => {
    assert.equal(hashValue({ kind: 'decimal', precision: 9, scale: 2 }, 1420n), -500754589);
    assert.equal(hashValue({ kind: 'decimal', precision: 12, scale: 5 }, 1420n), -500754589);
    assert.equal(murmur3x86_32(new Uint8Array([0x05, 0x8c])), -500754589, '1420 = 0x058c, two bytes');
  });

  it('covers the block loop and the 2- and 3-byte tails with the spec’s vectors', () => {
    // "iceberg" is one 4-byte block and a 3-byte tail, 14.20's 0x058c a 2-byte tail, the others whole blocks.
    // (The spec has no 1-byte input; the empty input hashes to 0 by the algorithm's finalizer.)
    assert.equal(murmur3x86_32(Buffer.from('iceberg')), 1210000089);
    assert.equal(murmur3x86_32(new Uint8Array([0x05, 0x8c])), -500754589);
    assert.equal(murmur3x86_32(new Uint8Array([])), 0);
  });

  it('gives the values of the types the spec does not bucket, hashed as it defines them', () => {
    // Appendix B's second table: boolean as hashInt(0|1) (an int hashes as its long), float and double
    // as hashLong(doubleToLongBits(v)) with -0.0 made 0.0.
    assert.equal(murmur3Long(1n), 1392991556);
    const bits = (v: number) => {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Object.is(v, -0) ? 0 : v);
      return b.readBigInt64LE();
    };
    assert.equal(murmur3Long(bits(Math.fround(1))), -142385009);
    assert.equal(murmur3Long(bits(1)), -142385009);
    assert.equal(murmur3Long(bits(0)), 1669671676);
    assert.equal(murmur3Long(bits(-0)), 1669671676);
  });

  it('parses the spec’s date and time literals to the values it hashes', () => {
    assert.equal(parseDate('2017-11-16'), 17486);
    assert.equal(parseTimestamp('2017-11-16T22:31:08', false), 1510871468000000n);
    assert.equal(parseTimestamp('2017-11-16T14:31:08-08:00', true), 1510871468000000n);
  });
});
