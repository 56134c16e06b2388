import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';
import type { FileIO } from '../../table/file-io.ts';
import { partitionsWithData, snapshotPartitionChanges, type PartitionNamer, type PartitionRef } from '../../table/snapshot-partitions.ts';
import { currentSnapshot, type Snapshot, type TableMetadata } from '../../table/table-metadata.ts';
import { readMetadataFile } from '../../table/table-operations.ts';
import type { TableIdentifier } from '../../table/table-pointer-store.ts';
import type { PointerChange, PointerChangeRecorder, RecordPreparation } from '../../warehouse/pointer-change.ts';
import { icebergPartitionName } from '../iceberg-partition-name.ts';
import { currentAuthor } from '../../warehouse/change-author.ts';
import { QualifiedName } from '../qualified-name.ts';
import { EVENT_NAME_LIMIT, type CatalogEvent, type CatalogEventDraft, type CatalogEventType } from './catalog-event.ts';
import type { CatalogEventLog } from './event-log.ts';

interface PartitionChanges {
  readonly added: string[];
  readonly updated: string[];
  /** Partitions whose last data file the commit removed. */
  readonly deleted: string[];
}

/** What a table update did: the snapshots it added (newest first) and their partitions, or why that is unknown. */
interface UpdateAnalysis {
  readonly added: readonly Snapshot[];
  readonly partitions?: PartitionChanges;
  readonly unreadable?: string;
}

// Events name partitions as /mds/v1 lists them, so a name from an event finds its partition there.
const metacatName: PartitionNamer = (schema, spec, partition) => icebergPartitionName(schema, spec, partition)?.name;

/** How far back a commit that added several snapshots at once is followed for its partitions. */
const MAX_SNAPSHOTS_PER_COMMIT = 100;

export interface WarehouseEventRecorderOptions {
  /** The Metacat catalog the warehouse's Iceberg tables appear in. */
  readonly catalog: string;
  readonly log: CatalogEventLog;
  readonly webhooksFor: (event: CatalogEvent) => readonly string[];
  /** Reads metadata and manifest files, to say which partitions a commit added. */
  readonly io: FileIO;
  /**
   * Who the events name as the user when the change's work set none (`runAsAuthor`, as /iceberg/v1
   * does from the request's identity header): the writer's identity (the OS user of `quarry table`, …).
   */
  readonly user: string;
}

/**
 * Turns pointer changes, whoever made them (the Iceberg REST catalog, `quarry table`, a job writing
 * through the warehouse), into the catalog's events, written to the event log in the change's own
 * transaction: TABLE_CREATE/UPDATE/DELETE/RENAME, DATABASE_CREATE/UPDATE/DELETE for namespaces, and
 * PARTITION_ADD naming the partitions a new snapshot wrote data files into — the "partition landed"
 * signal a scheduler waits for (`updated` when the same commit also removed files there, as a
 * copy-on-write rewrite does) — and PARTITION_DELETE naming those whose last data file it removed.
 * Partitions are named as /mds/v1 lists them. Telling that a partition is now empty needs the
 * table's manifests, not only the commit's, so that is read only for partitions a commit removed
 * files from without adding any (deletes and overwrites; appends and compactions never pay it).
 * All that reading happens in `prepare`, before the pointer row is locked, whenever the store can
 * anticipate the change (every swap and atomic commit); `record` then only writes event rows.
 * Changes made through /mds/v1 do not come here: the catalog service writes their events itself.
 */
export class WarehouseEventRecorder implements PointerChangeRecorder {
  constructor(private readonly options: WarehouseEventRecorderOptions) {}

  /** Reads, ahead of the transaction, the snapshots and manifests that name an update's partitions. */
  async prepare(changes: readonly PointerChange[]): Promise<RecordPreparation> {
    const out = new Map<PointerChange, UpdateAnalysis>();
    for (const change of changes) if (change.kind === 'table-updated') out.set(change, await this.analyse(change));
    return out;
  }

  async record(transaction: Kysely<Tables>, changes: readonly PointerChange[], preparation?: RecordPreparation): Promise<() => void> {
    const now = new Date().toISOString();
    const user = currentAuthor() ?? this.options.user;
    const drafts: CatalogEventDraft[] = [];
    const emit = (type: CatalogEventType, name: string, payload: Record<string, unknown>) =>
      drafts.push({ type, name, catalog: this.options.catalog, timestamp: now, user, payload });
    for (const change of changes) {
      switch (change.kind) {
        case 'table-created':
          emit('TABLE_CREATE', this.tableName(change.table), { table: this.tableDto(change.table, change.metadataLocation) });
          break;
        case 'table-updated':
          this.tableUpdated(change, (preparation?.get(change) as UpdateAnalysis | undefined) ?? (await this.analyse(change)), emit);
          break;
        case 'table-dropped':
          emit('TABLE_DELETE', this.tableName(change.table), { table: { name: this.tableJson(change.table) } });
          break;
        case 'table-renamed':
          emit('TABLE_RENAME', this.tableName(change.from), { previous: this.tableJson(change.from), current: this.tableJson(change.to) });
          break;
        case 'namespace-created':
          emit('DATABASE_CREATE', this.databaseName(change.namespace), { database: { name: this.databaseJson(change.namespace), metadata: { ...change.properties } } });
          break;
        case 'namespace-updated':
          emit('DATABASE_UPDATE', this.databaseName(change.namespace), { database: { name: this.databaseJson(change.namespace) }, updates: { ...change.updates }, removals: [...change.removals] });
          break;
        case 'namespace-dropped':
          emit('DATABASE_DELETE', this.databaseName(change.namespace), { database: { name: this.databaseJson(change.namespace) } });
          break;
      }
    }
    const events = await this.options.log.append(transaction, drafts, this.options.webhooksFor);
    return () => this.options.log.published(events);
  }

