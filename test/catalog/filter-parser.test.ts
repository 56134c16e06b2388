import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIVE_DEFAULT_PARTITION } from '../../src/catalog/filter/filter-ast.ts';
import { compileFilter } from '../../src/catalog/filter/filter-evaluator.ts';
import { parseFilter } from '../../src/catalog/filter/filter-parser.ts';
import { bindFilter, type FilterSchema } from '../../src/catalog/filter/filter-schema.ts';
import { FilterSyntaxError } from '../../src/catalog/filter/filter-syntax-error.ts';

/** Evaluates a filter over rows of key=value partition names, returning the names that match. */
function select(filter: string, schema: FilterSchema, names: string[]): string[] {
  const predicate = compileFilter(bindFilter(parseFilter(filter), schema));
  return names.filter((name) => {
    const values = new Map(name.split('/').map((part) => part.split('=') as [string, string]));
    return predicate(schema.variables.map((v) => values.get(v.name)!));
  });
}

// reference/metacat.md §8.10: pk1=even|odd / pk2=i / pk3=i%2 for i in 0..15
const CASE10: FilterSchema = {
  subject: 'table h/d/part',
  variables: [{ name: 'pk1', numeric: false }, { name: 'pk2', numeric: true }, { name: 'pk3', numeric: true }],
};
const CASE10_NAMES = Array.from({ length: 16 }, (_, i) => `pk1=${i % 2 === 0 ? 'even' : 'odd'}/pk2=${i}/pk3=${i % 2}`);

// §8.11 and §8.12: one=xyz / total=10..19, plus Hive null partitions under a hyphenated key.
const CASE11: FilterSchema = { subject: 'table h/d/part', variables: [{ name: 'one', numeric: false }, { name: 'total', numeric: true }] };
const CASE11_NAMES = Array.from({ length: 10 }, (_, i) => `one=xyz/total=${10 + i}`);
const CASE12: FilterSchema = {
  subject: 'table h/d/part',
  variables: [{ name: 'one-one', numeric: false }, { name: 'total', numeric: true }],
};
const CASE12_NAMES = [
  ...Array.from({ length: 10 }, (_, i) => `one-one=xyz/total=${i}`),
  ...Array.from({ length: 10 }, (_, i) => `one-one=${HIVE_DEFAULT_PARTITION}/total=${i}`),
  `one-one=${HIVE_DEFAULT_PARTITION}/total=${HIVE_DEFAULT_PARTITION}`,
];

