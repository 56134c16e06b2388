import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequirements } from '../../src/table/table-requirements.ts';
import { applyTableUpdates } from '../../src/table/metadata-builder.ts';
import type { TableUpdate } from '../../src/table/table-update.ts';
import { CommitFailedError } from '../../src/table/table-errors.ts';
import type { TableMetadata } from '../../src/table/table-metadata.ts';

const field = (id: number, name: string, type = 'long', required = false) => ({ id, name, type, required });
const schema = (...fields: ReturnType<typeof field>[]) => ({ type: 'struct', fields });
const snapshot = (id: bigint, seq: number, parent?: bigint) => ({
  'snapshot-id': id,
  ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
  'sequence-number': seq,
  'timestamp-ms': 1_700_000_000_000 + seq,
  'manifest-list': `file:///t/metadata/snap-${id}.avro`,
  summary: { operation: 'append' },
});

/** The updates PyIceberg's CreateTableTransaction sends for a new table. */
const CREATE: TableUpdate[] = [
  { action: 'assign-uuid', uuid: '6b6f6c2e-3f1a-4a57-9b0e-2f0c1a2b3c4d' },
  { action: 'upgrade-format-version', 'format-version': 2 },
  { action: 'add-schema', schema: schema(field(1, 'id', 'long', true), field(2, 'ts', 'timestamptz')) },
  { action: 'set-current-schema', 'schema-id': -1 },
  { action: 'add-spec', spec: { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }] } },
  { action: 'set-default-spec', 'spec-id': -1 },
  { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
  { action: 'set-default-sort-order', 'sort-order-id': -1 },
  { action: 'set-location', location: 'file:///t/' },
  { action: 'set-properties', updates: { owner: 'ana' } },
];

function created(): TableMetadata {
  return applyTableUpdates(undefined, CREATE, { nowMs: 1 });
}