  /** What an update did, read from files: never throws, since the commit stands whatever the files say. */
  private async analyse(change: Extract<PointerChange, { kind: 'table-updated' }>): Promise<UpdateAnalysis> {
    try {
      const added = change.metadata ? await this.newSnapshots(change, change.metadata) : [];
      const partitions = change.metadata && added.length > 0 ? await this.partitionChanges(change.metadata, added) : undefined;
      return { added, partitions };
    } catch (error) {
      // The catalog accepts snapshots whose files it cannot read (the writer owns them); the commit
      // stands and the event says what it could not tell.
      return { added: [], unreadable: (error as Error).message };
    }
  }

  private tableUpdated(
    change: Extract<PointerChange, { kind: 'table-updated' }>,
    { added, partitions, unreadable }: UpdateAnalysis,
    emit: (type: CatalogEventType, name: string, payload: Record<string, unknown>) => void,
  ): void {
    const name = this.tableName(change.table);
    const latest = added[0];
    emit('TABLE_UPDATE', name, {
      previous: this.tableDto(change.table, change.previousMetadataLocation),
      patch: [
        { op: 'replace', path: '/metadata/metadata_location', value: change.metadataLocation },
        { op: 'add', path: '/metadata/previous_metadata_location', value: change.previousMetadataLocation },
      ],
      ...(latest ? { snapshot: { snapshotId: latest.snapshotId.toString(), timestampMs: latest.timestampMs, summary: latest.summary } } : {}),
      ...(unreadable ? { partitionsUnknown: unreadable } : {}),
    });
    if (!partitions) return;
    if (partitions.added.length > 0 || partitions.updated.length > 0) {
      emit('PARTITION_ADD', name, {
        added: partitions.added.slice(0, EVENT_NAME_LIMIT),
        updated: partitions.updated.slice(0, EVENT_NAME_LIMIT),
        numAddedPartitions: partitions.added.length,
        numUpdatedPartitions: partitions.updated.length,
      });
    }
    if (partitions.deleted.length > 0) {
      emit('PARTITION_DELETE', name, { deleted: partitions.deleted.slice(0, EVENT_NAME_LIMIT), numDeletedPartitions: partitions.deleted.length });
    }
  }

  /**
   * Partitions the snapshots (newest first) wrote into; one that also lost files in them was
   * rewritten (copy-on-write): Metacat's "updated". Partitions that only lost files are deleted if
   * the newest snapshot has no data file left in them.
   */
  private async partitionChanges(metadata: TableMetadata, snapshots: readonly Snapshot[]): Promise<PartitionChanges> {
    const written = new Set<string>();
    const rewritten = new Set<string>();
    const emptied = new Map<string, PartitionRef>();
    for (const snapshot of snapshots) {
      const changes = await snapshotPartitionChanges(this.options.io, metadata, snapshot, metacatName);
      for (const name of changes.added) (changes.removed.has(name) ? rewritten : written).add(name);
      for (const [name, ref] of changes.removed) emptied.set(name, ref);
    }
    for (const name of rewritten) written.delete(name);
    for (const name of [...written, ...rewritten]) emptied.delete(name);
    const live = await partitionsWithData(this.options.io, metadata, snapshots[0]!, emptied, metacatName);
    return { added: [...written].sort(), updated: [...rewritten].sort(), deleted: [...emptied.keys()].filter((name) => !live.has(name)).sort() };
  }

  /** Snapshots that became part of the current branch in this commit, newest first. */
  private async newSnapshots(change: Extract<PointerChange, { kind: 'table-updated' }>, metadata: TableMetadata): Promise<Snapshot[]> {
    const current = currentSnapshot(metadata);
    if (!current) return [];
    // Every Quarry writer hands over the base it committed on; only a bare swap costs a read.
    const before = change.previousMetadata ?? (await readMetadataFile(this.options.io, change.previousMetadataLocation)).metadata;
    const previous = currentSnapshot(before)?.snapshotId;
    const out: Snapshot[] = [];
    for (let s: Snapshot | undefined = current; s && s.snapshotId !== previous && out.length < MAX_SNAPSHOTS_PER_COMMIT; ) {
      out.push(s);
      const parent: bigint | undefined = s.parentSnapshotId;
      s = parent === undefined ? undefined : metadata.snapshots.find((candidate) => candidate.snapshotId === parent);
    }
    return out;
  }

  private tableDto(table: TableIdentifier, metadataLocation: string) {
    return { name: this.tableJson(table), metadata: { table_type: 'ICEBERG', metadata_location: metadataLocation } };
  }

  private tableName(table: TableIdentifier): string {
    return `${this.databaseName(table.namespace)}/${fold(table.name)}`;
  }

  private databaseName(namespace: readonly string[]): string {
    return `${this.options.catalog}/${fold(namespace.join('.'))}`;
  }

  private tableJson(table: TableIdentifier) {
    return nameJson(this.tableName(table));
  }

  private databaseJson(namespace: readonly string[]) {
    return nameJson(this.databaseName(namespace));
  }
}

// Metacat lower-cases database and table names; events name tables the way /mds/v1 does.
function fold(name: string): string {
  return name.toLowerCase();
}

function nameJson(qualified: string) {
  try {
    return QualifiedName.parse(qualified).toJSON();
  } catch {
    // A pointer name Metacat's grammar refuses (rare characters) still gets a readable name.
    return { qualifiedName: qualified };
  }
}
