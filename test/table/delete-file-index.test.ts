import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DELETE_FILE_PATH_ID, FileContent, type DataFile } from '../../src/table/data-file.ts';
import { DeleteFileIndex } from '../../src/table/delete-file-index.ts';
import { PartitionSpec } from '../../src/table/partition-spec.ts';
import { Schema } from '../../src/table/schema.ts';

const schema = Schema.fromColumns([{ name: 'id', type: 'long' }, { name: 'day', type: 'date' }]);
const partitioned = PartitionSpec.build(schema, [{ column: 'day' }], 1);
const specs = new Map([
  [0, PartitionSpec.unpartitioned()],
  [partitioned.specId, partitioned],
]);
const file = (path: string, content: FileContent, specId: number, partition: DataFile['partition'], extra: Partial<DataFile> = {}): DataFile => ({
  content,
  filePath: path,
  fileFormat: 'PARQUET',
  specId,
  partition,
  recordCount: 1,
  fileSizeInBytes: 1,
  ...extra,
});
const bytes = (s: string) => new Uint8Array(Buffer.from(s));

describe('delete file index (spec scan planning rules)', () => {
  const data = file('s3://b/t/data/day=1/a.parquet', FileContent.Data, partitioned.specId, [1]);

  it('applies position deletes at or after the data sequence number, equality deletes only after', () => {
    const index = new DeleteFileIndex(specs);
    index.add({ dataFile: file('pos', FileContent.PositionDeletes, partitioned.specId, [1]), sequenceNumber: 5 });
    index.add({ dataFile: file('eq', FileContent.EqualityDeletes, partitioned.specId, [1], { equalityIds: [1] }), sequenceNumber: 5 });
    assert.deepEqual(index.forDataFile(4, data).map((d) => d.filePath).sort(), ['eq', 'pos']);
    assert.deepEqual(index.forDataFile(5, data).map((d) => d.filePath), ['pos'], 'same commit: the equality delete does not apply');
    assert.deepEqual(index.forDataFile(6, data), [], 'newer data: neither applies');
  });

  it('scopes deletes to their partition unless their spec is unpartitioned', () => {
    const index = new DeleteFileIndex(specs);
    index.add({ dataFile: file('other-partition', FileContent.EqualityDeletes, partitioned.specId, [2], { equalityIds: [1] }), sequenceNumber: 9 });
    index.add({ dataFile: file('global', FileContent.EqualityDeletes, 0, [], { equalityIds: [1] }), sequenceNumber: 9 });
    assert.deepEqual(index.forDataFile(1, data).map((d) => d.filePath), ['global']);
  });

  it('narrows position deletes by their file_path bounds', () => {
    const index = new DeleteFileIndex(specs);
    const scoped = (name: string, lower: string, upper: string) =>
      file(name, FileContent.PositionDeletes, partitioned.specId, [1], { lowerBounds: new Map([[DELETE_FILE_PATH_ID, bytes(lower)]]), upperBounds: new Map([[DELETE_FILE_PATH_ID, bytes(upper)]]) });
    index.add({ dataFile: scoped('mine', data.filePath, data.filePath), sequenceNumber: 3 });
    index.add({ dataFile: scoped('another', 's3://b/t/data/day=1/b.parquet', 's3://b/t/data/day=1/b.parquet'), sequenceNumber: 3 });
    index.add({ dataFile: scoped('range', 's3://b/t/data/day=1/', 's3://b/t/data/day=1/z'), sequenceNumber: 3 });
    assert.deepEqual(index.forDataFile(1, data).map((d) => d.filePath).sort(), ['mine', 'range']);
  });
});
