import { useState } from 'react';
import { ApiError, enc, sendJson } from '../api.ts';
import { Link, useLocation } from '../router.tsx';
import { Time } from '../time.tsx';
import { useApi } from '../use-api.ts';
import { ErrorBox, Loading } from '../widgets.tsx';
import { LiftChart, formatNumber } from './lift-chart.tsx';

const API = '/api/experiments/v1/experiments';

interface Experiment {
  name: string;
  definition: { control: string; cells: { name: string; share: number }[]; alpha: number; metrics: { name: string; kind: string }[] };
  createdAt: string;
  updatedAt: string;
}

interface MetricCell {
  name: string;
  members: number;
  mean: number | null;
  adjustedMean?: number | null;
  lift: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  relativeLift: number | null;
  relativeCiLow: number | null;
  relativeCiHigh: number | null;
  pValue: number | null;
  adjustedPValue: number | null;
  significant: boolean;
  note?: string;
}

/** The experiments API's report (src/experiments/experiment-report.ts). */
interface Report {
  experiment: string;
  number: number;
  computedAt: string;
  alpha: number;
  control: string;
  cells: { name: string; members: number; intendedShare: number; observedShare: number }[];
  srm: { chiSquare: number; degreesOfFreedom: number; pValue: number; mismatch: boolean; threshold: number };
  metrics: { name: string; kind: 'mean' | 'rate'; test: string; cuped: { theta: number; preWindowDays: number } | null; cells: MetricCell[] }[];
}

const TESTS: Record<string, string> = { 'welch-t': "Welch's t-test", 'two-proportion-z': 'two-proportion z-test', 'welch-t-cuped': "Welch's t-test on CUPED-adjusted values" };
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

