import type { Platform } from '../../src/http/platform.ts';
import type { NewJob } from '../../src/jobs/job-row.ts';
import { toRow } from '../../src/jobs/job-row.ts';

/**
 * Inserts `count` finished jobs straight into the job table, in batches, for tests and benchmarks
 * of pages over many jobs (submitting them through the API would take minutes). Job i is named
 * `${prefix}-${i}` (zero-padded to 5 digits) and created at `base + i` ms, so the newest is the last. The default base is recent:
 * the database cleanup removes finished jobs older than its retention (seen on SQLite).
 */
export async function insertFinishedJobs(platform: Platform, count: number, prefix = 'bulk', base = Date.now() - 60_000): Promise<string[]> {
  const ids: string[] = [];
  const rows = [];
  for (let i = 0; i < count; i++) {
    const id = `${prefix}-${String(i).padStart(5, '0')}`;
    ids.push(id);
    const created = base + i;
    const job: NewJob = {
      id,
      created,
      name: `${prefix}-name-${i}`,
      user: `user${i % 7}`,
      version: '1',
      tags: [],
      request: { name: `${prefix}-name-${i}`, user: `user${i % 7}`, version: '1', clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'] } as unknown as NewJob['request'],
      commandArgs: '-c true',
      archiveStatus: 'NO_FILES',
      timeoutSeconds: 3600,
      numAttachments: 0,
      totalAttachmentSize: 0,
      requestHeaders: {},
    };
    rows.push({
      ...toRow(job),
      updated: created + 2000,
      status: 'SUCCEEDED',
      status_msg: 'Job finished successfully.',
      cluster_name: 'cluster1',
      command_name: 'bash',
      started: created + 1000,
      finished: created + 2000,
      exit_code: 0,
    });
  }
  const db = platform.database.db;
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('job').values(rows.slice(i, i + 500)).execute();
  return ids;
}
