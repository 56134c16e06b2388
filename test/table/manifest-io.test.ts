import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import { readAvroFile } from '../../src/table/avro-codec.ts';
import { EntryStatus, FileContent, UNASSIGNED_SEQUENCE, type DataFile } from '../../src/table/data-file.ts';
import { FileIO } from '../../src/table/file-io.ts';
import { readManifest, readManifestList, writeManifest, writeManifestList } from '../../src/table/manifest-io.ts';
import { PartitionSpec } from '../../src/table/partition-spec.ts';
import { Schema } from '../../src/table/schema.ts';
import { serializeValue } from '../../src/table/values.ts';

/**
 * Manifests and manifest lists on a real local object store, read back through the same code and
 * checked against the spec ("Manifests", "Manifest Lists", "Sequence Number Inheritance").
 */
describe('manifest files (spec "Manifests" and "Manifest Lists")', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-manifest-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const root = pathToFileURL(dir).href;
  const io = new FileIO((uri) => openObjectStore(uri, { region: 'us-east-1', forcePathStyle: true }), path.join(dir, 'cache'));
  const schema = Schema.fromColumns([
    { name: 'id', type: 'long', required: true },
    { name: 'ts', type: 'timestamptz' },
    { name: 'country', type: 'string' },
  ]);
  const spec = PartitionSpec.build(schema, [{ column: 'ts', transform: 'day' }, { column: 'country' }]);

  const dataFile = (name: string, day: number | null, country: string | null, rows: number): DataFile => ({
    content: FileContent.Data,
    filePath: `${root}/data/${name}.parquet`,
    fileFormat: 'PARQUET',
    specId: spec.specId,
    partition: [day, country],
    recordCount: rows,
    fileSizeInBytes: rows * 10,
    valueCounts: new Map([[1, rows]]),
    nullValueCounts: new Map([[1, 0]]),
    lowerBounds: new Map([[1, serializeValue({ kind: 'long' }, 1n)]]),
    upperBounds: new Map([[1, serializeValue({ kind: 'long' }, BigInt(rows))]]),
    sortOrderId: 0,
  });

  it('writes a manifest whose header and schema carry what the spec requires, and reads every field back', async () => {
    const snapshotId = 2n ** 62n + 7n; // past 2^53: ids are bigints end to end
    const files = [dataFile('a', 19723, 'NL', 5), dataFile('b', 19725, null, 7)];
    const uri = `${root}/metadata/m1.avro`;
    const manifest = await writeManifest(io, uri, {
      spec,
      schema,
      snapshotId,
      entries: files.map((f) => ({ status: EntryStatus.Added, snapshotId: null, sequenceNumber: null, fileSequenceNumber: null, dataFile: f })),
    });
    assert.equal(manifest.sequenceNumber, UNASSIGNED_SEQUENCE, 'assigned by the manifest list, so a retried commit reuses the file');
    assert.deepEqual([manifest.addedFilesCount, manifest.addedRowsCount, manifest.content], [2, 12, 0]);
    // Partition summaries: day bounds as 4-byte little-endian dates, country with a null and UTF-8 bounds.
    assert.deepEqual(manifest.partitions, [
      { containsNull: false, lowerBound: serializeValue({ kind: 'date' }, 19723), upperBound: serializeValue({ kind: 'date' }, 19725) },
      { containsNull: true, lowerBound: new Uint8Array(Buffer.from('NL')), upperBound: new Uint8Array(Buffer.from('NL')) },
    ]);

    const avro = await readAvroFile<Record<string, unknown>>(await io.read(uri));
    assert.equal(avro.metadata['format-version'], '2');
    assert.equal(avro.metadata.content, 'data');
    assert.equal(avro.metadata['partition-spec-id'], String(spec.specId));
    assert.deepEqual(JSON.parse(avro.metadata.schema), schema.toJson());
    assert.deepEqual(JSON.parse(avro.metadata['partition-spec']), spec.fieldsJson());
    const ids = (avro.schema.fields as { name: string; 'field-id': number }[]).map((f) => [f.name, f['field-id']]);
    assert.deepEqual(ids, [['status', 0], ['snapshot_id', 1], ['sequence_number', 3], ['file_sequence_number', 4], ['data_file', 2]]);

    const list = `${root}/metadata/snap-1.avro`;
    const [listed] = await writeManifestList(io, list, { snapshotId, sequenceNumber: 4, manifests: [manifest] });
    assert.deepEqual([listed.sequenceNumber, listed.minSequenceNumber], [4, 4]);
    const [read] = await readManifestList(io, list);
    assert.equal(read.addedSnapshotId, snapshotId);
    assert.deepEqual(read.partitions, listed.partitions);

    const entries = await readManifest(io, read, spec, schema);
    assert.deepEqual(
      entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber]),
      [
        [EntryStatus.Added, snapshotId, 4, 4],
        [EntryStatus.Added, snapshotId, 4, 4],
      ],
      'null snapshot ids and sequence numbers are inherited from the manifest list',
    );
    // Metrics a file does not have read back as absent (undefined), as they were written.
    const present = (f: DataFile) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
    assert.deepEqual(entries.map((e) => present(e.dataFile)), files.map(present));
  });

  it('keeps the sequence numbers of carried-over entries, and lowers the manifest’s minimum to theirs', async () => {
    const uri = `${root}/metadata/m2.avro`;
    const manifest = await writeManifest(io, uri, {
      spec,
      schema,
      snapshotId: 9n,
      entries: [
        { status: EntryStatus.Existing, snapshotId: 3n, sequenceNumber: 2, fileSequenceNumber: 2, dataFile: dataFile('old', 19723, 'DE', 1) },
        { status: EntryStatus.Deleted, snapshotId: 9n, sequenceNumber: 1, fileSequenceNumber: 1, dataFile: dataFile('gone', 19724, 'DE', 3) },
        { status: EntryStatus.Added, snapshotId: null, sequenceNumber: null, fileSequenceNumber: null, dataFile: dataFile('new', 19724, 'DE', 2) },
      ],
    });
    assert.deepEqual([manifest.existingFilesCount, manifest.deletedFilesCount, manifest.addedFilesCount, manifest.deletedRowsCount], [1, 1, 1, 3]);
    assert.equal(manifest.minSequenceNumber, 2, 'deleted entries do not count towards the minimum');
    const [listed] = await writeManifestList(io, `${root}/metadata/snap-2.avro`, { snapshotId: 9n, parentSnapshotId: 3n, sequenceNumber: 5, manifests: [manifest] });
    assert.deepEqual([listed.sequenceNumber, listed.minSequenceNumber], [5, 2]);
    const entries = await readManifest(io, listed, spec, schema);
    assert.deepEqual(entries.map((e) => [e.dataFile.filePath.split('/').pop(), e.sequenceNumber]), [['old.parquet', 2], ['gone.parquet', 1], ['new.parquet', 5]]);
  });

  it('refuses to mix data and delete files in one manifest', async () => {
    const deletes: DataFile = { ...dataFile('d', 19723, 'NL', 1), content: FileContent.PositionDeletes };
    await assert.rejects(
      writeManifest(io, `${root}/metadata/m3.avro`, {
        spec,
        schema,
        snapshotId: 1n,
        entries: [dataFile('a', 19723, 'NL', 1), deletes].map((f) => ({ status: EntryStatus.Added, snapshotId: null, sequenceNumber: null, fileSequenceNumber: null, dataFile: f })),
      }),
      /cannot hold both data files and delete files/,
    );
  });

  it('reports a file that is not an Avro manifest as invalid metadata, naming it', async () => {
    const uri = `${root}/metadata/not-avro.avro`;
    await io.write(uri, 'plain text');
    const [line] = await writeManifestList(io, `${root}/metadata/snap-3.avro`, {
      snapshotId: 1n,
      sequenceNumber: 1,
      manifests: [{ manifestPath: uri, manifestLength: 10, partitionSpecId: 0, content: 0, sequenceNumber: UNASSIGNED_SEQUENCE, minSequenceNumber: UNASSIGNED_SEQUENCE, addedSnapshotId: 1n, addedFilesCount: 0, existingFilesCount: 0, deletedFilesCount: 0, addedRowsCount: 0, existingRowsCount: 0, deletedRowsCount: 0 }],
    });
    await assert.rejects(readManifest(io, line, spec, schema), (error: unknown) => error instanceof Error && error.message.includes(uri) && /not a readable Avro manifest/.test(error.message));
  });
});
