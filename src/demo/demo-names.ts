/**
 * Every name the demo gives what it creates, in one place: so `quarry demo --remove` removes exactly
 * what the demo made and nothing of the user's, and so the README's tour can name them.
 */
export const DEMO = {
  /** The SQLite source catalog (the operational database of members, plans and devices). */
  catalog: 'demo_ops',
  /** Warehouse databases: dimension snapshots, events, experiment allocations. */
  dimensionsDb: 'demo_dims',
  eventsDb: 'demo_events',
  abDb: 'demo_ab',
  dimensionTables: ['members', 'plans', 'devices'] as const,
  streams: {
    playback: { name: 'demo-playback', table: 'demo_events.playback' },
    ui: { name: 'demo-ui', table: 'demo_events.ui' },
    allocations: { name: 'demo-allocations', table: 'demo_ab.allocations' },
  },
  experiment: 'demo-artwork',
  cells: { control: 'control', effect: 'bigger-art', none: 'new-font' },
  /** Registry ids; the tag quarry:demo marks each, so jobs select the demo's commands only. */
  clusters: { current: 'demo-local', next: 'demo-local-next' },
  commands: { snapshot: 'demo-snapshot', abReport: 'demo-ab-report', sql: 'demo-sql' },
  tag: 'quarry:demo',
  /** The job user and the job tag the demo's jobs carry. */
  user: 'demo',
} as const;

/** Every warehouse table the demo creates, as db.table (dead-letter tables included). */
export function demoTables(): string[] {
  const dims = DEMO.dimensionTables.map((t) => `${DEMO.dimensionsDb}.${t}`);
  const streams = Object.values(DEMO.streams).flatMap((s) => [s.table, `${s.table}_dead_letters`]);
  return [...dims, ...streams];
}