/** Every declared experiment, each linking to its report. */
export function Experiments() {
  const { data, error } = useApi<Experiment[]>(API);
  return (
    <section>
      <h1>Experiments</h1>
      {error instanceof ApiError && error.status === 404 ? <p>This server has no experiments API.</p> : <ErrorBox error={error} />}
      <Loading when={!data && !error} />
      {data && data.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Experiment</th>
              <th scope="col">Control</th>
              <th scope="col">Cells</th>
              <th scope="col">Metrics</th>
              <th scope="col">Declared</th>
            </tr>
          </thead>
          <tbody>
            {data.map((e) => (
              <tr key={e.name} data-experiment={e.name}>
                <td>
                  <Link to={`/experiments/${enc(e.name)}`}>{e.name}</Link>
                </td>
                <td>{e.definition.control}</td>
                <td>{e.definition.cells.map((c) => c.name).join(', ')}</td>
                <td>{e.definition.metrics.map((m) => m.name).join(', ')}</td>
                <td>
                  <Time value={e.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data && data.length === 0 ? <p>No experiments declared yet.</p> : null}
    </section>
  );
}

/**
 * One experiment's latest report: the sample-ratio check first (a mismatch makes every comparison
 * suspect), the cells' shares, then per metric a lift chart and its numbers. `?scale=relative`
 * charts relative lifts; the page is a deep link either way.
 */
export function ExperimentReportPage({ name }: { name: string }) {
  const { search } = useLocation();
  const relative = search.get('scale') === 'relative';
  const experiment = useApi<Experiment>(`${API}/${enc(name)}`);
  // Asked once the experiment is known to exist, so that its 404 means "no report yet".
  const report = useApi<Report>(experiment.data ? `${API}/${enc(name)}/reports/latest` : null);
  const [computing, setComputing] = useState(false);
  const [computeError, setComputeError] = useState<Error | null>(null);
  const compute = async () => {
    setComputing(true);
    setComputeError(null);
    try {
      await sendJson('POST', `${API}/${enc(name)}/reports`);
      report.reload();
    } catch (e) {
      setComputeError(e as Error);
    } finally {
      setComputing(false);
    }
  };
  const noReport = report.error instanceof ApiError && report.error.status === 404;
  const r = report.data;
  if (experiment.error)
    return (
      <section>
        <h1>Experiment {name}</h1>
        <ErrorBox error={experiment.error} />
        <p>
          <Link to="/experiments">All experiments</Link>
        </p>
      </section>
    );
  return (
    <section>
      <h1>Experiment {name}</h1>
      <p>
        <Link to="/experiments">All experiments</Link> · <a href={`${API}/${enc(name)}/reports/latest.html`}>Report as a page</a> ·{' '}
        <button type="button" onClick={compute} disabled={computing}>
          {computing ? 'Computing…' : 'Compute a new report'}
        </button>
      </p>
      <ErrorBox error={computeError} />
      {noReport ? <p>{report.error?.message.replace(/^404: /, '')}</p> : <ErrorBox error={report.error} />}
      <Loading when={report.loading && !r} />
      {r ? (
        <>
          <p data-testid="report-facts">
            Report {r.number}, computed <Time value={r.computedAt} />; control <strong>{r.control}</strong>; intervals at {formatNumber((1 - r.alpha) * 100)}%, significance
            after Holm's correction at α = {r.alpha}.
          </p>
          {r.srm.mismatch ? (
            <div className="error" role="alert" data-testid="srm-warning">
              <strong>Sample ratio mismatch.</strong> The cells' sizes differ from their intended shares more than chance explains (χ² = {formatNumber(r.srm.chiSquare)}, {r.srm.degreesOfFreedom}{' '}
              {r.srm.degreesOfFreedom === 1 ? 'degree' : 'degrees'} of freedom, p = {formatNumber(r.srm.pValue, 3)} &lt; {r.srm.threshold}): allocation or logging is broken, and the comparisons below cannot be trusted.
            </div>
          ) : (
            <p className="ok" data-testid="srm-ok">
              Sample ratio as intended (p = {formatNumber(r.srm.pValue, 3)} ≥ {r.srm.threshold}).
            </p>
          )}
          <table aria-label="Cells">
            <thead>
              <tr>
                <th scope="col">Cell</th>
                <th scope="col">Members</th>
                <th scope="col">Intended share</th>
                <th scope="col">Observed share</th>
              </tr>
            </thead>
            <tbody>
              {r.cells.map((c) => (
                <tr key={c.name}>
                  <td>{c.name === r.control ? `${c.name} (control)` : c.name}</td>
                  <td>{c.members}</td>
                  <td>{percent(c.intendedShare)}</td>
                  <td>{percent(c.observedShare)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Charts show{' '}
            {relative ? (
              <>
                relative lift (treatment / control − 1). <Link to={`/experiments/${enc(name)}`}>Show absolute lift</Link>
              </>
            ) : (
              <>
                absolute lift (treatment − control). <Link to={`/experiments/${enc(name)}?scale=relative`}>Show relative lift</Link>
              </>
            )}
          </p>
          {r.metrics.map((m) => (
            <MetricSection key={m.name} metric={m} control={r.control} relative={relative} />
          ))}
        </>
      ) : null}
    </section>
  );
}

function MetricSection({ metric, control, relative }: { metric: Report['metrics'][number]; control: string; relative: boolean }) {
  const treatments = metric.cells
    .filter((c) => c.name !== control)
    .map((c) => (relative ? { name: c.name, lift: c.relativeLift, ciLow: c.relativeCiLow, ciHigh: c.relativeCiHigh, significant: c.significant } : c));
  return (
    <section aria-labelledby={`metric-${metric.name}`} data-metric={metric.name}>
      <h2 id={`metric-${metric.name}`}>
        {metric.name}{' '}
        <small>
          ({metric.kind}; {TESTS[metric.test] ?? metric.test}
          {metric.cuped ? `; θ = ${formatNumber(metric.cuped.theta)}, covariate over ${metric.cuped.preWindowDays} days before allocation` : ''})
        </small>
      </h2>
      <LiftChart metric={metric.name} cells={treatments} unit={relative ? 'relative' : 'absolute'} />
      <table aria-label={`${metric.name} per cell`}>
        <thead>
          <tr>
            <th scope="col">Cell</th>
            <th scope="col">Members</th>
            <th scope="col">Mean</th>
            {metric.cuped ? <th scope="col">Adjusted mean</th> : null}
            <th scope="col">Lift</th>
            <th scope="col">Interval</th>
            <th scope="col">Relative lift</th>
            <th scope="col">p</th>
            <th scope="col">Holm p</th>
            <th scope="col">Significant</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {metric.cells.map((c) => (
            <tr key={c.name} data-cell={c.name}>
              <td>{c.name === control ? `${c.name} (control)` : c.name}</td>
              <td>{c.members}</td>
              <td>{formatNumber(c.mean)}</td>
              {metric.cuped ? <td>{formatNumber(c.adjustedMean)}</td> : null}
              <td>{formatNumber(c.lift)}</td>
              <td>
                {formatNumber(c.ciLow)} … {formatNumber(c.ciHigh)}
              </td>
              <td>
                {percent(c.relativeLift)} ({percent(c.relativeCiLow)} … {percent(c.relativeCiHigh)})
              </td>
              <td>{formatNumber(c.pValue, 3)}</td>
              <td>{formatNumber(c.adjustedPValue, 3)}</td>
              <td>{c.name === control ? '' : c.significant ? 'yes' : 'no'}</td>
              <td>{c.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

