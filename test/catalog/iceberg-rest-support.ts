import path from 'node:path';
import type { S3Config } from '../../src/config/config.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runPython, type PythonResult } from '../support/python.ts';
import { createTestBucket, testS3Config } from '../support/s3-server.ts';
import type { StoreKind } from '../support/stores.ts';

export type WarehouseKind = 'folder' | 's3';
export const WAREHOUSES: readonly WarehouseKind[] = ['folder', 's3'];

/** A Quarry server listening on loopback, with Quarry's own read path (DuckDB) beside it. */
export interface RestServer {
  t: TestPlatform;
  /** What a REST client is configured with: `<server>/iceberg` (clients add `/v1/...`). */
  uri: string;
  warehouse: Warehouse;
  data: TableData;
  s3?: S3Config;
  /** Runs a script after a prelude that defines `cat` (PyIceberg's RestCatalog on this server), `json` and `plain()`. */
  python(script: string, env?: Record<string, string>): Promise<PythonResult>;
  /** The last stdout line of a script that must succeed, parsed as JSON. */
  pythonJson<T = Record<string, unknown>>(script: string): Promise<T>;
  close(): Promise<void>;
}

export async function openRestServer(store: StoreKind, kind: WarehouseKind = 'folder'): Promise<RestServer> {
  const s3 = kind === 's3' ? await testS3Config() : undefined;
  const t = await openTestPlatform(store, s3 ? { warehouse: `${await createTestBucket()}/warehouse`, s3 } : {});
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as { port: number };
  const uri = `http://127.0.0.1:${port}/iceberg`;
  const session = await DuckDbSession.open({ memoryLimit: '256MB' });
  const warehouse = t.platform.icebergCatalog.warehouse;
  const server: RestServer = {
    t,
    uri,
    warehouse,
    data: new TableData(session),
    s3,
    python: (script, env) => runPython(restPrelude(uri, s3) + script, env),
    async pythonJson<T>(script: string) {
      const result = await server.python(script);
      if (result.code !== 0) throw new Error(`Python failed (${result.code}):\n${result.stderr}\n${result.stdout}`);
      return JSON.parse(result.stdout.trim().split('\n').pop()!) as T;
    },
    async close() {
      session.close();
      await t.close();
    },
  };
  return server;
}

/**
 * PyIceberg's REST catalog on the server. Only credentials are client-side: the S3 endpoint, region
 * and path-style addressing come from the server's /config defaults.
 */
export function restPrelude(uri: string, s3: S3Config | undefined): string {
  const props = s3 ? `, **{'s3.access-key-id': ${JSON.stringify(s3.accessKeyId)}, 's3.secret-access-key': ${JSON.stringify(s3.secretAccessKey)}}` : '';
  return `
import json, datetime, decimal, sys, os, time
from pyiceberg.catalog.rest import RestCatalog
cat = RestCatalog('quarry', uri=${JSON.stringify(uri)}${props})
def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)): return v.isoformat()
    if isinstance(v, decimal.Decimal): return str(v)
    return v
def rows_of(tbl, key='id'):
    return [{k: plain(v) for k, v in r.items()} for r in sorted(tbl.scan().to_arrow().to_pylist(), key=lambda r: r[key])]
`;
}

export const SCRIPT_DIR = path.dirname(new URL(import.meta.url).pathname);
