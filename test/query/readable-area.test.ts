import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readableArea } from '../../src/query/readable-area.ts';

describe('readable area of a query', () => {
  const root = '/srv/quarry/warehouse';

  test("files inside a table's folder inside the warehouse are covered by that folder", () => {
    const area = readableArea(
      ['/srv/quarry/warehouse/web.db/events/data/day=1/a.parquet', '/srv/quarry/warehouse/web.db/events/data/day=2/b.parquet', '/srv/quarry/warehouse/web.db/users/data/c.parquet'],
      ['/srv/quarry/warehouse/web.db/events', '/srv/quarry/warehouse/web.db/users/'],
      root,
    );
    assert.deepEqual(area, { paths: [], directories: ['/srv/quarry/warehouse/web.db/events/', '/srv/quarry/warehouse/web.db/users/'] });
  });

  test('a table located outside the warehouse, or at its root, has its files listed one by one', () => {
    const area = readableArea(['/etc/quarry-table/data/a.parquet', '/srv/quarry/warehouse/x.parquet'], ['/etc/quarry-table', '/srv/quarry/warehouse', '/srv/quarry/warehouse-other'], root);
    assert.deepEqual(area, { paths: ['/etc/quarry-table/data/a.parquet', '/srv/quarry/warehouse/x.parquet'], directories: [] });
  });

  test('a sibling folder sharing a name prefix is not inside', () => {
    const area = readableArea(['/srv/quarry/warehouse2/t/a.parquet'], ['/srv/quarry/warehouse2/t'], root);
    assert.deepEqual(area, { paths: ['/srv/quarry/warehouse2/t/a.parquet'], directories: [] });
  });

  test('a path that climbs out with .. is listed by itself, and a folder that climbs out is not used', () => {
    const area = readableArea(
      ['/srv/quarry/warehouse/web.db/events/../../../../etc/passwd', '/srv/quarry/warehouse/web.db/escape/data/a.parquet'],
      ['/srv/quarry/warehouse/web.db/events', '/srv/quarry/warehouse/web.db/escape/../../../outside'],
      root,
    );
    assert.deepEqual(area, { paths: ['/srv/quarry/warehouse/web.db/events/../../../../etc/passwd', '/srv/quarry/warehouse/web.db/escape/data/a.parquet'], directories: [] });
  });

  test('a warehouse in an object store (no local folder) lists every cached file', () => {
    const area = readableArea(['/cache/1.parquet', '/cache/1.parquet', '/cache/2.parquet'], [], undefined);
    assert.deepEqual(area, { paths: ['/cache/1.parquet', '/cache/2.parquet'], directories: [] });
  });
});
