import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { JobStatus } from '../protocol/agent/job-status.ts';

/** One status a job entered, with when (epoch ms) and the message it carried. */
export interface JobStatusChange {
  status: JobStatus;
  message: string | null;
  at: number;
}

const MESSAGE_MAX = 255;

/**
 * Appends a status change. The caller passes the transaction that changed the job's status, so the
 * history holds a status exactly when the job entered it: a change that lost its compare-and-set, or
 * rolled back, leaves no row.
 */
export async function recordStatusChange(db: Kysely<Tables>, jobId: string, change: JobStatusChange): Promise<void> {
  await db
    .insertInto('job_status_change')
    .values({ job_id: jobId, status: change.status, message: change.message?.slice(0, MESSAGE_MAX) ?? null, at: change.at })
    .execute();
}

/** A job's status changes, oldest first (in the order they were written when two share a millisecond). */
export async function readStatusHistory(db: Kysely<Tables>, jobId: string): Promise<JobStatusChange[]> {
  const rows = await db.selectFrom('job_status_change').select(['status', 'message', 'at']).where('job_id', '=', jobId).orderBy('id').execute();
  return rows.map((row) => ({ status: row.status as JobStatus, message: row.message, at: Number(row.at) }));
}
