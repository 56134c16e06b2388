import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { partitionsSaveRequest, tableRequest } from '../../src/catalog/routes/metacat-requests.ts';
import { HIVE_DEFAULT_PARTITION } from '../../src/catalog/filter/filter-ast.ts';
import { compileFilter } from '../../src/catalog/filter/filter-evaluator.ts';
import { parseFilter } from '../../src/catalog/filter/filter-parser.ts';
import { bindFilter, type FilterSchema } from '../../src/catalog/filter/filter-schema.ts';
import { escapePartitionValue, unescapePartitionValue } from '../../src/catalog/partition-name.ts';
import { QualifiedName } from '../../src/catalog/qualified-name.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

/** A small deterministic PRNG (mulberry32), so a failing filter can be reproduced from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['a', 'ab', 'abc', 'b', 'B', 'a_c', 'a%c', "it's", 'x"y', 'é', '日本', '10', '9', '-1', '', HIVE_DEFAULT_PARTITION];
const NUMBERS = ['-5', '-1', '0', '1', '2', '3', '7', '10', '10.5', '11', '20', '1e1', HIVE_DEFAULT_PARTITION];
const KEYS = ['s', 'n', 'x-y'];

/** The fixture: every combination of a few values per key, as Hive partition names. */
function fixtureNames(): string[] {
  const names: string[] = [];
  const strings = STRINGS.filter((s) => s !== '');
  for (const s of strings) for (const n of NUMBERS) for (const x of ['p', 'q', HIVE_DEFAULT_PARTITION]) {
    names.push(`s=${escapePartitionValue(s)}/n=${n}/x-y=${x}`);
  }
  return names;
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function quote(next: () => number, value: string): string {
  if (value.includes('"')) return `'${value}'`;
  if (value.includes("'")) return `"${value}"`;
  return next() < 0.5 ? `"${value}"` : `'${value}'`;
}

function literal(next: () => number, key: string): string {
  if (key === 'n' && next() < 0.7) return pick(next, NUMBERS.filter((n) => n !== HIVE_DEFAULT_PARTITION));
  if (key === 'x-y') return quote(next, pick(next, ['p', 'q', 'r', 'P']));
  if (next() < 0.2) return pick(next, ['1', '10', '9', '-1']);
  return quote(next, pick(next, STRINGS.filter((s) => s !== HIVE_DEFAULT_PARTITION)));
}

function predicate(next: () => number): string {
  const key = pick(next, KEYS);
  switch (Math.floor(next() * 8)) {
    case 0:
      return `${key} is ${next() < 0.5 ? 'not ' : ''}null`;
    case 1:
      return `${key} ${next() < 0.3 ? 'not ' : ''}in (${Array.from({ length: 1 + Math.floor(next() * 4) }, () => literal(next, key)).join(', ')})`;
    case 2: {
      return `${key} ${next() < 0.3 ? 'not ' : ''}between ${literal(next, key)} and ${literal(next, key)}`;
    }
    case 3: {
      const pattern = pick(next, ['a%', '%b%', 'a\\_c', 'a_c', '%', '_', '1%', '%\\%%', 'é%', '日_']);
      return `${key} ${next() < 0.3 ? 'not ' : ''}like '${pattern}'`;
    }
    case 4:
      return `${key} matches '${pick(next, ['a.*', '[0-9]+', '.', 'a|b', 'p'])}'`;
    case 5:
      return `${literal(next, key)} ${pick(next, ['<', '<=', '>', '>='])} ${key}`;
    default:
      return `${key} ${pick(next, ['=', '==', '!=', '<>', '<', '<=', '>', '>='])} ${literal(next, key)}`;
  }
}

function expression(next: () => number, depth = 0): string {
  const roll = next();
  if (depth < 3 && roll < 0.25) return `(${expression(next, depth + 1)}) ${pick(next, ['and', 'or', '&&', '||'])} ${expression(next, depth + 1)}`;
  if (depth < 3 && roll < 0.45) return `${predicate(next)} ${pick(next, ['and', 'or'])} ${expression(next, depth + 1)}`;
  if (roll < 0.55) return `not ${predicate(next)}`;
  if (depth < 3 && roll < 0.6) return `not (${expression(next, depth + 1)})`;
  return predicate(next);
}

const SCHEMA: FilterSchema = {
  subject: 'table h/d/t',
  variables: [{ name: 's', numeric: false }, { name: 'n', numeric: true }, { name: 'x-y', numeric: false }, { name: 'dateCreated', numeric: true }],
};

for (const store of STORES) {
  describe(`partition filter pushdown on ${store}`, () => {
    let t: TestPlatform;
    const table = QualifiedName.ofTable('warehouse', 'fx', 'parts');
    const names = fixtureNames();
    let createdSeconds = 0;
    const context = { user: 'tester' };

    before(async () => {
      t = await openTestPlatform(store);
      const { catalogs, partitions } = t.platform.catalog;
      await catalogs.createDatabase(context, table, {});
      await catalogs.createTable(context, table, tableRequest(table, {
        name: { qualifiedName: table.toString() },
        fields: [
          { name: 'v', type: 'string' },
          { name: 's', type: 'string', partition_key: true },
          { name: 'n', type: 'double', partition_key: true },
          { name: 'x-y', type: 'string', partition_key: true },
        ],
      }));
      const saved = await partitions.save(context, table, partitionsSaveRequest({
        partitions: names.map((name) => ({ name: { qualifiedName: `${table.toString()}/${name}` }, serde: { uri: `s3://b/${name}` } })),
      }));
      assert.equal(saved.added.length, names.length);
      const first = await partitions.list(table, { limit: 1 });
      createdSeconds = Math.trunc(Date.parse(first[0]!.audit.createdDate!) / 1000);
    });
    after(() => t?.close());

    /** What the in-memory evaluator says, over the fixture's names, in name order. */
    function inMemory(filter: string): string[] {
      const matches = compileFilter(bindFilter(parseFilter(filter), SCHEMA));
      return names
        .filter((name) => matches([...name.split('/').map((part) => unescapePartitionValue(part.slice(part.indexOf('=') + 1))), String(createdSeconds)]))
        .sort(byCodePoint);
    }

    async function pushedDown(filter: string, page: { offset?: number; limit?: number } = {}): Promise<string[]> {
      const listed = await t.platform.catalog.partitions.list(table, { filter, ...page });
      return listed.map((p) => p.name.partitionName!);
    }

    it('agrees with in-memory evaluation on 400 random filters, including paging', async () => {
      const next = random(20261128);
      let nonTrivial = 0;
      for (let i = 0; i < 400; i += 1) {
        const filter = expression(next);
        const expected = inMemory(filter);
        const actual = await pushedDown(filter);
        assert.deepEqual(actual, expected, `filter #${i}: ${filter}`);
        if (expected.length > 0 && expected.length < names.length) nonTrivial += 1;
        if (i % 10 === 0) {
          const page = await pushedDown(filter, { offset: 3, limit: 7 });
          assert.deepEqual(page, expected.slice(3, 10), `page of filter #${i}: ${filter}`);
        }
      }
      assert.ok(nonTrivial > 150, `most random filters select a proper subset (${nonTrivial})`);
    });

    it('finishes in-memory filters page by page over more rows than one scan page, in every sort order', async () => {
      const big = QualifiedName.ofTable('warehouse', 'fx', 'big');
      const { catalogs, partitions } = t.platform.catalog;
      await catalogs.createTable(context, big, tableRequest(big, {
        name: { qualifiedName: big.toString() },
        fields: [{ name: 'n', type: 'int', partition_key: true }],
      }));
      for (let batch = 0; batch < 3; batch += 1) {
        await partitions.save(context, big, partitionsSaveRequest({
          partitions: Array.from({ length: 1500 }, (_, i) => {
            const n = batch * 1500 + i;
            return { name: { qualifiedName: `${big.toString()}/n=${n}` }, serde: { uri: `s3://b/big/${(n * 7919) % 4500}` } };
          }),
        }));
      }
      const all = await partitions.list(big, {});
      assert.equal(all.length, 4500);
      for (const sortBy of ['name', 'createdDate', 'uri'] as const) {
        for (const sortOrder of ['ASC', 'DESC'] as const) {
          const ordered = await partitions.list(big, { sortBy, sortOrder });
          const expected = ordered.filter((p) => /^.*7$/.test(p.name.partitionName!.slice(2))).slice(100, 400);
          const actual = await partitions.list(big, { filter: "n matches '.*7'", sortBy, sortOrder, offset: 100, limit: 300 });
          assert.deepEqual(actual.map((p) => p.name.partitionName), expected.map((p) => p.name.partitionName), `${sortBy} ${sortOrder}`);
        }
      }
    });

    it('compares dateCreated as epoch seconds', async () => {
      assert.equal((await pushedDown(`dateCreated >= ${createdSeconds}`)).length, names.length);
      assert.equal((await pushedDown(`dateCreated > ${createdSeconds + 1}`)).length, 0);
    });

    it('never lets a filter reach SQL as text', async () => {
      const before = await t.platform.catalog.partitions.count(table);
      const attempts = [
        `s = "x' or '1'='1"`,
        `s = "'; drop table catalog_partition; --"`,
        `s like "%'; delete from catalog_partition_value; --"`,
        `s in ("a') or 1=1 --", 'b')`,
        `n = 1 or s = "\\'); drop table catalog_table; --"`,
        `s between "a" and "z'); delete from catalog_partition where ('1'='1"`,
      ];
      for (const filter of attempts) {
        const found = await pushedDown(filter);
        assert.deepEqual(found, inMemory(filter), filter);
      }
      await assert.rejects(pushedDown(`s = "\\"); drop table catalog_table; --"`), /Unexpected character ';'/, 'no escapes inside strings: the rest is a syntax error');
      assert.deepEqual(await pushedDown(`s = "it's"`), inMemory(`s = "it's"`));
      assert.ok((await pushedDown(`s = "it's"`)).length > 0, 'a quote inside a value is just a character');
      assert.equal(await t.platform.catalog.partitions.count(table), before, 'nothing was deleted');
      const res = await t.app.inject(`/mds/v1/partition/catalog/warehouse/database/fx/table/parts/count`);
      assert.equal(res.json(), before);
    });
  });
}

function byCodePoint(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
