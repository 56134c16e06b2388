import type { ExperimentDefinitionInput } from '../experiments/experiment-definition.ts';
import type { StreamDefinition } from '../pipeline/stream-definition.ts';
import { DEMO } from './demo-names.ts';

/** The demo's three streams: playback sessions, UI events and experiment allocations, each partitioned by day. */
export const DEMO_STREAMS: Record<keyof typeof DEMO.streams, StreamDefinition> = {
  playback: {
    table: DEMO.streams.playback.table,
    eventTime: 'ts',
    partitionBy: [{ column: 'ts', transform: 'day' }],
    fields: [
      { name: 'member', type: 'long', required: true },
      { name: 'ts', type: 'timestamptz', required: true },
      { name: 'title', type: 'string' },
      { name: 'device', type: 'string' },
      { name: 'hours', type: 'double', required: true },
    ],
  },
  ui: {
    table: DEMO.streams.ui.table,
    eventTime: 'ts',
    partitionBy: [{ column: 'ts', transform: 'day' }],
    fields: [
      { name: 'member', type: 'long', required: true },
      { name: 'ts', type: 'timestamptz', required: true },
      { name: 'action', type: 'string', required: true },
      { name: 'device', type: 'string' },
    ],
  },
  allocations: {
    table: DEMO.streams.allocations.table,
    eventTime: 'allocated_at',
    partitionBy: [{ column: 'allocated_at', transform: 'day' }],
    fields: [
      { name: 'member', type: 'long', required: true },
      { name: 'experiment', type: 'string', required: true },
      { name: 'cell', type: 'string', required: true },
      { name: 'allocated_at', type: 'timestamptz', required: true },
    ],
  },
};

/** The experiment: three equal cells, streaming hours per member in the 7 days after allocation. */
export const DEMO_EXPERIMENT: ExperimentDefinitionInput = {
  allocation: { table: DEMO.streams.allocations.table },
  control: DEMO.cells.control,
  cells: [{ name: DEMO.cells.control }, { name: DEMO.cells.effect }, { name: DEMO.cells.none }],
  metrics: [{ name: 'streaming_hours', kind: 'mean', table: DEMO.streams.playback.table, value: 'sum(hours)', windowDays: 7 }],
};

/** The sql job's query: sessions and hours per device over the week. */
export const DEMO_SQL = `SELECT device, count(*) AS sessions, round(sum(hours), 1) AS hours FROM ${DEMO.streams.playback.table} GROUP BY device ORDER BY hours DESC`;
