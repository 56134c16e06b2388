import { useEffect, useState } from 'react';
import { enc, request } from '../api.ts';
import { Link } from '../router.tsx';
import { Time } from '../time.tsx';
import { useApi } from '../use-api.ts';
import { ErrorBox, Json, Loading } from '../widgets.tsx';
import { LogView } from './log-view.tsx';

interface Job {
  id: string;
  name: string;
  user: string;
  version: string;
  status: string;
  statusMsg: string | null;
  created: string;
  updated: string;
  started: string | null;
  finished: string | null;
  runtime: string;
  clusterName: string | null;
  commandName: string | null;
  commandArgs: string | null;
  tags: string[];
}
interface Execution {
  hostName: string | null;
  exitCode: number | null;
  archiveStatus: string;
  agentId: string | null;
}
interface StatusChange {
  status: string;
  statusMsg: string | null;
  timestamp: string;
}
interface Resolved {
  id: string;
  name: string;
  version?: string;
}

export const FINAL = ['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'];

/** A job: request, resolution, status times, exit code, archive status, live output and kill. */
export function JobPage({ id }: { id: string }) {
  const base = `/api/v3/jobs/${enc(id)}`;
  const job = useApi<Job>(base);
  const [status, setStatus] = useState<string | null>(null);
  const running = job.data ? !FINAL.includes(status ?? job.data.status) : false;
  const execution = useApi<Execution>(job.data ? `${base}/execution?s=${status ?? job.data.status}` : null);
  const jobRequest = useApi<unknown>(`${base}/request`);
  // Keyed by the shown status, so a new status the poll sees brings the history up to date with it.
  const history = useApi<StatusChange[]>(job.data ? `${base}/statuses?s=${status ?? job.data.status}` : null);
  const resolvedKnown = job.data?.clusterName != null;
  const cluster = useApi<Resolved>(resolvedKnown ? `${base}/cluster` : null);
  const command = useApi<Resolved>(resolvedKnown ? `${base}/command` : null);
  const applications = useApi<Resolved[]>(resolvedKnown ? `${base}/applications` : null);
  const [confirming, setConfirming] = useState(false);
  const [killError, setKillError] = useState<Error | null>(null);
  const [killSent, setKillSent] = useState(false);

  // While the job runs, its status is polled (a tiny document) and the job reloaded when it changes.
  const { reload } = job;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(async () => {
      try {
        const response = await request(`${base}/status`);
        const { status: next } = (await response.json()) as { status: string };
        setStatus((previous) => {
          if (previous !== next) reload();
          return next;
        });
      } catch {
        // shown on the next full load
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [running, base, reload]);

  const kill = async () => {
    setKillError(null);
    try {
      await request(base, { method: 'DELETE' });
      setKillSent(true);
      setConfirming(false);
    } catch (e) {
      setKillError(e as Error);
    }
  };

  if (job.error) return <ErrorBox error={job.error} />;
  if (!job.data) return <Loading when />;
  const j = job.data;
  const shownStatus = status ?? j.status;
  return (
    <section>
      <h1>
        Job {j.name} <span className={`status status-${shownStatus}`} data-testid="job-status">{shownStatus}</span>
      </h1>
      <p>
        <Link to={`/jobs/${enc(id)}/output/`}>Output files</Link> · <Link to={`/jobs/new?from=${enc(id)}`}>Resubmit</Link> ·{' '}
        <a href={base}>JSON</a>
      </p>
      {running ? (
        <div className="kill">
          {!confirming ? (
            <button type="button" onClick={() => setConfirming(true)} disabled={killSent}>
              {killSent ? 'Kill requested' : 'Kill job'}
            </button>
          ) : (
            <div role="alertdialog" aria-labelledby="kill-q" className="confirm">
              <p id="kill-q">Kill job {j.id}? Its process will be stopped.</p>
              <button type="button" onClick={kill} autoFocus>
                Yes, kill it
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </div>
          )}
          <ErrorBox error={killError} />
        </div>
      ) : null}
      <dl className="facts">
        <dt>Id</dt>
        <dd>{j.id}</dd>
        <dt>User</dt>
        <dd>{j.user}</dd>
        <dt>Version</dt>
        <dd>{j.version}</dd>
        <dt>Status message</dt>
        <dd>{j.statusMsg ?? '—'}</dd>
        <dt>Tags</dt>
        <dd>{j.tags.join(', ') || '—'}</dd>
        <dt>Arguments</dt>
        <dd>
          <code>{j.commandArgs ?? ''}</code>
        </dd>
        <dt>Run time</dt>
        <dd>{j.runtime}</dd>
        <dt>Exit code</dt>
        <dd data-testid="exit-code">{execution.data?.exitCode ?? '—'}</dd>
        <dt>Archive status</dt>
        <dd>{execution.data?.archiveStatus ?? '—'}</dd>
        <dt>Host</dt>
        <dd>{execution.data?.hostName ?? '—'}</dd>
      </dl>
      <h2>Status history</h2>
      <ErrorBox error={history.error} />
      <ol className="history" data-testid="status-history">
        {(history.data ?? []).map((change, i) => (
          <li key={i} data-status={change.status}>
            <span className={`status status-${change.status}`}>{change.status}</span> <Time value={change.timestamp} />
            {change.statusMsg ? <span className="muted"> — {change.statusMsg}</span> : null}
          </li>
        ))}
      </ol>
      <h2>Resolved to</h2>
      <ul>
        <li>
          Cluster: {cluster.data ? <Link to={`/clusters/${enc(cluster.data.id)}`}>{cluster.data.name}</Link> : (j.clusterName ?? 'not yet resolved')}
        </li>
        <li>
          Command: {command.data ? <Link to={`/commands/${enc(command.data.id)}`}>{command.data.name}</Link> : (j.commandName ?? 'not yet resolved')}
        </li>
        <li>
          Applications:{' '}
          {(applications.data ?? []).map((a, i) => (
            <span key={a.id}>
              {i > 0 ? ', ' : ''}
              <Link to={`/applications/${enc(a.id)}`}>{a.name}</Link>
            </span>
          ))}
          {applications.data?.length === 0 ? 'none' : null}
        </li>
      </ul>
      <LogView url={`${base}/output/stdout`} follow={running} label="stdout" />
      <LogView url={`${base}/output/stderr`} follow={running} label="stderr" />
      <details>
        <summary>Request</summary>
        <ErrorBox error={jobRequest.error} />
        <Json value={jobRequest.data} />
      </details>
    </section>
  );
}
