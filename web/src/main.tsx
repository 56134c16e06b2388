import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { apiToken, setApiToken } from './api.ts';
import { CatalogPage, Catalogs, DatabasePage, TablePage } from './pages/catalog.tsx';
import { JobPage } from './pages/job-page.tsx';
import { JobsSearch } from './pages/jobs-search.tsx';
import { OutputBrowser } from './pages/output-browser.tsx';
import { ExperimentReportPage, Experiments } from './pages/experiments.tsx';
import { Pipelines } from './pages/pipelines.tsx';
import { RegistryDetail, RegistryList, type Kind } from './pages/registry.tsx';
import { SubmitJob } from './pages/submit-job.tsx';
import { TagMove } from './pages/tag-move.tsx';
import { Link, RouterProvider, match, navigate, useLocation } from './router.tsx';
import { TimeZoneProvider, ZoneToggle } from './time.tsx';
import './styles.css';

const KINDS: Kind[] = ['clusters', 'commands', 'applications'];

function Page() {
  const { path } = useLocation();
  let m: Record<string, string> | null;
  if (path === '/' || path === '') {
    navigate('/jobs', true);
    return null;
  }
  if ((m = match('/jobs', path))) return <JobsSearch />;
  if ((m = match('/jobs/new', path))) return <SubmitJob />;
  if ((m = match('/jobs/:id/output/*', path)) || (m = match('/jobs/:id/output', path))) return <OutputBrowser id={m.id} path={m['*'] ?? ''} />;
  if ((m = match('/jobs/:id', path))) return <JobPage key={m.id} id={m.id} />;
  for (const kind of KINDS) {
    if ((m = match(`/${kind}`, path))) return <RegistryList key={kind} kind={kind} />;
    if ((m = match(`/${kind}/:id`, path))) return <RegistryDetail key={`${kind}/${m.id}`} kind={kind} id={m.id} />;
  }
  if ((m = match('/tag-move', path))) return <TagMove />;
  if ((m = match('/catalog', path))) return <Catalogs />;
  if ((m = match('/catalog/:catalog', path))) return <CatalogPage catalog={m.catalog} />;
  if ((m = match('/catalog/:catalog/:database', path))) return <DatabasePage catalog={m.catalog} database={m.database} />;
  if ((m = match('/catalog/:catalog/:database/:table', path))) return <TablePage catalog={m.catalog} database={m.database} table={m.table} />;
  if ((m = match('/pipelines', path))) return <Pipelines />;
  if ((m = match('/experiments', path))) return <Experiments />;
  if ((m = match('/experiments/:name', path))) return <ExperimentReportPage key={m.name} name={m.name} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        No page at <code>{path}</code>. <Link to="/jobs">Go to jobs</Link>.
      </p>
    </section>
  );
}

function TokenForm() {
  const [open, setOpen] = useState(false);
  const save = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setApiToken(String(new FormData(event.currentTarget).get('token') ?? '') || null);
    setOpen(false);
    window.location.reload();
  };
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {apiToken() ? 'Token set' : 'API token'}
      </button>
    );
  return (
    <form onSubmit={save} className="token">
      <label>
        Token <input name="token" type="password" defaultValue={apiToken() ?? ''} />
      </label>
      <button type="submit">Save</button>
    </form>
  );
}

function Nav() {
  const { path } = useLocation();
  const items: [string, string][] = [
    ['/jobs', 'Jobs'],
    ['/clusters', 'Clusters'],
    ['/commands', 'Commands'],
    ['/applications', 'Applications'],
    ['/tag-move', 'Move tag'],
    ['/catalog', 'Catalog'],
    ['/pipelines', 'Pipelines'],
    ['/experiments', 'Experiments'],
  ];
  return (
    <header>
      <nav aria-label="Main">
        <strong>Quarry</strong>
        {items.map(([to, label]) => (
          <Link key={to} to={to} aria-current={path === to || path.startsWith(`${to}/`) ? 'page' : undefined}>
            {label}
          </Link>
        ))}
      </nav>
      <div className="tools">
        <ZoneToggle />
        <TokenForm />
      </div>
    </header>
  );
}

function App() {
  const { path } = useLocation();
  // Moving focus to the main region on navigation lets keyboard and screen-reader users follow.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Nav />
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider>
      <TimeZoneProvider>
        <App />
      </TimeZoneProvider>
    </RouterProvider>
  </StrictMode>,
);
