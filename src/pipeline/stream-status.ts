import type { Warehouse } from '../warehouse/warehouse.ts';
import { committedState } from './committed-offsets.ts';
import type { EventLog } from './event-log.ts';
import { deadLetterTable, tableIdentifier, type StreamDefinition } from './stream-definition.ts';
import type { StoredStream } from './stream-store.ts';

/** What GET /api/pipeline/v1/streams/{name} and /metrics report about a stream. */
export interface StreamStatus {
  name: string;
  active: boolean;
  table: string;
  deadLetterTable: string;
  definition: StreamDefinition;
  log: 'embedded' | 'kafka';
  /** Events the collector accepted / rejected (dead letters), since the stream was first declared. */
  accepted: number;
  rejected: number;
  /** Events and dead letters committed to the tables. */
  committed: number;
  deadLettersCommitted: number;
  /** Records in the log not yet committed to both tables, and the age of the oldest of them. */
  lag: { events: number; seconds: number };
  /** Time of the last pipeline commit to the table (ISO 8601), null before the first. */
  lastCommit: string | null;
  /** Data files and bytes of the table's current snapshot. */
  files: number;
  bytes: number;
}

/** Reads a stream's status from its counters, its tables' committed offsets and the log's ends. */
export async function streamStatus(stream: StoredStream, warehouse: Warehouse, log: EventLog): Promise<StreamStatus> {
  const { definition } = stream;
  const table = await warehouse.loadTable(tableIdentifier(definition.table));
  const dead = await warehouse.loadTable(tableIdentifier(deadLetterTable(definition.table)));
  const data = committedState(table.metadata(), stream.name);
  const deadState = committedState(dead.metadata(), stream.name);
  let events = 0;
  let oldest = Infinity;
  const partitions = await log.partitionCount(stream.name);
  for (let p = 0; p < partitions; p++) {
    const from = Math.min(data.offsets[p] ?? 0, deadState.offsets[p] ?? 0);
    const end = await log.endOffset(stream.name, p);
    if (end <= from) continue;
    events += end - from;
    const [first] = await log.read(stream.name, p, from, 1);
    if (first && first.appendedAt < oldest) oldest = first.appendedAt;
  }
  const summary: Record<string, string> = table.currentSnapshot()?.summary ?? {};
  return {
    name: stream.name,
    active: stream.active,
    table: definition.table,
    deadLetterTable: deadLetterTable(definition.table),
    definition,
    log: log.kind,
    accepted: stream.accepted,
    rejected: stream.rejected,
    committed: data.committed,
    deadLettersCommitted: deadState.committed,
    lag: { events, seconds: oldest === Infinity ? 0 : Math.max(0, (Date.now() - oldest) / 1000) },
    lastCommit: data.committedAtMs === undefined ? null : new Date(data.committedAtMs).toISOString(),
    files: Number(summary['total-data-files'] ?? 0),
    bytes: Number(summary['total-files-size'] ?? 0),
  };
}