describe('Iceberg REST table updates', () => {
  it('builds a new table from a create transaction, resolving -1 to what the commit added', () => {
    const md = created();
    assert.equal(md.tableUuid, '6b6f6c2e-3f1a-4a57-9b0e-2f0c1a2b3c4d');
    assert.equal(md.location, 'file:///t');
    assert.equal(md.currentSchemaId, 0);
    assert.equal(md.lastColumnId, 2);
    assert.deepEqual(md.specs.map((s) => [s.specId, s.fields.map((f) => f.name)]), [[0, ['ts_day']]]);
    assert.equal(md.lastPartitionId, 1000);
    assert.equal(md.defaultSortOrderId, 0);
    assert.deepEqual(md.properties, { owner: 'ana' });
  });

  it('uses a default location and unpartitioned, unsorted defaults when the create leaves them out', () => {
    const md = applyTableUpdates(undefined, [{ action: 'add-schema', schema: schema(field(1, 'id')) }], { defaultLocation: 'file:///w/ns.db/t' });
    assert.equal(md.location, 'file:///w/ns.db/t');
    assert.equal(md.currentSchemaId, 0);
    assert.ok(md.specs[0].isUnpartitioned());
    assert.ok(md.sortOrders[0].isUnsorted());
    assert.throws(() => applyTableUpdates(undefined, [{ action: 'set-properties', updates: {} }]), /A new table needs a schema/);
  });

  it('reuses the id of an identical schema, spec or sort order and gives new ones the next id', () => {
    const base = created();
    const same = applyTableUpdates(base, [{ action: 'add-schema', schema: schema(field(1, 'id', 'long', true), field(2, 'ts', 'timestamptz')) }, { action: 'set-current-schema', 'schema-id': -1 }]);
    assert.equal(same.schemas.length, 1);
    const evolved = applyTableUpdates(base, [
      { action: 'add-schema', schema: schema(field(1, 'id', 'long', true), field(2, 'ts', 'timestamptz'), field(3, 'country', 'string')) },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec: { fields: [{ 'source-id': 2, name: 'ts_day', transform: 'day' }, { 'source-id': 3, name: 'country', transform: 'identity' }] } },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': { fields: [{ 'source-id': 1, transform: 'identity', direction: 'desc', 'null-order': 'nulls-last' }] } },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
    ]);
    assert.equal(evolved.currentSchemaId, 1);
    assert.equal(evolved.lastColumnId, 3);
    assert.equal(evolved.defaultSpecId, 1);
    assert.deepEqual(evolved.specs[1].fields.map((f) => f.fieldId), [1001, 1002], 'spec fields without ids get ids after the last assigned one');
    assert.equal(evolved.lastPartitionId, 1002);
    assert.equal(evolved.defaultSortOrderId, 1);
  });

  it('moves main and the snapshot log with set-snapshot-ref, and removing snapshots drops their refs and statistics', () => {
    const one = applyTableUpdates(created(), [
      { action: 'add-snapshot', snapshot: snapshot(11n, 1) },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 11n },
    ]);
    assert.equal(one.currentSnapshotId, 11n);
    assert.deepEqual(one.snapshotLog, [{ timestampMs: 1_700_000_000_001, snapshotId: 11n }]);
    assert.equal(one.lastUpdatedMs, 1_700_000_000_001);
    const two = applyTableUpdates(one, [
      { action: 'add-snapshot', snapshot: snapshot(12n, 2, 11n) },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 12n },
      { action: 'set-snapshot-ref', 'ref-name': 'v1', type: 'tag', 'snapshot-id': 11n },
      { action: 'set-statistics', statistics: { 'snapshot-id': 11n, 'statistics-path': 'file:///t/s.puffin', 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] } },
    ]);
    assert.deepEqual(Object.keys(two.refs).sort(), ['main', 'v1']);
    assert.throws(() => applyTableUpdates(two, [{ action: 'add-snapshot', snapshot: snapshot(13n, 2, 12n) }]), /sequence number 2, not after the table's last sequence number 2/);
    assert.throws(() => applyTableUpdates(two, [{ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 99n }]), /unknown snapshot 99/);

    const pruned = applyTableUpdates(two, [{ action: 'remove-snapshots', 'snapshot-ids': [11n] }]);
    assert.deepEqual(pruned.snapshots.map((s) => s.snapshotId), [12n]);
    assert.deepEqual(Object.keys(pruned.refs), ['main']);
    assert.deepEqual(pruned.snapshotLog.map((e) => e.snapshotId), [12n]);
    assert.deepEqual(pruned.extra.statistics, []);
    const detached = applyTableUpdates(pruned, [{ action: 'remove-snapshot-ref', 'ref-name': 'main' }]);
    assert.equal(detached.currentSnapshotId, null);
  });

  it('refuses updates that would break the table, naming the update', () => {
    const md = created();
    assert.throws(() => applyTableUpdates(md, [{ action: 'assign-uuid', uuid: '00000000-0000-0000-0000-000000000000' }]), /updates\[0\] \(assign-uuid\): the table already has UUID/);
    assert.throws(() => applyTableUpdates(md, [{ action: 'upgrade-format-version', 'format-version': 3 }]), /format version 3 is not supported/);
    assert.throws(() => applyTableUpdates(md, [{ action: 'remove-schemas', 'schema-ids': [0] }]), /cannot remove the current schema 0/);
    assert.throws(() => applyTableUpdates(md, [{ action: 'remove-partition-specs', 'spec-ids': [0] }]), /cannot remove the default partition spec 0/);
    assert.throws(
      () => applyTableUpdates(md, [{ action: 'add-schema', schema: schema(field(1, 'id', 'long', true)) }, { action: 'set-current-schema', 'schema-id': -1 }]),
      /The updated table metadata would be invalid: partition field ts_day refers to column id 2/,
    );
    assert.throws(() => applyTableUpdates(md, [{ action: 'add-spec', spec: { fields: [{ 'source-id': 1, name: 'b', transform: 'bucket[x]' }] } }]), /updates\[0\] \(add-spec\)/);
  });

  it('checks requirements against the current metadata', () => {
    const md = applyTableUpdates(created(), [
      { action: 'add-snapshot', snapshot: snapshot(11n, 1) },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 11n },
    ]);
    const pass = (r: Parameters<typeof checkRequirements>[1]) => checkRequirements('ns.t', r, md);
    pass([{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 11n }, { type: 'assert-ref-snapshot-id', ref: 'dev', 'snapshot-id': null }]);
    pass([{ type: 'assert-table-uuid', uuid: '6B6F6C2E-3F1A-4A57-9B0E-2F0C1A2B3C4D' }, { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1000 }, { type: 'assert-default-sort-order-id', 'default-sort-order-id': 0 }]);
    assert.throws(() => pass([{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }]), CommitFailedError);
    assert.throws(() => pass([{ type: 'assert-ref-snapshot-id', ref: 'dev', 'snapshot-id': 11n }]), /branch or tag dev is missing/);
    assert.throws(() => pass([{ type: 'assert-default-spec-id', 'default-spec-id': 1 }]), /default spec id has changed: expected 1, found 0/);
    assert.throws(() => checkRequirements('ns.t', [{ type: 'assert-current-schema-id', 'current-schema-id': 0 }], undefined), /the table does not exist/);
    checkRequirements('ns.t', [{ type: 'assert-create' }], undefined);
  });
});
