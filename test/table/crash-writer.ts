// A writer the crash test kills: it writes a data file, its manifest and manifest list and the new
// metadata file, announces READY just before the pointer swap, and waits there to be SIGKILLed.
import { openDatabase } from '../../src/db/database.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import type { TablePointerStore } from '../../src/table/table-pointer-store.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';

const database = await openDatabase({ kind: 'sqlite', path: process.env.CRASH_DB! });
const base = Warehouse.open({ database, warehouse: process.env.CRASH_WAREHOUSE!, s3: { region: 'us-east-1', forcePathStyle: true } });
const pausing: TablePointerStore = Object.create(base.pointers, {
  swap: {
    value: async () => {
      process.stdout.write('READY\n');
      await new Promise(() => {});
      return false;
    },
  },
});
const warehouse = new Warehouse(pausing, base.io, base.root);
const table = await warehouse.loadTable({ namespace: ['crash'], name: 't' });
const session = await DuckDbSession.open({ memoryLimit: '128MB' });
await new TableData(session).appendRows(table, [{ id: 999 }]);
