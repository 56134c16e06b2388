import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvedResourceJson } from '../../src/jobs/routes/job-representation.ts';
import type { Cluster } from '../../src/jobs/resources.ts';

const CREATED = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
const cluster: Cluster = {
  id: 'c1',
  name: 'c1',
  user: 'admin',
  version: '1',
  status: 'UP',
  tags: ['sched:adhoc'],
  configs: [],
  dependencies: [],
  created: CREATED,
  updated: CREATED + 1000,
};

// Records keep time as epoch milliseconds; a job stores the cluster and command it was resolved to
// as JSON, so jobs resolved earlier, while registry records held Date objects, stored ISO text.
describe('a job\'s resolved resource', () => {
  it('is served with ISO times whether its snapshot stored epoch milliseconds or ISO text', () => {
    const stored = JSON.parse(JSON.stringify(cluster)) as Record<string, unknown>;
    const legacy = { ...stored, created: new Date(CREATED).toISOString(), updated: new Date(CREATED + 1000).toISOString() };
    const now = resolvedResourceJson(stored, 'http://q', 'cluster') as Record<string, unknown>;
    const before = resolvedResourceJson(legacy, 'http://q', 'cluster') as Record<string, unknown>;
    assert.equal(now.created, '2026-01-02T03:04:05.006Z');
    assert.equal(now.updated, '2026-01-02T03:04:06.006Z');
    assert.deepEqual(before, now);
  });
});
