import { rmSync } from 'node:fs';
import type { QuarryConfig } from '../config/config.ts';
import type { DemoClient } from './demo-client.ts';
import { revokeDemoToken } from './demo-credential.ts';
import { DEMO } from './demo-names.ts';
import { removeDemoResources } from './demo-registry.ts';
import type { DemoFiles } from './demo-setup.ts';

/**
 * Removes what the demo made, and nothing else: its experiment and reports, its clusters and
 * commands, its snapshot tables (dropped with their files) and its folder (operational database,
 * configuration, server log) and the admin token it made for itself. Its streams are stopped and their tables emptied but kept: the
 * pipeline shows stopped streams with their tables' counts, and the tables' committed log offsets
 * are what keeps a later demo run from reading the old events from the log again.
 */
export async function removeDemo(client: DemoClient, config: QuarryConfig, files: DemoFiles, say: (line: string) => void): Promise<void> {
  await client.request('DELETE', `/api/experiments/v1/experiments/${DEMO.experiment}`, undefined, [404]);
  await removeDemoResources(client);
  for (const stream of Object.values(DEMO.streams)) await client.request('DELETE', `/api/pipeline/v1/streams/${stream.name}`, undefined, [404]);
  say(`removed experiment ${DEMO.experiment}, the demo's clusters and commands; stopped its streams`);
  for (const table of DEMO.dimensionTables) {
    await client.request('DELETE', `/iceberg/v1/namespaces/${DEMO.dimensionsDb}/tables/${table}?purgeRequested=true`, undefined, [404]);
  }
  await client.request('DELETE', `/iceberg/v1/namespaces/${DEMO.dimensionsDb}`, undefined, [404, 409]);
  say(`dropped ${DEMO.dimensionTables.map((t) => `${DEMO.dimensionsDb}.${t}`).join(', ')}`);
  const emptied = await emptyStreamTables(config);
  if (emptied.length > 0) say(`emptied ${emptied.join(', ')} (kept for the stopped streams' offsets)`);
  const revoked = await revokeDemoToken(config, files);
  if (revoked) say(`revoked the demo's admin token ${revoked}`);
  rmSync(files.folder, { recursive: true, force: true });
  say(`removed ${files.folder}`);
}

/** Deletes every row of the demo's stream tables in one commit each; answers the tables that had rows. */
async function emptyStreamTables(config: QuarryConfig): Promise<string[]> {
  const [{ openDatabase }, { Warehouse }, { DuckDbSession }, { TableData }, { alwaysTrue }, { tableIdentifier }] = await Promise.all([
    import('../db/database.ts'),
    import('../warehouse/warehouse.ts'),
    import('../table/duckdb-session.ts'),
    import('../table/table-data.ts'),
    import('../table/expression.ts'),
    import('../pipeline/stream-definition.ts'),
  ]);
  const database = await openDatabase(config.database);
  const session = await DuckDbSession.open();
  const emptied: string[] = [];
  try {
    const warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3 });
    const data = new TableData(session);
    for (const stream of Object.values(DEMO.streams)) {
      for (const name of [stream.table, `${stream.table}_dead_letters`]) {
        const id = tableIdentifier(name);
        if (!(await warehouse.tableExists(id))) continue;
        const result = await data.deleteRows(await warehouse.loadTable(id), alwaysTrue());
        if (result.deletedRows > 0) emptied.push(name);
      }
    }
  } finally {
    session.close();
    await database.close();
  }
  return emptied;
}
