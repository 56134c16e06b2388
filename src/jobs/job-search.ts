import type { ExpressionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { JobStatus } from '../protocol/agent/job-status.ts';
import { fromRow } from './job-row.ts';
import type { JobRecord } from './job-record.ts';
import type { Page, PageRequest } from './paging.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';

/** The filters of `GET /api/v3/jobs` (reference/genie.md 2.2). A `%` in a string filter makes it a LIKE. */
export interface JobSearchFilter {
  id?: string;
  name?: string;
  user?: string;
  statuses: JobStatus[];
  /** All must be present on the job. */
  tags: string[];
  clusterName?: string;
  clusterId?: string;
  commandName?: string;
  commandId?: string;
  /** Epoch ms; min inclusive, max exclusive. */
  minStarted?: number;
  maxStarted?: number;
  minFinished?: number;
  maxFinished?: number;
  grouping?: string;
  groupingInstance?: string;
}

export const JOB_SORT_FIELDS = ['created', 'updated', 'started', 'finished', 'name', 'user', 'status', 'id'] as const;
type JobSortField = (typeof JOB_SORT_FIELDS)[number];

const COLUMN: Record<JobSortField, 'created' | 'updated' | 'started' | 'finished' | 'name' | 'user_name' | 'status' | 'id'> = {
  created: 'created',
  updated: 'updated',
  started: 'started',
  finished: 'finished',
  name: 'name',
  user: 'user_name',
  status: 'status',
  id: 'id',
};

type StringColumn = 'id' | 'name' | 'user_name' | 'cluster_name' | 'cluster_id' | 'command_name' | 'command_id' | 'grouping' | 'grouping_instance';

/** One page of jobs; an unknown sort field is an InvalidInputError naming the fields that work. */
export async function searchJobs(db: Kysely<Tables>, filter: JobSearchFilter, page: PageRequest): Promise<Page<JobRecord>> {
  for (const { field } of page.sort) {
    if (!(JOB_SORT_FIELDS as readonly string[]).includes(field)) {
      throw new InvalidInputError(`Cannot sort jobs by ${JSON.stringify(field)}; use one of ${JOB_SORT_FIELDS.join(', ')}`, 'sort');
    }
  }
  const where = <O>(query: SelectQueryBuilder<Tables, 'job', O>) => {
    let q = query;
    const text = (column: StringColumn, value: string | undefined) => {
      if (value === undefined) return;
      q = value.includes('%') ? q.where(column, 'like', value) : q.where(column, '=', value);
    };
    text('id', filter.id);
    text('name', filter.name);
    text('user_name', filter.user);
    text('cluster_name', filter.clusterName);
    text('cluster_id', filter.clusterId);
    text('command_name', filter.commandName);
    text('command_id', filter.commandId);
    text('grouping', filter.grouping);
    text('grouping_instance', filter.groupingInstance);
    if (filter.statuses.length > 0) q = q.where('status', 'in', filter.statuses);
    for (const tag of new Set(filter.tags)) {
      q = q.where((eb: ExpressionBuilder<Tables, 'job'>) =>
        eb.exists(eb.selectFrom('job_tag').select('job_tag.job_id').whereRef('job_tag.job_id', '=', 'job.id').where('job_tag.tag', '=', tag)),
      );
    }
    if (filter.minStarted !== undefined) q = q.where('started', '>=', filter.minStarted);
    if (filter.maxStarted !== undefined) q = q.where('started', '<', filter.maxStarted);
    if (filter.minFinished !== undefined) q = q.where('finished', '>=', filter.minFinished);
    if (filter.maxFinished !== undefined) q = q.where('finished', '<', filter.maxFinished);
    return q;
  };
  const count = await where(db.selectFrom('job').select((eb) => eb.fn.countAll<number>().as('n'))).executeTakeFirstOrThrow();
  let rows = where(db.selectFrom('job').selectAll());
  for (const { field, direction } of page.sort) rows = rows.orderBy(COLUMN[field as JobSortField], direction);
  rows = rows.orderBy('id', 'asc');
  const found = await rows.limit(page.size).offset(page.page * page.size).execute();
  return { items: found.map(fromRow), total: Number(count.n), page: page.page, size: page.size };
}
