import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';
import { eq } from '../../src/table/expression.ts';
import type { IcebergType } from '../../src/table/iceberg-type.ts';
import { applyTransform } from '../../src/table/transform.ts';
import { deserializeValue, formatDecimal, toIcebergValue } from '../../src/table/values.ts';
import { STORES } from '../support/stores.ts';
import { runPython } from '../support/python.ts';
import { catalogPrelude, openTestWarehouse, pyiceberg, WAREHOUSES, type TestWarehouse } from './warehouse-support.ts';

const field = (name: string, type: IcebergType) => ({ id: 0, name, required: false, type });

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`writer types: decimal truncate, fixed and binary, nested statistics (${store}, ${kind} warehouse)`, () => {
      let t: TestWarehouse;
      before(async () => {
        t = await openTestWarehouse(store, kind);
      });
      after(() => t.close());

      it('partitions by truncate on a decimal column as the spec defines it, and PyIceberg agrees', async () => {
        const table = await t.warehouse.createTable(
          { namespace: ['types'], name: 'prices' },
          { schema: [{ name: 'id', type: 'int', required: true }, { name: 'amount', type: 'decimal(10,2)' }], partitionBy: [{ column: 'amount', transform: 'truncate[50]' }] },
        );
        const amounts = ['10.65', '10.49', '-0.01', '0.50', '99999999.99'];
        await t.data.appendRows(table, amounts.map((amount, id) => ({ id, amount })));
        const type = { kind: 'decimal', precision: 10, scale: 2 } as const;
        const expected = [...new Set(amounts.map((a) => formatDecimal(applyTransform({ kind: 'truncate', width: 50 }, type, toIcebergValue(type, a, 'a')) as bigint, 2)))].sort();
        const ours = (await table.dataFiles()).map((f) => formatDecimal(f.partition[0] as bigint, 2)).sort();
        assert.deepEqual(ours, expected);
        assert.deepEqual(expected, ['-0.50', '0.50', '10.00', '10.50', '99999999.50']);
        const out = await pyiceberg<{ ids: number[]; files: number; pruned: number }>(
          t,
          kind,
          `
from pyiceberg.expressions import EqualTo
tbl = cat.load_table('types.prices')
print(json.dumps({'ids': sorted(r['id'] for r in tbl.scan().to_arrow().to_pylist()),
  'files': len(list(tbl.scan().plan_files())),
  'pruned': len(list(tbl.scan(row_filter=EqualTo('amount', decimal.Decimal('10.65'))).plan_files()))}))
`,
        );
        assert.deepEqual(out.ids, [0, 1, 2, 3, 4]);
        assert.equal(out.files, 5);
        assert.equal(out.pruned, 1, 'PyIceberg projects amount = 10.65 to our truncate partition 10.50');
      });

      it('writes binary and fixed values as their bytes, checks fixed lengths, and records byte bounds', async () => {
        const table = await t.warehouse.createTable(
          { namespace: ['types'], name: 'bytes' },
          { schema: [{ name: 'id', type: 'int', required: true }, { name: 'tag', type: 'fixed[2]' }, { name: 'blob', type: 'binary' }], partitionBy: [{ column: 'blob', transform: 'truncate[1]' }] },
        );
        await t.data.appendRows(table, [
          { id: 1, tag: '0102', blob: 'ff00aa' },
          { id: 2, tag: 'abcd', blob: 'ff01' },
        ]);
        const [file] = await table.dataFiles();
        assert.equal(Buffer.from(file.partition[0] as Uint8Array).toString('hex'), 'ff');
        assert.equal(Buffer.from(deserializeValue({ kind: 'fixed', length: 2 }, file.lowerBounds!.get(2)!) as Uint8Array).toString('hex'), '0102');
        assert.equal(Buffer.from(deserializeValue({ kind: 'fixed', length: 2 }, file.upperBounds!.get(2)!) as Uint8Array).toString('hex'), 'abcd');
        const rows = await t.data.readRows(table, table.newScan(), 'id');
        assert.deepEqual(rows.map((r) => [r.id, r.tag, r.blob]), [[1, '\\x01\\x02', '\\xFF\\x00\\xAA'], [2, '\\xAB\\xCD', '\\xFF\\x01']]);
        await assert.rejects(t.data.appendRows(table, [{ id: 3, tag: '010203', blob: '00' }]), (e: unknown) => e instanceof InvalidInputError && /fixed\[2\]/.test(e.message));
        // DuckDB cannot write Parquet FIXED_LEN_BYTE_ARRAY, so fixed[L] is stored as BYTE_ARRAY; PyIceberg
        // 0.12 refuses that (binary does not promote to fixed). Kept visible here as a known gap.
        const py = await runPython((await catalogPrelude(t, kind)) + `print(cat.load_table('types.bytes').scan().to_arrow().num_rows)`);
        assert.notEqual(py.code, 0);
        assert.match(py.stderr, /Cannot promote an binary to fixed\[2\]/);
        const binaryOnly = await pyiceberg<{ rows: [number, string][] }>(
          t,
          kind,
          `
rows = cat.load_table('types.bytes').scan(selected_fields=('id', 'blob')).to_arrow().to_pylist()
print(json.dumps({'rows': sorted([[r['id'], r['blob'].hex()] for r in rows])}))
`,
        );
        assert.deepEqual(binaryOnly.rows, [[1, 'ff00aa'], [2, 'ff01']]);
      });

      it('records statistics for struct fields (and sizes for list and map leaves) and prunes on them', async () => {
        const table = await t.warehouse.createTable(
          { namespace: ['types'], name: 'nested' },
          {
            schema: [
              { name: 'id', type: 'long', required: true },
              { name: 'info', type: { kind: 'struct', fields: [field('score', { kind: 'int' }), field('label', { kind: 'string' })] } },
              { name: 'tags', type: { kind: 'list', elementId: 0, elementRequired: false, element: { kind: 'string' } } },
              { name: 'attrs', type: { kind: 'map', keyId: 0, key: { kind: 'string' }, valueId: 0, valueRequired: false, value: { kind: 'long' } } },
            ],
          },
        );
        await t.data.appendRows(table, [{ id: 1, info: { score: 5, label: 'low' }, tags: ['a', 'b'], attrs: { x: 1 } }]);
        await t.data.appendRows(table, [{ id: 2, info: { score: 50, label: 'high' }, tags: ['c'], attrs: { y: 2 } }, { id: 3, info: null, tags: [], attrs: {} }]);
        const schema = table.schema();
        const score = schema.findField('info.score')!.id;
        const label = schema.findField('info.label')!.id;
        const files = (await table.dataFiles()).sort((a, b) => a.recordCount - b.recordCount);
        assert.equal(deserializeValue({ kind: 'int' }, files[0].lowerBounds!.get(score)!), 5);
        assert.equal(deserializeValue({ kind: 'int' }, files[1].upperBounds!.get(score)!), 50);
        assert.equal(deserializeValue({ kind: 'string' }, files[1].lowerBounds!.get(label)!), 'high');
        assert.equal(files[1].nullValueCounts!.get(score), 1, 'the row whose struct is null counts as a null score');
        const tagsElement = (schema.findField('tags')!.type as { elementId: number }).elementId;
        assert.ok(files[0].columnSizes!.get(tagsElement)! > 0);
        assert.equal(files[0].lowerBounds!.has(tagsElement), false, 'no bounds inside lists');
        const plan = await table.newScan().filter(eq('info.score', 50)).planFiles();
        assert.equal(plan.files.length, 1);
        assert.equal(plan.metrics.filesSkippedByMetrics, 1);
        const rows = await t.data.readRows(table, table.newScan(), 'id');
        assert.deepEqual(rows.map((r) => [Number(r.id), r.info, r.tags]), [[1, { score: 5, label: 'low' }, ['a', 'b']], [2, { score: 50, label: 'high' }, ['c']], [3, null, []]]);
        const out = await pyiceberg<{ rows: unknown[]; pruned: number }>(
          t,
          kind,
          `
from pyiceberg.expressions import EqualTo
tbl = cat.load_table('types.nested')
print(json.dumps({'rows': sorted([[r['id'], r['info'], r['tags']] for r in tbl.scan().to_arrow().to_pylist()], key=lambda r: r[0]),
  'pruned': len(list(tbl.scan(row_filter=EqualTo('info.score', 50)).plan_files()))}))
`,
        );
        assert.deepEqual(out.rows, [[1, { score: 5, label: 'low' }, ['a', 'b']], [2, { score: 50, label: 'high' }, ['c']], [3, null, []]]);
        assert.equal(out.pruned, 1, 'PyIceberg prunes by the struct field bounds Quarry wrote');
      });
    });
  }
}
