import { useState, type FormEvent } from 'react';
import { enc, queryString, request, sendJson } from '../api.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { Time } from '../time.tsx';
import { useApi } from '../use-api.ts';
import { Pager, halPosition } from '../pager.tsx';
import { ErrorBox, Field, Json, Loading, type HalPage } from '../widgets.tsx';

export type Kind = 'clusters' | 'commands' | 'applications';
const LIST_KEY: Record<Kind, string> = { clusters: 'clusterList', commands: 'commandList', applications: 'applicationList' };
const STATUSES: Record<Kind, string[]> = {
  clusters: ['UP', 'OUT_OF_SERVICE', 'TERMINATED'],
  commands: ['ACTIVE', 'DEPRECATED', 'INACTIVE'],
  applications: ['ACTIVE', 'DEPRECATED', 'INACTIVE'],
};

export interface Resource {
  id: string;
  name: string;
  user: string;
  version: string;
  status: string;
  tags: string[];
  configs: string[];
  dependencies: string[];
  setupFile?: string | null;
  executable?: string;
  updated: string;
  description?: string | null;
}

/** Clusters, commands or applications: search by name, status and tag, paged. */
export function RegistryList({ kind }: { kind: Kind }) {
  const { search } = useLocation();
  const query = queryString({
    name: search.get('name') ?? undefined,
    status: search.getAll('status'),
    tag: search.getAll('tag'),
    page: search.get('page') ?? undefined,
    size: search.get('size') ?? '25',
  });
  const { data, error, loading } = useApi<{ _embedded?: Record<string, Resource[]>; page: HalPage }>(`/api/v3/${kind}${query}`);
  const rows = data?._embedded?.[LIST_KEY[kind]] ?? [];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const [key, value] of form.entries()) if (typeof value === 'string' && value) next.append(key, value);
    navigate(`/${kind}?${next.toString()}`);
  };
  return (
    <section>
      <h1>{kind[0].toUpperCase() + kind.slice(1)}</h1>
      <form className="filters" onSubmit={submit} aria-label={`Search ${kind}`}>
        <Field label="Name (% wildcards)">
          <input name="name" defaultValue={search.get('name') ?? ''} />
        </Field>
        <Field label="Status">
          <select name="status" defaultValue={search.get('status') ?? ''}>
            <option value="">any</option>
            {STATUSES[kind].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Tag">
          <input name="tag" defaultValue={search.get('tag') ?? ''} />
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Id</th>
            <th scope="col">Status</th>
            <th scope="col">Tags</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/${kind}/${enc(r.id)}`}>{r.name}</Link>
              </td>
              <td>{r.id}</td>
              <td>{r.status}</td>
              <td>{r.tags.filter((t) => !t.startsWith('genie.')).join(', ')}</td>
              <td>
                <Time value={r.updated} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager position={halPosition(data?.page)} label={`Pages of ${kind}`} />
    </section>
  );
}

/** Edits one string set (tags, configs, dependencies): one entry per line, replaced with PUT. */
function StringSetEditor({ base, field, values, onSaved }: { base: string; field: 'tags' | 'configs' | 'dependencies'; values: string[]; onSaved: () => void }) {
  const shown = field === 'tags' ? values.filter((t) => !t.startsWith('genie.')) : values;
  const [text, setText] = useState(shown.join('\n'));
  const [error, setError] = useState<Error | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const list = text
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
      await sendJson('PUT', `${base}/${field}`, list);
      onSaved();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <form onSubmit={save} className="stack" aria-label={`Edit ${field}`}>
      <Field label={`${field[0].toUpperCase()}${field.slice(1)} (one per line)`}>
        <textarea rows={Math.max(2, shown.length + 1)} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      <button type="submit">Save {field}</button>
      <ErrorBox error={error} />
    </form>
  );
}

function StatusEditor({ base, kind, status, onSaved }: { base: string; kind: Kind; status: string; onSaved: () => void }) {
  const [error, setError] = useState<Error | null>(null);
  const change = async (next: string) => {
    setError(null);
    try {
      await sendJson('PATCH', base, [{ op: 'replace', path: '/status', value: next }], 'application/json-patch+json');
      onSaved();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <Field label="Status">
        <select value={status} onChange={(e) => void change(e.target.value)}>
          {STATUSES[kind].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </Field>
      <ErrorBox error={error} />
    </>
  );
}

/** A criterion as people write it: only the fields it sets, e.g. `tags=prod status=UP`. */
export function criterionText(criterion: Record<string, unknown>): string {
  return Object.entries(criterion)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(' ');
}

interface Resolution {
  criterion: Record<string, unknown>;
  resources: Resource[];
}

/** For a command: per criterion, in priority order, the clusters it reaches now. */
export function ResolvedClusters({ commandId, generation = 0 }: { commandId: string; generation?: number }) {
  const { data, error } = useApi<Resolution[]>(`/api/v3/commands/${enc(commandId)}/resolvedClusters?g=${generation}`);
  return (
    <div>
      <ErrorBox error={error} />
      <ol className="resolved" data-testid={`resolved-${commandId}`}>
        {(data ?? []).map((r, i) => (
          <li key={i}>
            <code>{criterionText(r.criterion)}</code> →{' '}
            {r.resources.length === 0 ? (
              <em>no cluster</em>
            ) : (
              r.resources.map((c, j) => (
                <span key={c.id}>
                  {j > 0 ? ', ' : ''}
                  <Link to={`/clusters/${enc(c.id)}`} data-cluster={c.id}>
                    {c.name}
                  </Link>
                </span>
              ))
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function RegistryDetail({ kind, id }: { kind: Kind; id: string }) {
  const base = `/api/v3/${kind}/${enc(id)}`;
  const { data, error, reload } = useApi<Resource>(base);
  const related = kind === 'commands' ? 'clusters' : kind === 'clusters' ? 'commands' : 'commands';
  const relatedList = useApi<Resource[]>(kind === 'clusters' ? null : `${base}/${kind === 'commands' ? 'applications' : related}`);
  const [deleteError, setDeleteError] = useState<Error | null>(null);
  if (error) return <ErrorBox error={error} />;
  if (!data) return <Loading when />;
  const remove = async () => {
    if (!window.confirm(`Delete ${data.name}?`)) return;
    try {
      await request(base, { method: 'DELETE' });
      navigate(`/${kind}`);
    } catch (e) {
      setDeleteError(e as Error);
    }
  };
  return (
    <section>
      <h1>
        {data.name} <small>{kind.slice(0, -1)}</small>
      </h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>{data.id}</dd>
        <dt>User</dt>
        <dd>{data.user}</dd>
        <dt>Version</dt>
        <dd>{data.version}</dd>
        <dt>Updated</dt>
        <dd>
          <Time value={data.updated} />
        </dd>
        {data.executable !== undefined ? (
          <>
            <dt>Executable</dt>
            <dd>
              <code>{data.executable}</code>
            </dd>
          </>
        ) : null}
        <dt>Setup file</dt>
        <dd>{data.setupFile ?? '—'}</dd>
      </dl>
      <StatusEditor key={data.status} base={base} kind={kind} status={data.status} onSaved={reload} />
      <StringSetEditor key={`t${data.tags.join()}`} base={base} field="tags" values={data.tags} onSaved={reload} />
      <StringSetEditor key={`c${data.configs.join()}`} base={base} field="configs" values={data.configs} onSaved={reload} />
      <StringSetEditor key={`d${data.dependencies.join()}`} base={base} field="dependencies" values={data.dependencies} onSaved={reload} />
      {kind === 'commands' ? (
        <>
          <h2>Where its criteria reach now</h2>
          <ResolvedClusters commandId={data.id} generation={data.tags.length + Date.parse(data.updated)} />
          <h2>Applications</h2>
        </>
      ) : kind === 'applications' ? (
        <h2>Commands using it</h2>
      ) : null}
      {relatedList.data ? (
        <ul>
          {relatedList.data.map((r) => (
            <li key={r.id}>
              <Link to={`/${kind === 'commands' ? 'applications' : 'commands'}/${enc(r.id)}`}>{r.name}</Link>
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href={base}>JSON</a> ·{' '}
        <button type="button" onClick={remove}>
          Delete
        </button>
      </p>
      <ErrorBox error={deleteError} />
      <details>
        <summary>Document</summary>
        <Json value={data} />
      </details>
    </section>
  );
}
