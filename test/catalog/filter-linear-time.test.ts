import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilter } from '../../src/catalog/filter/filter-evaluator.ts';
import { parseFilter } from '../../src/catalog/filter/filter-parser.ts';
import { bindFilter, type FilterSchema } from '../../src/catalog/filter/filter-schema.ts';
import { FilterSyntaxError } from '../../src/catalog/filter/filter-syntax-error.ts';
import { MAX_PATTERN_LENGTH } from '../../src/catalog/filter/linear-regex.ts';

// Issue 10 item 4: MATCHES (and LIKE, evaluated in memory) must not let a crafted pattern stall the
// node. Each value below is one a backtracking engine (JavaScript's RegExp) needs exponential or
// high-polynomial time for: 2^5000 steps for `(a+)+$`, n^9 for nine `%`. With the linear engine
// each is one pass; before it, these tests never returned.

const SCHEMA: FilterSchema = { subject: 'table c/d/t', variables: [{ name: 'k', numeric: false }] };
const test = (filter: string, value: string) => compileFilter(bindFilter(parseFilter(filter), SCHEMA))([value]);
const A = 'a'.repeat(5000);

describe('MATCHES and LIKE run in linear time', () => {
  it('answers catastrophic-backtracking patterns over crafted values', () => {
    assert.equal(test("k matches '(a+)+$'", `${A}!`), false);
    assert.equal(test("k matches '(a+)+$'", A), true);
    assert.equal(test("k matches '(a|aa)*b'", A), false);
    assert.equal(test("k matches '(a*)*(b|c)'", `${A}d`), false);
    assert.equal(test("k matches '(.*a){12}'", `${A}b`), false);
  });

  it('answers LIKE patterns with many wildcards over long values', () => {
    assert.equal(test("k like '%a%a%a%a%a%a%a%a%a%b'", A), false);
    assert.equal(test("k like '%a%a%a%a%a%a%a%a%a%b'", `${A}b`), true);
    assert.equal(test("k like '_%_%_%_%_%_%_%_%!'", A), false);
  });

  it('keeps the meaning of whole-value MATCHES and LIKE', () => {
    assert.equal(test("k matches 'a.b'", 'axb'), true);
    assert.equal(test("k matches 'a'", 'ab'), false);
    assert.equal(test("k matches '[0-9]+'", '2024'), true);
    assert.equal(test("k like 'a\\%b'", 'a%b'), true);
    assert.equal(test("k like 'a%'", 'a\nb'), true, 'LIKE % spans newlines');
    assert.equal(test("k matches 'Ü.'", 'Ün'), true, 'Unicode code points');
  });

  it('refuses what no linear engine can run, and over-long patterns, naming the position', () => {
    const refused: Array<[string, RegExp]> = [
      ["k matches '(a)\\1'", /^Invalid regular expression at position 10: .*backreferences/],
      ["k matches '(?=a)a'", /^Invalid regular expression at position 10/],
      ["k matches '(?<!a)b'", /^Invalid regular expression at position 10/],
      [`k matches '${'a'.repeat(MAX_PATTERN_LENGTH + 1)}'`, new RegExp(`^Pattern at position 10 is ${MAX_PATTERN_LENGTH + 1} characters long; at most ${MAX_PATTERN_LENGTH}`)],
    ];
    for (const [filter, message] of refused) {
      assert.throws(
        () => parseFilter(filter),
        (error: unknown) => error instanceof FilterSyntaxError && message.test(error.message),
        filter.slice(0, 40),
      );
    }
  });
});
