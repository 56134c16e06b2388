import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';
import { ConflictError } from '../errors/conflict-error.ts';
import type { JobRecord, StoredSpecification } from './job-record.ts';
import { fromRow, toRow, type NewJob } from './job-row.ts';
import { searchJobs, type JobSearchFilter } from './job-search.ts';
import { readStatusHistory, recordStatusChange, type JobStatusChange } from './job-status-history.ts';
import type { Page, PageRequest } from './paging.ts';
import {
  ACTIVE_STATUSES,
  AGENT_OWNED_STATUSES,
  CLAIMABLE_STATUSES,
  FINAL_STATUSES,
  UNCLAIMED_STATUSES,
  canTransition,
  isFinal,
  type ArchiveStatus,
  type JobStatus,
} from '../protocol/agent/job-status.ts';

export interface StatusChangeOutcome {
  changed: boolean;
  /** The status after the attempt: the new one, or the current one that made the change fail. */
  status: JobStatus;
  /** The record after the attempt (absent only if the job does not exist). */
  job?: JobRecord;
}

export interface StatusChangeExtra {
  exitCode?: number;
  processId?: number;
  /** Only change the job if this agent owns it. */
  agentId?: string;
  archiveStatus?: ArchiveStatus;
  /** When a final status is stamped as `finished` (epoch ms); `now` without it. */
  finished?: number;
}

const STATUS_MSG_MAX = 255;

/**
 * The `job` table and its companions. Every status change is a compare-and-set on the current
 * status (`update … where status = expected`), so two server nodes, or an agent and the leader,
 * can race and exactly one wins; a final status is never left. Agents, their heartbeats and
 * kill requests are AgentStore's (`agent-store.ts`). Each status a job enters is recorded in its
 * history (`job-status-history.ts`) in the same transaction as the change.
 */
export class JobStore {
  private readonly db: Kysely<Tables>;

  constructor(private readonly database: Database) {
    this.db = database.db;
  }

