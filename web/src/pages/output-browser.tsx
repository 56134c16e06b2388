import { enc } from '../api.ts';
import { Link } from '../router.tsx';
import { Time } from '../time.tsx';
import { useApi } from '../use-api.ts';
import { ErrorBox, Loading, formatBytes } from '../widgets.tsx';

interface Entry {
  name: string;
  url: string;
  size: number;
  lastModified: string;
}
interface Listing {
  parent: Entry | null;
  directories: Entry[];
  files: Entry[];
}

/** A job's output directory: folders open in the UI, files open from the API (raw, Range-capable). */
export function OutputBrowser({ id, path }: { id: string; path: string }) {
  const clean = path.replace(/\/+$/, '');
  const apiPath = `/api/v3/jobs/${enc(id)}/output${clean ? `/${clean.split('/').map(enc).join('/')}` : ''}`;
  const { data, error, loading } = useApi<Listing>(apiPath);
  const uiDir = (sub: string) => `/jobs/${enc(id)}/output/${sub.split('/').filter(Boolean).map(enc).join('/')}${sub ? '/' : ''}`;
  const join = (name: string) => (clean ? `${clean}/${name}` : name);
  return (
    <section>
      <h1>
        Output of job <Link to={`/jobs/${enc(id)}`}>{id}</Link>: /{clean}
      </h1>
      <ErrorBox error={error} />
      <Loading when={loading && !data} />
      {data ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Last modified</th>
            </tr>
          </thead>
          <tbody>
            {clean ? (
              <tr>
                <td>
                  <Link to={uiDir(clean.split('/').slice(0, -1).join('/'))}>../</Link>
                </td>
                <td />
                <td />
              </tr>
            ) : null}
            {data.directories.map((d) => (
              <tr key={d.name}>
                <td>
                  <Link to={uiDir(join(d.name.replace(/\/$/, '')))}>{d.name}</Link>
                </td>
                <td />
                <td>
                  <Time value={d.lastModified} />
                </td>
              </tr>
            ))}
            {data.files.map((f) => (
              <tr key={f.name}>
                <td>
                  <a href={`${apiPath}/${enc(f.name)}`}>{f.name}</a>
                </td>
                <td>{formatBytes(f.size)}</td>
                <td>
                  <Time value={f.lastModified} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