describe('partition filter grammar', () => {
  describe('case 10: 16 partitions pk1=even|odd/pk2=i/pk3=i%2', () => {
    const count = (filter: string) => select(filter, CASE10, CASE10_NAMES).length;
    it('rejects an unquoted string with its position', () => {
      assert.throws(() => parseFilter('pk1=even'), {
        name: 'FilterSyntaxError',
        message: "Unexpected token 'even' at position 4: strings must be quoted",
      });
    });
    for (const [filter, expected] of [
      ['pk1="even"', 8], ['pk3=1', 8], ['pk3!=1', 8], ['pk3 <> 1', 8],
      ['pk1="even" or pk1="odd"', 16], ['pk1="even" and pk3=1', 0],
      ['(pk3 = 0) OR (pk3 = 1)', 16], ['-1 < pk3', 16], ['pk3 <= -1', 0],
      ['pk2 between 5 and 8', 4], ['pk2 between 5 and 5', 1],
    ] as const) {
      it(`${filter} → ${expected}`, () => assert.equal(count(filter), expected));
    }
    it('pk1="odd" and pk2=7 → exactly pk1=odd/pk2=7/pk3=1', () => {
      assert.deepEqual(select('pk1="odd" and pk2=7', CASE10, CASE10_NAMES), ['pk1=odd/pk2=7/pk3=1']);
    });
  });

  describe('case 11: 10 partitions one=xyz/total=10..19', () => {
    for (const [filter, expected] of [
      ["one=='xyz'", 10], ["one like 'xy_'", 10], ["one not like 'xy%'", 0],
      ['total in (18,19,20,21)', 2], ['total not in (18,19,20,21)', 8],
      ['total between 19 and 19', 1], ['total not between 0 and 20', 0],
      ["one=='xyz' and (total==11 or total==12)", 2],
    ] as const) {
      it(`${filter} → ${expected}`, () => assert.equal(select(filter, CASE11, CASE11_NAMES).length, expected));
    }
  });

  describe('case 12: __HIVE_DEFAULT_PARTITION__ and hyphenated keys', () => {
    for (const [filter, expected] of [
      ['one-one is null', 11], ['total is null', 1], ["one-one is null or one-one=='xyz'", 21],
      ['one-one is not null', 10], ['total is not null', 20],
    ] as const) {
      it(`${filter} → ${expected}`, () => assert.equal(select(filter, CASE12, CASE12_NAMES).length, expected));
    }
    it('a null value never matches a numeric comparison, not even !=', () => {
      // 21 partitions, two with total=3, one with a null total.
      assert.equal(select('total != 3', CASE12, CASE12_NAMES).length, 18);
    });
  });

  describe('grouping, keywords and literals', () => {
    it('groups AND and OR to the right with equal precedence, as Metacat does', () => {
      // a and b or c  ==  a and (b or c)
      assert.equal(select('pk1="odd" and pk3=0 or pk2=4', CASE10, CASE10_NAMES).length, 0);
      assert.equal(select('pk2=4 or pk1="odd" and pk3=0', CASE10, CASE10_NAMES).length, 1);
      assert.equal(select('(pk1="odd" and pk3=0) or pk2=4', CASE10, CASE10_NAMES).length, 1);
    });
    it('accepts && and ||, keywords in any case, and both quote styles', () => {
      assert.equal(select("pk1 = 'odd' && pk2 >= 13 || pk2 == 0", CASE10, CASE10_NAMES).length, 2);
      assert.equal(select('pk1 = "odd" AND pk2 BETWEEN 1 And 3', CASE10, CASE10_NAMES).length, 2);
    });
    it('negates single predicates and parenthesised expressions', () => {
      assert.equal(select('not pk1 = "odd"', CASE10, CASE10_NAMES).length, 8);
      assert.equal(select('not (pk1 = "odd" or pk2 < 4)', CASE10, CASE10_NAMES).length, 6);
    });
    it('compares numbers numerically only for numeric keys', () => {
      const schema: FilterSchema = { subject: 't', variables: [{ name: 'n', numeric: true }, { name: 's', numeric: false }] };
      const names = ['n=9/s=9', 'n=10/s=10', 'n=010/s=010'];
      assert.deepEqual(select('n > 9', schema, names), ['n=10/s=10', 'n=010/s=010']);
      assert.deepEqual(select('s > 9', schema, names), []);
      assert.deepEqual(select('s = 010', schema, names), ['n=010/s=010']);
      assert.deepEqual(select('n = 10', schema, names), ['n=10/s=10', 'n=010/s=010']);
      assert.deepEqual(select('n in (9, "010")', schema, names), ['n=9/s=9', 'n=010/s=010']);
    });
    it('reads floats, exponents and negative numbers', () => {
      const schema: FilterSchema = { subject: 't', variables: [{ name: 'x', numeric: true }] };
      const names = ['x=-1.5', 'x=0.25', 'x=2e3'];
      assert.deepEqual(select('x < -1', schema, names), ['x=-1.5']);
      assert.deepEqual(select('x between .2 and 2.5E3', schema, names), ['x=0.25', 'x=2e3']);
    });
    it('matches whole values with MATCHES and LIKE, with backslash escapes in LIKE', () => {
      const schema: FilterSchema = { subject: 't', variables: [{ name: 'k', numeric: false }] };
      const names = ['k=a_b', 'k=axb', 'k=50%', 'k=a.b'];
      assert.deepEqual(select("k like 'a\\_b'", schema, names), ['k=a_b']);
      assert.deepEqual(select("k like 'a_b'", schema, names), ['k=a_b', 'k=axb', 'k=a.b']);
      assert.deepEqual(select("k like '50\\%'", schema, names), ['k=50%']);
      assert.deepEqual(select("k matches 'a.b'", schema, names), ['k=a_b', 'k=axb', 'k=a.b']);
      assert.deepEqual(select("k matches 'a'", schema, names), []);
    });
    it('accepts boolean constants', () => {
      assert.equal(select('false', CASE10, CASE10_NAMES).length, 0);
      assert.equal(select('true and pk3 = 1', CASE10, CASE10_NAMES).length, 8);
    });
  });

  describe('errors name the position', () => {
    const cases: Array<[string, RegExp, number]> = [
      ['pk1 = even', /^Unexpected token 'even' at position 6: strings must be quoted$/, 6],
      ['pk1 in ("a", b)', /^Unexpected token 'b' at position 13: strings must be quoted$/, 13],
      ['pk1 = ', /^Unexpected end of filter at position 6: expected a value to compare with$/, 6],
      ['(pk1 = "a"', /^Unexpected end of filter at position 10: expected '\)' to close the '\('$/, 10],
      ['pk1 = "a" pk2 = 1', /^Unexpected token 'pk2' at position 10: expected the end of the filter/, 10],
      ['pk1 = "a', /^Unterminated string starting at position 6/, 6],
      ['pk1 # 1', /^Unexpected character '#' at position 4$/, 4],
      ['pk1 & pk2', /^Unexpected character '&' at position 4: did you mean '&&'\?$/, 4],
      ['1 = 2', /^Comparison at position 0 has no partition key/, 0],
      ['pk1', /^Unexpected end of filter at position 3: expected a comparison after 'pk1'$/, 3],
      ['pk1 between 1 or 2', /^Unexpected token 'or' at position 14: expected AND between the two bounds of BETWEEN$/, 14],
      ['pk1 is 1', /^Unexpected token '1' at position 7: expected NULL after IS$/, 7],
      ['"a" like pk1', /^Unexpected token '"a"' at position 0: expected a partition key before LIKE$/, 0],
      ['k matches "("', /^Invalid regular expression at position 10/, 10],
      ['', /^Filter is empty/, 0],
      ['and', /^Unexpected token 'and' at position 0: expected a partition key or a value$/, 0],
    ];
    for (const [filter, message, position] of cases) {
      it(JSON.stringify(filter), () => {
        assert.throws(() => parseFilter(filter), (error: unknown) => {
          assert.ok(error instanceof FilterSyntaxError, String(error));
          assert.match(error.message, message);
          assert.equal(error.position, position);
          return true;
        });
      });
    }
    it('names an unknown key with the keys that exist', () => {
      assert.throws(() => bindFilter(parseFilter('pk1 = "a" and pk9 = 1'), CASE10), {
        message: "Unknown partition key 'pk9' at position 14; table h/d/part has: pk1, pk2, pk3",
      });
    });
    it('rejects a LIKE pattern ending in a lone backslash', () => {
      assert.throws(() => bindFilter(parseFilter("pk1 like 'a\\'"), CASE10), /ends with a lone backslash/);
    });
    it('refuses deep nesting and overlong filters instead of overflowing', () => {
      assert.throws(() => parseFilter(`${'('.repeat(100)}pk1="a"${')'.repeat(100)}`), /nests deeper than 64 levels/);
      assert.throws(() => parseFilter('pk2 = 1 or '.repeat(7000) + 'pk2 = 1'), /characters long; at most 65536/);
      const chain = Array.from({ length: 200 }, (_, i) => `pk2 = ${i}`).join(' and pk1 = "a" or ');
      assert.throws(() => parseFilter(chain), /alternates AND and OR more than 64 times/);
    });
    it('parses a long OR chain without recursion trouble', () => {
      const filter = Array.from({ length: 4000 }, (_, i) => `pk2 = ${i}`).join(' or ');
      assert.equal(select(filter, CASE10, CASE10_NAMES).length, 16);
    });
  });
});
