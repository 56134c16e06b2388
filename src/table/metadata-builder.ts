import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { isPrimitive } from './iceberg-type.ts';
import { toInt64 } from './int64.ts';
import { FIRST_PARTITION_FIELD_ID, PartitionSpec } from './partition-spec.ts';
import { Schema } from './schema.ts';
import { SortOrder } from './sort-order.ts';
import { nextLastUpdatedMs, type Snapshot, type SnapshotRef, type TableMetadata } from './table-metadata.ts';
import { UPDATE_ACTIONS, type SnapshotJson, type StatisticsJson, type TableUpdate } from './table-update.ts';
import { checkTransform } from './transform.ts';

/** The only table format version Quarry writes (src/table is v2). */
export const SUPPORTED_FORMAT_VERSION = 2;

const MAIN = 'main';

/**
 * Applies a change's updates to a table's metadata: the one way Quarry builds the next metadata of
 * a table, for REST commits and its own writers alike. The semantics are those of Iceberg's
 * TableMetadata.Builder: `-1` ids mean "the one added earlier in this commit", an added schema,
 * spec or sort order equal to an existing one reuses its id, and setting `main` moves the current
 * snapshot and appends to the snapshot log. `base` undefined builds a new table (a create
 * transaction); `defaultLocation` is its location unless an update sets one. The result is checked
 * as a whole (the default spec and sort order must bind to the current schema); a violation is an
 * InvalidInputError naming the update.
 */
export function applyTableUpdates(
  base: TableMetadata | undefined,
  updates: readonly TableUpdate[],
  options: { defaultLocation?: string; nowMs?: number } = {},
): TableMetadata {
  const builder = new MetadataBuilder(base, options.nowMs ?? Date.now());
  updates.forEach((update, i) => builder.apply(update, `updates[${i}]`));
  return builder.build(options.defaultLocation);
}

/**
 * The metadata of a new, empty table, built by the same updates a create transaction sends. Ids in
 * the given schema, spec and sort order are kept (the schema becomes schema 0; a sorted order
 * keeps id 1 beside the unsorted order 0).
 */
export function newTableMetadata(args: {
  location: string;
  schema: Schema;
  spec?: PartitionSpec;
  sortOrder?: SortOrder;
  properties?: Record<string, string>;
  nowMs?: number;
}): TableMetadata {
  const spec = args.spec ?? PartitionSpec.unpartitioned();
  const order = args.sortOrder ?? SortOrder.unsorted();
  const updates: TableUpdate[] = [
    { action: 'add-schema', schema: args.schema.withId(0).toJson() },
    { action: 'set-current-schema', 'schema-id': -1 },
    { action: 'add-spec', spec: spec.toJson() as { fields: Record<string, unknown>[] } },
    { action: 'set-default-spec', 'spec-id': -1 },
    { action: 'add-sort-order', 'sort-order': SortOrder.unsorted().toJson() },
    ...(order.isUnsorted() ? [] : [{ action: 'add-sort-order' as const, 'sort-order': order.toJson() }]),
    { action: 'set-default-sort-order', 'sort-order-id': -1 },
    { action: 'set-location', location: args.location },
    { action: 'set-properties', updates: { ...(args.properties ?? {}) } },
  ];
  return applyTableUpdates(undefined, updates, { nowMs: args.nowMs });
}

