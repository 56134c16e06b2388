import { useState, type FormEvent } from 'react';
import { enc, queryString, sendJson } from '../api.ts';
import { Pager, offsetPosition } from '../pager.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { Time } from '../time.tsx';
import { useApi } from '../use-api.ts';
import { ErrorBox, Field, Json, Loading, formatBytes } from '../widgets.tsx';

interface QName {
  catalogName: string;
  databaseName?: string;
  tableName?: string;
  partitionName?: string;
}

export function Catalogs() {
  const { data, error } = useApi<{ catalogName: string; connectorName: string }[]>('/mds/v1/catalog');
  return (
    <section>
      <h1>Catalogs</h1>
      <TableSearch />
      <ErrorBox error={error} />
      <ul>
        {(data ?? []).map((c) => (
          <li key={c.catalogName}>
            <Link to={`/catalog/${enc(c.catalogName)}`}>{c.catalogName}</Link> <span className="muted">({c.connectorName})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function TableSearch() {
  const { search } = useLocation();
  const q = search.get('q') ?? '';
  const { data, error } = useApi<{ name: QName }[]>(q ? `/mds/v1/search/table${queryString({ q })}` : null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = new FormData(event.currentTarget).get('q');
    navigate(`/catalog?${new URLSearchParams({ q: String(value ?? '') }).toString()}`);
  };
  return (
    <>
      <form onSubmit={submit} role="search" aria-label="Search tables" className="filters">
        <Field label="Search tables (name, owner or tag)">
          <input name="q" defaultValue={q} />
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {data ? (
        <ul aria-label="Tables found">
          {data.map((t) => (
            <li key={`${t.name.catalogName}/${t.name.databaseName}/${t.name.tableName}`}>
              <Link to={`/catalog/${enc(t.name.catalogName)}/${enc(t.name.databaseName ?? '')}/${enc(t.name.tableName ?? '')}`}>
                {t.name.catalogName}.{t.name.databaseName}.{t.name.tableName}
              </Link>
            </li>
          ))}
          {data.length === 0 ? <li>No table matches.</li> : null}
        </ul>
      ) : null}
    </>
  );
}

export function CatalogPage({ catalog }: { catalog: string }) {
  const { data, error } = useApi<{ databases?: string[]; type: string }>(`/mds/v1/catalog/${enc(catalog)}`);
  return (
    <section>
      <h1>
        <Link to="/catalog">Catalogs</Link> / {catalog}
      </h1>
      <ErrorBox error={error} />
      <Loading when={!data && !error} />
      <ul>
        {(data?.databases ?? []).map((d) => (
          <li key={d}>
            <Link to={`/catalog/${enc(catalog)}/${enc(d)}`}>{d}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DatabasePage({ catalog, database }: { catalog: string; database: string }) {
  const { data, error } = useApi<{ tables?: string[] }>(`/mds/v1/catalog/${enc(catalog)}/database/${enc(database)}`);
  return (
    <section>
      <h1>
        <Link to="/catalog">Catalogs</Link> / <Link to={`/catalog/${enc(catalog)}`}>{catalog}</Link> / {database}
      </h1>
      <ErrorBox error={error} />
      <Loading when={!data && !error} />
      <ul>
        {(data?.tables ?? []).map((t) => (
          <li key={t}>
            <Link to={`/catalog/${enc(catalog)}/${enc(database)}/${enc(t)}`}>{t}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Field {
  name: string;
  type: string;
  source_type?: string;
  partition_key?: boolean;
  comment?: string;
  isNullable?: boolean;
}
interface Table {
  name: QName;
  fields?: Field[];
  metadata?: Record<string, string>;
  definitionMetadata?: Record<string, unknown>;
  dataMetadata?: Record<string, unknown>;
  partition_keys?: string[];
  dataUri?: string;
  audit?: { createdDate?: string; lastModifiedDate?: string; createdBy?: string };
}
interface Partition {
  name: QName;
  serde?: { uri?: string };
  dataMetadata?: Record<string, unknown>;
  metadata?: Record<string, string>;
}
interface IcebergLoad {
  metadata: {
    'current-schema-id'?: number;
    schemas?: { 'schema-id': number; fields: { id: number; name: string; type: unknown; required: boolean }[] }[];
    snapshots?: { 'snapshot-id': number; 'timestamp-ms': number; summary?: Record<string, string>; 'parent-snapshot-id'?: number }[];
    'current-snapshot-id'?: number | null;
  };
}

const PARTITION_PAGE = 50;

function Partitions({ base }: { base: string }) {
  const { search } = useLocation();
  const filter = search.get('filter') ?? '';
  const offset = Number(search.get('offset') ?? '0');
  const path = `/mds/v1/partition/${base}${queryString({ filter: filter || undefined, offset, limit: PARTITION_PAGE })}`;
  const { data, error, loading } = useApi<Partition[]>(path);
  const go = (next: Record<string, string>) => {
    const params = new URLSearchParams(search);
    for (const [k, v] of Object.entries(next)) if (v) params.set(k, v); else params.delete(k);
    navigate(`${window.location.pathname}?${params.toString()}`);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    go({ filter: String(new FormData(event.currentTarget).get('filter') ?? ''), offset: '' });
  };
  return (
    <section aria-label="Partitions">
      <h2>Partitions</h2>
      <form onSubmit={submit} className="filters" aria-label="Filter partitions">
        <Field label="Filter (e.g. dateint >= 20240101 and hour in (1,2))">
          <input name="filter" defaultValue={filter} size={50} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      <ul data-testid="partitions">
        {(data ?? []).map((p) => (
          <li key={p.name.partitionName}>
            <code>{p.name.partitionName}</code> {p.serde?.uri ? <span className="muted">{p.serde.uri}</span> : null}
          </li>
        ))}
        {data && data.length === 0 ? <li>No partition matches.</li> : null}
      </ul>
      <Pager position={offsetPosition(offset, PARTITION_PAGE, data?.length)} param="offset" label="Partition pages" />
    </section>
  );
}

function Preview({ database, table }: { database: string; table: string }) {
  const [rows, setRows] = useState<{ columns?: { name: string }[]; rows?: unknown[][] } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const run = async () => {
    setError(null);
    try {
      const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
      setRows((await sendJson('POST', '/api/query/v1', { sql: `SELECT * FROM ${quote(database)}.${quote(table)} LIMIT 20`, maxRows: 20 })) ?? null);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <section aria-label="Row preview">
      <h2>Rows</h2>
      <button type="button" onClick={run}>
        Preview 20 rows
      </button>
      <ErrorBox error={error} />
      {rows ? <Json value={rows} /> : null}
    </section>
  );
}

export function TablePage({ catalog, database, table }: { catalog: string; database: string; table: string }) {
  const base = `catalog/${enc(catalog)}/database/${enc(database)}/table/${enc(table)}`;
  const { data, error } = useApi<Table>(`/mds/v1/${base}?includeDefinitionMetadata=true&includeDataMetadata=true`);
  const tags = useApi<string[]>(`/mds/v1/tag/${base}`);
  const isWarehouse = data?.metadata?.table_type?.toUpperCase() === 'ICEBERG' || catalog === 'warehouse';
  const iceberg = useApi<IcebergLoad>(isWarehouse ? `/iceberg/v1/namespaces/${enc(database)}/tables/${enc(table)}?snapshots=all` : null);
  const schemas = iceberg.data?.metadata.schemas ?? [];
  const snapshots = iceberg.data?.metadata.snapshots ?? [];
  return (
    <section>
      <h1>
        <Link to="/catalog">Catalogs</Link> / <Link to={`/catalog/${enc(catalog)}`}>{catalog}</Link> /{' '}
        <Link to={`/catalog/${enc(catalog)}/${enc(database)}`}>{database}</Link> / {table}
      </h1>
      <ErrorBox error={error} />
      <Loading when={!data && !error} />
      {data ? (
        <>
          <p>
            Created <Time value={data.audit?.createdDate} /> · modified <Time value={data.audit?.lastModifiedDate} /> · {data.dataUri ?? ''}
          </p>
          <p>Tags: {(tags.data ?? []).join(', ') || 'none'}</p>
          <h2>Schema</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Field id</th>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Nullable</th>
                <th scope="col">Partition key</th>
                <th scope="col">Comment</th>
              </tr>
            </thead>
            <tbody>
              {(data.fields ?? []).map((f) => {
                const current = schemas.find((s) => s['schema-id'] === iceberg.data?.metadata['current-schema-id']);
                const id = current?.fields.find((x) => x.name === f.name)?.id;
                return (
                  <tr key={f.name}>
                    <td>{id ?? '—'}</td>
                    <td>{f.name}</td>
                    <td>{f.source_type ?? f.type}</td>
                    <td>{f.isNullable === false ? 'no' : 'yes'}</td>
                    <td>{f.partition_key ? 'yes' : ''}</td>
                    <td>{f.comment ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {schemas.length > 1 ? (
            <details>
              <summary>Schema history ({schemas.length} versions)</summary>
              <ol>
                {schemas.map((s) => (
                  <li key={s['schema-id']}>
                    schema {s['schema-id']}: {s.fields.map((f) => `${f.id}:${f.name}`).join(', ')}
                  </li>
                ))}
              </ol>
            </details>
          ) : null}
          {data.partition_keys && data.partition_keys.length > 0 ? <Partitions base={base} /> : null}
          {snapshots.length > 0 ? (
            <section aria-label="Snapshots">
              <h2>Snapshots</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Snapshot</th>
                    <th scope="col">Time</th>
                    <th scope="col">Operation</th>
                    <th scope="col">Files</th>
                    <th scope="col">Records</th>
                    <th scope="col">Size</th>
                  </tr>
                </thead>
                <tbody>
                  {[...snapshots].reverse().slice(0, 50).map((s) => (
                    <tr key={s['snapshot-id']}>
                      <td>{String(s['snapshot-id'])}</td>
                      <td>
                        <Time value={s['timestamp-ms']} />
                      </td>
                      <td>{s.summary?.operation ?? ''}</td>
                      <td>{s.summary?.['total-data-files'] ?? ''}</td>
                      <td>{s.summary?.['total-records'] ?? ''}</td>
                      <td>{s.summary?.['total-files-size'] ? formatBytes(Number(s.summary['total-files-size'])) : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          <Preview database={database} table={table} />
          <details>
            <summary>User metadata</summary>
            <h3>Definition metadata</h3>
            <Json value={data.definitionMetadata ?? {}} />
            <h3>Data metadata</h3>
            <Json value={data.dataMetadata ?? {}} />
            <h3>Table properties</h3>
            <Json value={data.metadata ?? {}} />
          </details>
        </>
      ) : null}
    </section>
  );
}
