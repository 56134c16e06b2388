import { useState, type FormEvent } from 'react';
import { queryString } from '../api.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { Time } from '../time.tsx';
import { useApi } from '../use-api.ts';
import { Pager, halPosition } from '../pager.tsx';
import { ErrorBox, Field, Loading, type HalPage } from '../widgets.tsx';

interface JobRow {
  id: string;
  name: string;
  user: string;
  status: string;
  started: string | null;
  finished: string | null;
  clusterName: string | null;
  commandName: string | null;
  runtime: string;
}
interface JobsPage {
  _embedded?: { jobSearchResultList: JobRow[] };
  page: HalPage;
}

const STATUSES = ['RESERVED', 'RESOLVED', 'ACCEPTED', 'CLAIMED', 'INIT', 'RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'];
const TEXT_FILTERS = [
  ['id', 'Job id'],
  ['name', 'Name'],
  ['user', 'User'],
  ['tag', 'Tag'],
  ['clusterName', 'Cluster name'],
  ['clusterId', 'Cluster id'],
  ['commandName', 'Command name'],
  ['commandId', 'Command id'],
  ['grouping', 'Grouping'],
  ['groupingInstance', 'Grouping instance'],
] as const;
const TIME_FILTERS = [
  ['minStarted', 'Started after'],
  ['maxStarted', 'Started before'],
  ['minFinished', 'Finished after'],
  ['maxFinished', 'Finished before'],
] as const;
const SORT_FIELDS = ['created', 'started', 'finished', 'name', 'user', 'status'];
export const PAGE_SIZES = [10, 25, 50, 100];

/** Form values live in the URL (deep links); the API wants epoch milliseconds for time ranges. */
function apiQuery(search: URLSearchParams): string {
  const params: Record<string, string | string[] | undefined> = {};
  for (const [key] of TEXT_FILTERS) params[key] = search.get(key) ?? undefined;
  params.status = search.getAll('status');
  for (const [key] of TIME_FILTERS) {
    const value = search.get(key);
    if (value) params[key] = String(Date.parse(value.endsWith('Z') ? value : `${value}Z`));
  }
  params.size = search.get('size') ?? '25';
  params.page = search.get('page') ?? '0';
  params.sort = `${search.get('sortBy') ?? 'created'},${search.get('order') ?? 'desc'}`;
  return queryString(params);
}

export function JobsSearch() {
  const { search } = useLocation();
  const { data, error, loading } = useApi<JobsPage>(`/api/v3/jobs${apiQuery(search)}`);
  const [statuses, setStatuses] = useState<string[]>(search.getAll('status'));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const [key, value] of form.entries()) if (typeof value === 'string' && value !== '' && key !== 'status') next.append(key, value);
    for (const s of statuses) next.append('status', s);
    navigate(`/jobs?${next.toString()}`);
  };
  const rows = data?._embedded?.jobSearchResultList ?? [];

  return (
    <section>
      <h1>Jobs</h1>
      <p>
        <Link to="/jobs/new">Submit a job</Link>
      </p>
      <form className="filters" onSubmit={submit} aria-label="Search jobs">
        {TEXT_FILTERS.map(([key, label]) => (
          <Field key={key} label={label}>
            <input name={key} defaultValue={search.get(key) ?? ''} />
          </Field>
        ))}
        {TIME_FILTERS.map(([key, label]) => (
          <Field key={key} label={`${label} (UTC)`}>
            <input name={key} type="datetime-local" step="1" defaultValue={search.get(key) ?? ''} />
          </Field>
        ))}
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={statuses.includes(s)} onChange={(e) => setStatuses(e.target.checked ? [...statuses, s] : statuses.filter((x) => x !== s))} />
              {s}
            </label>
          ))}
        </fieldset>
        <Field label="Sort by">
          <select name="sortBy" defaultValue={search.get('sortBy') ?? 'created'}>
            {SORT_FIELDS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </Field>
        <Field label="Order">
          <select name="order" defaultValue={search.get('order') ?? 'desc'}>
            <option value="desc">descending</option>
            <option value="asc">ascending</option>
          </select>
        </Field>
        <Field label="Page size">
          <select name="size" defaultValue={search.get('size') ?? '25'}>
            {PAGE_SIZES.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      <table>
        <caption className="sr-only">Jobs found</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Name</th>
            <th scope="col">User</th>
            <th scope="col">Status</th>
            <th scope="col">Cluster</th>
            <th scope="col">Command</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
            <th scope="col">Run time</th>
            <th scope="col">Output</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((job) => (
            <tr key={job.id} data-job-id={job.id}>
              <td>
                <Link to={`/jobs/${encodeURIComponent(job.id)}`}>{job.id}</Link>
              </td>
              <td>{job.name}</td>
              <td>{job.user}</td>
              <td className={`status status-${job.status}`}>{job.status}</td>
              <td>{job.clusterName ?? '—'}</td>
              <td>{job.commandName ?? '—'}</td>
              <td>
                <Time value={job.started} />
              </td>
              <td>
                <Time value={job.finished} />
              </td>
              <td>{job.runtime}</td>
              <td>
                <Link to={`/jobs/${encodeURIComponent(job.id)}/output/`}>files</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && rows.length === 0 ? <p>No jobs match.</p> : null}
      <Pager position={halPosition(data?.page)} label="Job pages" />
    </section>
  );
}