/** Metadata of a table not created yet: every id unset, to be filled by a create transaction's updates. */
function emptyMetadata(nowMs: number): TableMetadata {
  return {
    formatVersion: SUPPORTED_FORMAT_VERSION,
    tableUuid: randomUUID(),
    location: '',
    lastSequenceNumber: 0,
    lastUpdatedMs: nowMs,
    lastColumnId: 0,
    schemas: [],
    currentSchemaId: -1,
    specs: [],
    defaultSpecId: -1,
    lastPartitionId: FIRST_PARTITION_FIELD_ID - 1,
    properties: {},
    currentSnapshotId: null,
    snapshots: [],
    snapshotLog: [],
    metadataLog: [],
    sortOrders: [],
    defaultSortOrderId: -1,
    refs: {},
    extra: {},
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Iceberg's TableMetadata.Builder: updates applied one by one to a base, then checked as a whole by `build`. */
export class MetadataBuilder {
  private md: { -readonly [K in keyof TableMetadata]: TableMetadata[K] };
  private readonly creating: boolean;
  private lastAddedSchemaId: number | undefined;
  private lastAddedSpecId: number | undefined;
  private lastAddedOrderId: number | undefined;
  private readonly addedSnapshots = new Set<bigint>();
  private lastUpdatedMs: number | undefined;
  private changed = false;

  constructor(
    private readonly base: TableMetadata | undefined,
    private readonly nowMs: number = Date.now(),
  ) {
    this.creating = base === undefined;
    this.md = { ...(base ?? emptyMetadata(nowMs)) };
  }

  apply(update: TableUpdate, where: string): void {
    const at = `${where} (${update.action})`;
    try {
      this.applyOne(update, at);
    } catch (error) {
      if (error instanceof InvalidInputError && !error.message.startsWith(at)) {
        throw new InvalidInputError(`${at}: ${error.message}`, error.field ? `${where}.${error.field}` : where);
      }
      throw error;
    }
    this.changed = true;
  }

  private applyOne(u: TableUpdate, at: string): void {
    const md = this.md;
    const fail = (problem: string, field?: string): never => {
      throw new InvalidInputError(`${at}: ${problem}`, field ? `${at.split(' ')[0]}.${field}` : at.split(' ')[0]);
    };
    switch (u.action) {
      case 'assign-uuid': {
        if (!UUID.test(u.uuid)) fail(`${JSON.stringify(u.uuid)} is not a UUID`, 'uuid');
        if (!this.creating && u.uuid.toLowerCase() !== md.tableUuid.toLowerCase()) fail(`the table already has UUID ${md.tableUuid}; a UUID is assigned only when a table is created`, 'uuid');
        md.tableUuid = u.uuid.toLowerCase();
        return;
      }
      case 'upgrade-format-version': {
        const version = u['format-version'];
        if (version > SUPPORTED_FORMAT_VERSION) fail(`format version ${version} is not supported; Quarry writes format version ${SUPPORTED_FORMAT_VERSION}`, 'format-version');
        if (version < md.formatVersion) fail(`cannot downgrade the table from format version ${md.formatVersion} to ${version}`, 'format-version');
        return;
      }
      case 'add-schema': {
        const schema = Schema.fromJson(u.schema);
        const existing = md.schemas.find((s) => s.sameStructure(schema) && sameIds(s.identifierFieldIds, schema.identifierFieldIds));
        if (existing) {
          this.lastAddedSchemaId = existing.schemaId;
          return;
        }
        const id = md.schemas.length === 0 ? 0 : Math.max(...md.schemas.map((s) => s.schemaId)) + 1;
        md.schemas = [...md.schemas, schema.withId(id)];
        md.lastColumnId = Math.max(md.lastColumnId, schema.highestFieldId(), u['last-column-id'] ?? 0);
        this.lastAddedSchemaId = id;
        return;
      }
      case 'set-current-schema': {
        const id = u['schema-id'] === -1 ? (this.lastAddedSchemaId ?? fail('schema-id -1 means the schema added earlier in this commit, but none was added', 'schema-id')) : u['schema-id'];
        if (!md.schemas.some((s) => s.schemaId === id)) fail(`the table has no schema with id ${id} (it has ${md.schemas.map((s) => s.schemaId).join(', ') || 'none'})`, 'schema-id');
        md.currentSchemaId = id;
        return;
      }
      case 'add-spec': {
        const schema = this.currentSchema() ?? fail('the table has no current schema yet; add and set one first');
        let nextFieldId = md.lastPartitionId;
        const fields = u.spec.fields.map((f) => ({ ...f, 'field-id': typeof f['field-id'] === 'number' ? f['field-id'] : ++nextFieldId }));
        const spec = PartitionSpec.fromJson({ 'spec-id': 0, fields }, schema, 'spec');
        const existing = md.specs.find((s) => s.sameFields(spec));
        if (existing) {
          this.lastAddedSpecId = existing.specId;
          return;
        }
        const id = md.specs.length === 0 ? 0 : Math.max(...md.specs.map((s) => s.specId)) + 1;
        md.specs = [...md.specs, new PartitionSpec(id, spec.fields)];
        md.lastPartitionId = Math.max(md.lastPartitionId, ...spec.fields.map((f) => f.fieldId));
        this.lastAddedSpecId = id;
        return;
      }
      case 'set-default-spec': {
        const id = u['spec-id'] === -1 ? (this.lastAddedSpecId ?? fail('spec-id -1 means the spec added earlier in this commit, but none was added', 'spec-id')) : u['spec-id'];
        if (!md.specs.some((s) => s.specId === id)) fail(`the table has no partition spec with id ${id}`, 'spec-id');
        md.defaultSpecId = id;
        return;
      }
      case 'add-sort-order': {
        const schema = this.currentSchema() ?? fail('the table has no current schema yet; add and set one first');
        const order = SortOrder.fromJson(u['sort-order']);
        checkSortOrder(order, schema);
        const key = JSON.stringify(order.toJson().fields);
        const existing = md.sortOrders.find((o) => JSON.stringify(o.toJson().fields) === key);
        if (existing) {
          this.lastAddedOrderId = existing.orderId;
          return;
        }
        const id = order.isUnsorted() ? 0 : Math.max(0, ...md.sortOrders.map((o) => o.orderId)) + 1;
        md.sortOrders = [...md.sortOrders, new SortOrder(id, order.fields)];
        this.lastAddedOrderId = id;
        return;
      }
      case 'set-default-sort-order': {
        const id =
          u['sort-order-id'] === -1 ? (this.lastAddedOrderId ?? fail('sort-order-id -1 means the sort order added earlier in this commit, but none was added', 'sort-order-id')) : u['sort-order-id'];
        if (!md.sortOrders.some((o) => o.orderId === id)) fail(`the table has no sort order with id ${id}`, 'sort-order-id');
        md.defaultSortOrderId = id;
        return;
      }
      case 'add-snapshot': {
        const snapshot = snapshotFromJson(u.snapshot);
        if (md.snapshots.some((s) => s.snapshotId === snapshot.snapshotId)) fail(`snapshot ${snapshot.snapshotId} already exists`, 'snapshot.snapshot-id');
        if (snapshot.parentSnapshotId !== undefined && snapshot.sequenceNumber <= md.lastSequenceNumber) {
          fail(`snapshot ${snapshot.snapshotId} has sequence number ${snapshot.sequenceNumber}, not after the table's last sequence number ${md.lastSequenceNumber}`, 'snapshot.sequence-number');
        }
        md.snapshots = [...md.snapshots, snapshot];
        md.lastSequenceNumber = Math.max(md.lastSequenceNumber, snapshot.sequenceNumber);
        this.addedSnapshots.add(snapshot.snapshotId);
        this.lastUpdatedMs = snapshot.timestampMs;
        return;
      }
      case 'set-snapshot-ref': {
        const id = toInt64(u['snapshot-id'], 'snapshot-id');
        const snapshot = md.snapshots.find((s) => s.snapshotId === id) ?? fail(`cannot point ${u['ref-name']} at unknown snapshot ${id}`, 'snapshot-id');
        const ref: SnapshotRef = {
          snapshotId: id,
          type: u.type,
          ...(u['min-snapshots-to-keep'] !== undefined ? { minSnapshotsToKeep: u['min-snapshots-to-keep'] } : {}),
          ...(u['max-snapshot-age-ms'] !== undefined ? { maxSnapshotAgeMs: Number(u['max-snapshot-age-ms']) } : {}),
          ...(u['max-ref-age-ms'] !== undefined ? { maxRefAgeMs: Number(u['max-ref-age-ms']) } : {}),
        };
        if (u['ref-name'] === MAIN && u.type !== 'branch') fail('main must be a branch', 'type');
        const old = md.refs[u['ref-name']];
        if (old && JSON.stringify(refKey(old)) === JSON.stringify(refKey(ref))) return;
        if (this.addedSnapshots.has(id)) this.lastUpdatedMs = snapshot.timestampMs;
        if (u['ref-name'] === MAIN) {
          md.currentSnapshotId = id;
          this.lastUpdatedMs ??= this.changeTime();
          md.snapshotLog = [...md.snapshotLog, { timestampMs: this.lastUpdatedMs, snapshotId: id }];
        }
        md.refs = { ...md.refs, [u['ref-name']]: ref };
        return;
      }
      case 'remove-snapshots': {
        const ids = new Set(u['snapshot-ids'].map((id, i) => toInt64(id, `snapshot-ids[${i}]`)));
        md.snapshots = md.snapshots.filter((s) => !ids.has(s.snapshotId));
        md.snapshotLog = validSnapshotLog(md.snapshotLog, new Set(md.snapshots.map((s) => s.snapshotId)));
        for (const [name, ref] of Object.entries(md.refs)) if (ids.has(ref.snapshotId)) this.removeRef(name);
        this.filterStatistics('statistics', (s) => !ids.has(s));
        this.filterStatistics('partition-statistics', (s) => !ids.has(s));
        return;
      }
      case 'remove-snapshot-ref':
        this.removeRef(u['ref-name']);
        return;
      case 'set-location': {
        const location = u.location.replace(/\/+$/, '');
        if (location === '') fail('the location is empty', 'location');
        md.location = location;
        return;
      }
      case 'set-properties':
        md.properties = { ...md.properties, ...u.updates };
        return;
      case 'remove-properties': {
        const properties = { ...md.properties };
        for (const key of u.removals) delete properties[key];
        md.properties = properties;
        return;
      }
      case 'set-statistics':
        this.setStatistics('statistics', u.statistics, 'statistics');
        return;
      case 'remove-statistics': {
        const id = toInt64(u['snapshot-id'], 'snapshot-id');
        this.filterStatistics('statistics', (s) => s !== id);
        return;
      }
      case 'set-partition-statistics':
        this.setStatistics('partition-statistics', u['partition-statistics'], 'partition-statistics');
        return;
      case 'remove-partition-statistics': {
        const id = toInt64(u['snapshot-id'], 'snapshot-id');
        this.filterStatistics('partition-statistics', (s) => s !== id);
        return;
      }
      case 'remove-partition-specs': {
        if (u['spec-ids'].includes(md.defaultSpecId)) fail(`cannot remove the default partition spec ${md.defaultSpecId}`, 'spec-ids');
        md.specs = md.specs.filter((s) => !u['spec-ids'].includes(s.specId));
        return;
      }
      case 'remove-schemas': {
        if (u['schema-ids'].includes(md.currentSchemaId)) fail(`cannot remove the current schema ${md.currentSchemaId}`, 'schema-ids');
        md.schemas = md.schemas.filter((s) => !u['schema-ids'].includes(s.schemaId));
        return;
      }
      default: {
        const unknown: { action: string } = u;
        fail(`unknown update action ${JSON.stringify(unknown.action)}; use one of ${UPDATE_ACTIONS.join(', ')}`, 'action');
      }
    }
  }

  /** When this change happens: a new table's creation time, else never at or before its base's time. */
  private changeTime(): number {
    return this.creating ? this.nowMs : nextLastUpdatedMs(this.base!, this.nowMs);
  }

  private currentSchema(): Schema | undefined {
    return this.md.schemas.find((s) => s.schemaId === this.md.currentSchemaId);
  }

  private removeRef(name: string): void {
    if (!(name in this.md.refs)) return;
    const refs = { ...this.md.refs };
    delete refs[name];
    this.md.refs = refs;
    if (name === MAIN) this.md.currentSnapshotId = null;
  }

  private setStatistics(key: 'statistics' | 'partition-statistics', entry: StatisticsJson, field: string): void {
    const id = toInt64(entry['snapshot-id'], `${field}.snapshot-id`);
    this.filterStatistics(key, (s) => s !== id);
    this.md.extra = { ...this.md.extra, [key]: [...statisticsOf(this.md.extra, key), entry] };
  }

  private filterStatistics(key: 'statistics' | 'partition-statistics', keep: (snapshotId: bigint) => boolean): void {
    const entries = statisticsOf(this.md.extra, key);
    if (entries.length === 0) return;
    this.md.extra = { ...this.md.extra, [key]: entries.filter((e) => keep(toInt64(e['snapshot-id'], `${key}.snapshot-id`))) };
  }

  build(defaultLocation: string | undefined): TableMetadata {
    const md = this.md;
    if (this.creating) {
      if (md.schemas.length === 0) throw new InvalidInputError('A new table needs a schema: send add-schema and set-current-schema', 'updates');
      if (md.currentSchemaId === -1) md.currentSchemaId = md.schemas[md.schemas.length - 1].schemaId;
      if (md.specs.length === 0) md.specs = [PartitionSpec.unpartitioned()];
      if (md.defaultSpecId === -1) md.defaultSpecId = md.specs[md.specs.length - 1].specId;
      if (md.sortOrders.length === 0) md.sortOrders = [SortOrder.unsorted()];
      if (md.defaultSortOrderId === -1) md.defaultSortOrderId = md.sortOrders[md.sortOrders.length - 1].orderId;
      if (md.location === '') {
        if (!defaultLocation) throw new InvalidInputError('A new table needs a location: send set-location', 'updates');
        md.location = defaultLocation;
      }
    }
    const schema = this.currentSchema() ?? invalid(`the current schema id ${md.currentSchemaId} names no schema of the table`);
    const spec = md.specs.find((s) => s.specId === md.defaultSpecId) ?? invalid(`the default spec id ${md.defaultSpecId} names no partition spec of the table`);
    const order = md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId) ?? invalid(`the default sort order id ${md.defaultSortOrderId} names no sort order of the table`);
    try {
      spec.validate(schema);
      checkSortOrder(order, schema);
    } catch (error) {
      if (error instanceof InvalidInputError) invalid(error.message);
      throw error;
    }
    if (this.changed) md.lastUpdatedMs = this.lastUpdatedMs ?? this.changeTime();
    return md;
  }
}

/** The metadata the updates produce breaks a rule that no single update broke on its own. */
function invalid(problem: string): never {
  throw new InvalidInputError(`The updated table metadata would be invalid: ${problem}`, 'updates');
}

/**
 * The snapshot log without entries of snapshots that are gone; as in Iceberg's builder, a gone
 * snapshot's entry also drops the history before it, so the log never skips a snapshot that exists.
 */
function validSnapshotLog(log: TableMetadata['snapshotLog'], existing: ReadonlySet<bigint>): TableMetadata['snapshotLog'] {
  const valid: TableMetadata['snapshotLog'][number][] = [];
  for (const entry of log) {
    if (existing.has(entry.snapshotId)) valid.push(entry);
    else valid.length = 0;
  }
  return valid;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function refKey(ref: SnapshotRef): unknown[] {
  return [ref.snapshotId.toString(), ref.type, ref.minSnapshotsToKeep, ref.maxSnapshotAgeMs, ref.maxRefAgeMs];
}

function statisticsOf(extra: Readonly<Record<string, unknown>>, key: string): StatisticsJson[] {
  const value = extra[key];
  return Array.isArray(value) ? (value as StatisticsJson[]) : [];
}

/** Every sort field must name a primitive column of the schema with a transform that applies to it. */
export function checkSortOrder(order: SortOrder, schema: Schema): void {
  order.fields.forEach((f, i) => {
    const source = schema.fieldById(f.sourceId);
    if (!source) throw new InvalidInputError(`sort-order.fields[${i}] refers to column id ${f.sourceId}, which the schema lacks`, 'sort-order');
    if (!isPrimitive(source.type)) throw new InvalidInputError(`sort-order.fields[${i}]: sort column ${source.name} must be a primitive column`, 'sort-order');
    checkTransform(f.transform, source.type, `sort-order.fields[${i}]`);
  });
}

function snapshotFromJson(s: SnapshotJson): Snapshot {
  const parent = s['parent-snapshot-id'];
  return {
    snapshotId: toInt64(s['snapshot-id'], 'snapshot.snapshot-id'),
    ...(parent !== undefined && parent !== null ? { parentSnapshotId: toInt64(parent, 'snapshot.parent-snapshot-id') } : {}),
    sequenceNumber: Number(s['sequence-number'] ?? 0),
    timestampMs: Number(s['timestamp-ms']),
    manifestList: s['manifest-list'],
    summary: { ...s.summary, operation: s.summary.operation },
    ...(s['schema-id'] !== undefined ? { schemaId: s['schema-id'] } : {}),
  };
}