  /** Saves a submitted job RESERVED; `submittedBy` is the submitting node's ServerNodes id, when it advertises. */
  async insert(job: NewJob, statusMsg: string, submittedBy?: string): Promise<void> {
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('job')
          .values({
            ...toRow(job),
            updated: job.created,
            status: 'RESERVED',
            status_msg: statusMsg,
            submitted_by: submittedBy ?? null,
          })
          .execute();
        await recordStatusChange(tx, job.id, { status: 'RESERVED', message: statusMsg, at: job.created });
        const tags = [...new Set(job.tags)];
        if (tags.length > 0) await tx.insertInto('job_tag').values(tags.map((tag) => ({ job_id: job.id, tag }))).execute();
      });
    } catch (error) {
      if (this.database.adapter.isUniqueViolation(error)) throw new ConflictError(`A job with id ${job.id} already exists`, { id: job.id });
      throw error;
    }
  }

  /** Up to `limit` finished jobs created before `createdBefore`, oldest first: the retention's next batch. */
  async findExpired(createdBefore: number, limit: number): Promise<Array<{ id: string; archiveLocation?: string; numAttachments: number }>> {
    const rows = await this.db
      .selectFrom('job')
      .select(['id', 'archive_location', 'num_attachments'])
      .where('created', '<', createdBefore)
      .where('status', 'in', FINAL_STATUSES)
      .orderBy('created')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ id: row.id, archiveLocation: row.archive_location ?? undefined, numAttachments: row.num_attachments }));
  }

  /** Deletes finished jobs (with their tags and application links) in one transaction; answers how many. */
  async deleteFinished(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.db.deleteFrom('job').where('id', 'in', ids).where('status', 'in', FINAL_STATUSES).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes a job row (its tags go with it); used to roll back a submission that could not complete. */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('job').where('id', '=', id).execute();
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const row = await this.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The statuses the job has entered, oldest first (empty for a job that does not exist). */
  statusHistory(id: string): Promise<JobStatusChange[]> {
    return readStatusHistory(this.db, id);
  }

  /**
   * Compare-and-set of the status: changes `expected` → `next` only if the job still has `expected`
   * (and, with `agentId`, is owned by that agent). Same → same is a no-op that reports success.
   * RUNNING stamps `started`; a final status after a start stamps `finished`.
   */
  async changeStatus(id: string, expected: JobStatus, next: JobStatus, message: string, extra: StatusChangeExtra = {}, now = Date.now()): Promise<StatusChangeOutcome> {
    if (expected === next) {
      const job = await this.get(id);
      return { changed: job?.status === next, status: job?.status ?? expected, job };
    }
    if (canTransition(expected, next)) {
      const changed = await this.db.transaction().execute(async (tx) => {
        let update = tx
          .updateTable('job')
          .set({
            status: next,
            status_msg: message.slice(0, STATUS_MSG_MAX),
            updated: now,
            ...(next === 'RUNNING' ? { started: now } : {}),
            // In the same statement as the status: a final status without its end time (a connection
            // lost between two statements) would never be repaired, since the retry is a no-op.
            ...(isFinal(next) ? { finished: sql<number | null>`case when started is null then finished else ${extra.finished ?? now} end` } : {}),
            ...(extra.exitCode !== undefined ? { exit_code: extra.exitCode } : {}),
            ...(extra.processId !== undefined ? { process_id: extra.processId } : {}),
            ...(extra.archiveStatus !== undefined ? { archive_status: extra.archiveStatus } : {}),
          })
          .where('id', '=', id)
          .where('status', '=', expected);
        if (extra.agentId !== undefined) update = update.where('agent_id', '=', extra.agentId);
        const result = await update.executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await recordStatusChange(tx, id, { status: next, message, at: now });
        return true;
      });
      const job = await this.get(id);
      return { changed, status: job?.status ?? expected, job };
    }
    const job = await this.get(id);
    return { changed: false, status: job?.status ?? expected, job };
  }

  /**
   * RESERVED → RESOLVED with the resolution, and the job's applications recorded in setup order
   * (one transaction); fails (false) if the job left RESERVED meanwhile.
   */
  async markResolved(
    id: string,
    spec: StoredSpecification,
    resolved: { clusterId: string; clusterName: string; commandId: string; commandName: string; applicationIds: string[] },
    message: string,
  ): Promise<boolean> {
    const now = Date.now();
    return this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('job')
        .set({
          status: 'RESOLVED',
          status_msg: message,
          updated: now,
          specification: JSON.stringify(spec),
          cluster_id: resolved.clusterId,
          cluster_name: resolved.clusterName,
          command_id: resolved.commandId,
          command_name: resolved.commandName,
        })
        .where('id', '=', id)
        .where('status', '=', 'RESERVED')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await recordStatusChange(tx, id, { status: 'RESOLVED', message, at: now });
      if (resolved.applicationIds.length > 0) {
        await tx
          .insertInto('job_application')
          .values(resolved.applicationIds.map((applicationId, position) => ({ job_id: id, position, application_id: applicationId })))
          .execute();
      }
      return true;
    });
  }

  /** Claims a specific job for an agent: RESOLVED/ACCEPTED → CLAIMED, compare-and-set. */
  async claim(id: string, agentId: string, hostName: string, message: string, now = Date.now()): Promise<JobRecord | undefined> {
    const claimed = await this.db.transaction().execute(async (tx) => {
      const result = await tx
        .updateTable('job')
        .set({ status: 'CLAIMED', status_msg: message, updated: now, agent_id: agentId, host_name: hostName, claimed_at: now, heartbeat_at: now })
        .where('id', '=', id)
        .where('status', 'in', CLAIMABLE_STATUSES)
        .where('agent_id', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await recordStatusChange(tx, id, { status: 'CLAIMED', message, at: now });
      return true;
    });
    return claimed ? this.get(id) : undefined;
  }

  /**
   * Moves a running job from an agent that died to its successor on the same host: compare-and-set
   * on the previous owner, so only one successor wins and a job already finished stays as it is.
   */
  async adopt(id: string, previousAgentId: string, agentId: string, hostName: string, now = Date.now()): Promise<JobRecord | undefined> {
    const result = await this.db
      .updateTable('job')
      .set({ agent_id: agentId, host_name: hostName, heartbeat_at: now, updated: now })
      .where('id', '=', id)
      .where('agent_id', '=', previousAgentId)
      .where('status', 'in', AGENT_OWNED_STATUSES)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1 ? this.get(id) : undefined;
  }

  /** Claims the oldest accepted job for an agent, if any. Losing a race to another agent moves on to the next. */
  async claimNext(agentId: string, hostName: string, message: string): Promise<JobRecord | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const candidates = await this.db
        .selectFrom('job')
        .select('id')
        .where('status', '=', 'ACCEPTED')
        .where('agent_id', 'is', null)
        .orderBy('created')
        .limit(8)
        .execute();
      if (candidates.length === 0) return undefined;
      for (const { id } of candidates) {
        const claimed = await this.claim(id, agentId, hostName, message);
        if (claimed) return claimed;
      }
    }
    return undefined;
  }

  /** One page of jobs matching a search (src/jobs/job-search.ts). */
  search(filter: JobSearchFilter, page: PageRequest): Promise<Page<JobRecord>> {
    return searchJobs(this.db, filter, page);
  }

  /** The lifecycle facts of the named jobs that exist (for an agent deciding which directories to delete). */
  async states(ids: string[]): Promise<Array<{ id: string; status: JobStatus; archiveStatus: ArchiveStatus; finished?: number; updated: number }>> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('job').select(['id', 'status', 'archive_status', 'finished', 'updated']).where('id', 'in', ids).execute();
    return rows.map((row) => ({
      id: row.id,
      status: row.status as JobStatus,
      archiveStatus: row.archive_status as ArchiveStatus,
      ...(row.finished === null ? {} : { finished: Number(row.finished) }),
      updated: Number(row.updated),
    }));
  }

  async setArchiveStatus(id: string, agentId: string, archiveStatus: ArchiveStatus): Promise<boolean> {
    const result = await this.db
      .updateTable('job')
      .set({ archive_status: archiveStatus, updated: Date.now() })
      .where('id', '=', id)
      .where('agent_id', '=', agentId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async countActiveForUser(user: string): Promise<number> {
    const row = await this.db
      .selectFrom('job')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_name', '=', user)
      .where('status', 'in', ACTIVE_STATUSES)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Active jobs per cluster: the load the least-loaded cluster selector balances (ClusterLoad). */
  async countActiveByCluster(clusterIds: string[]): Promise<Map<string, number>> {
    const counts = new Map(clusterIds.map((id) => [id, 0]));
    if (clusterIds.length === 0) return counts;
    const rows = await this.db
      .selectFrom('job')
      .select(['cluster_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('cluster_id', 'in', clusterIds)
      .where('status', 'in', ACTIVE_STATUSES)
      .groupBy('cluster_id')
      .execute();
    for (const row of rows) if (row.cluster_id) counts.set(row.cluster_id, Number(row.n));
    return counts;
  }

  /** Jobs an agent owns whose heartbeat is older than `cutoff`. */
  async findSilent(cutoff: number, limit = 100): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('job')
      .selectAll()
      .where('status', 'in', AGENT_OWNED_STATUSES)
      .where('heartbeat_at', '<', cutoff)
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /**
   * Puts back in the queue (CLAIMED → ACCEPTED, owner cleared) jobs claimed before `cutoff` that their
   * agent never started: the claim's answer was lost with a connection, or the agent died at once.
   * Compare-and-set on CLAIMED and the claim time, so an INIT that lands first wins and the job stays;
   * an INIT arriving after finds another owner (or none) and is refused. Answers the ids requeued.
   */
  async requeueUnstartedClaims(cutoff: number, now = Date.now()): Promise<string[]> {
    const stale = await this.db.selectFrom('job').select(['id', 'claimed_at']).where('status', '=', 'CLAIMED').where('claimed_at', '<', cutoff).limit(100).execute();
    const requeued: string[] = [];
    const message = 'The job has been accepted by the system for execution';
    for (const row of stale) {
      const done = await this.db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('job')
          .set({ status: 'ACCEPTED', status_msg: message, updated: now, agent_id: null, host_name: null, claimed_at: null, heartbeat_at: null })
          .where('id', '=', row.id)
          .where('status', '=', 'CLAIMED')
          .where('claimed_at', '=', row.claimed_at)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await recordStatusChange(tx, row.id, { status: 'ACCEPTED', message, at: now });
        return true;
      });
      if (done) requeued.push(row.id);
    }
    return requeued;
  }

  /**
   * Jobs still RESERVED or RESOLVED whose submitting node has not renewed its `server_node` row since
   * `nodeCutoff` (it died, or stopped, before answering the submission): none of them is in progress.
   */
  async findInterruptedSubmissions(nodeCutoff: number, limit = 100): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('job')
      .selectAll()
      .where('status', 'in', ['RESERVED', 'RESOLVED'])
      .where('submitted_by', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('server_node').select('server_node.id').whereRef('server_node.id', '=', 'job.submitted_by').where('server_node.heartbeat_at', '>=', nodeCutoff))),
      )
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /**
   * Jobs not claimed since before `cutoff`: waiting for an agent, or left RESERVED by a node that
   * stopped between saving and resolving them.
   */
  async findUnclaimed(cutoff: number, limit = 100): Promise<JobRecord[]> {
    const rows = await this.db
      .selectFrom('job')
      .selectAll()
      .where('status', 'in', UNCLAIMED_STATUSES)
      .where('updated', '<', cutoff)
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }

  /**
   * Marks UNKNOWN the archives of finished jobs still PENDING since before `cutoff` whose agent has
   * not heartbeaten since `agentCutoff` (Genie's ArchiveStatusCleanupTask: an agent still alive is
   * probably still uploading). Answers how many changed.
   */
  async markStaleArchivesUnknown(cutoff: number, agentCutoff: number, now = Date.now()): Promise<number> {
    const result = await this.db
      .updateTable('job')
      .set({ archive_status: 'UNKNOWN', updated: now })
      .where('archive_status', '=', 'PENDING')
      .where('status', 'in', FINAL_STATUSES)
      .where('updated', '<', cutoff)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('job_agent')
              .select('job_agent.id')
              .whereRef('job_agent.id', '=', 'job.agent_id')
              .where('job_agent.heartbeat_at', '>=', agentCutoff),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
