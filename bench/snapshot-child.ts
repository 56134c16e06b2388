// The measured half of bench/snapshot.bench.ts, run in its own process so its heap limit and peak
// RSS are its own: snapshots ops.dim.members into bench.members and prints figures as JSON.
// Arguments: the configuration file, DuckDB's memory limit.
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { DimensionSnapshot } from '../src/snapshot/dimension-snapshot.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';

const [configFile, memoryLimit] = process.argv.slice(2);
const config = loadConfig({ QUARRY_CONFIG: path.resolve(configFile!) });
const database = await openDatabase(config.database);
const warehouse = Warehouse.open({ database, warehouse: config.warehouse, s3: config.s3 });
const session = await DuckDbSession.open({ memoryLimit });
const marks = [0.1, 0.25, 0.5, 0.75, 1];
const rssMb: number[] = [];
let readMs = 0;
let reading = true;
// RSS every 2 s, by phase: flat means no phase grows with the table.
const trace = { read: [] as number[], write: [] as number[] };
const sampler = setInterval(() => (reading ? trace.read : trace.write).push(Math.round(process.memoryUsage().rss / 1e6)), 2000);
const t0 = performance.now();
const outcome = await new DimensionSnapshot({
  catalogs: config.catalogs ?? [],
  warehouse,
  session,
  progress: () => ({
    update(p) {
      readMs = performance.now() - t0;
      while (marks.length > 0 && p.rowEstimate && p.rows >= marks[0]! * p.rowEstimate) {
        marks.shift();
        rssMb.push(Math.round(process.memoryUsage().rss / 1e6));
      }
    },
    done() {
      reading = false;
    },
  }),
}).run({ catalog: 'ops', source: 'dim.members', into: 'bench.members', date: '20260105' });
const totalMs = performance.now() - t0;
clearInterval(sampler);
session.close();
await database.close();
process.stdout.write(JSON.stringify({ rows: outcome.rows, readMs, totalMs, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), rssMb, trace }));
