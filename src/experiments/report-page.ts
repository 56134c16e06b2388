import type { ExperimentReport, MetricReport } from './experiment-report.ts';

/*
 * A report as one self-contained HTML page: inline CSS and SVG, no script, no external resource,
 * so it can be saved, mailed or opened offline. Per metric, a forest plot of each treatment cell's
 * absolute lift with its interval around the zero line; the sample-ratio check on top.
 */

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function format(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(2)}%`);

/** The forest plot of one metric: a row per treatment cell, lift as a dot, interval as a bar. */
function liftChart(metric: MetricReport, control: string): string {
  const rows = metric.cells.filter((c) => c.name !== control);
  const values = rows.flatMap((c) => [c.lift, c.ciLow, c.ciHigh]).filter((v): v is number => v !== null);
  const extent = Math.max(...values.map(Math.abs), 1e-12) * 1.15;
  const width = 640;
  const label = 140;
  const rowHeight = 34;
  const height = rows.length * rowHeight + 30;
  const plot = width - label - 20;
  const x = (v: number) => label + ((v + extent) / (2 * extent)) * plot;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Lift of ${escape(metric.name)} per cell with confidence intervals">`,
    `<line x1="${x(0)}" y1="4" x2="${x(0)}" y2="${height - 22}" stroke="#888" stroke-dasharray="4 3"/>`,
    `<text x="${x(-extent)}" y="${height - 6}" font-size="11" fill="#555">${escape(format(-extent, 3))}</text>`,
    `<text x="${x(0)}" y="${height - 6}" font-size="11" fill="#555" text-anchor="middle">0</text>`,
    `<text x="${x(extent)}" y="${height - 6}" font-size="11" fill="#555" text-anchor="end">${escape(format(extent, 3))}</text>`,
  ];
  rows.forEach((cell, i) => {
    const y = 18 + i * rowHeight;
    const colour = cell.significant ? ((cell.lift ?? 0) >= 0 ? '#1a7f37' : '#cf222e') : '#57606a';
    parts.push(`<text x="0" y="${y + 4}" font-size="13">${escape(cell.name)}</text>`);
    if (cell.ciLow !== null && cell.ciHigh !== null) {
      parts.push(`<line x1="${x(cell.ciLow)}" y1="${y}" x2="${x(cell.ciHigh)}" y2="${y}" stroke="${colour}" stroke-width="3"/>`);
    }
    if (cell.lift !== null) parts.push(`<circle cx="${x(cell.lift)}" cy="${y}" r="5" fill="${colour}"><title>${escape(`${cell.name}: lift ${format(cell.lift)} [${format(cell.ciLow)}, ${format(cell.ciHigh)}]`)}</title></circle>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function metricSection(metric: MetricReport, report: ExperimentReport): string {
  const rows = metric.cells
    .map(
      (c) => `<tr${c.significant ? ' class="significant"' : ''}><td>${escape(c.name)}${c.name === report.control ? ' (control)' : ''}</td><td>${c.members}</td><td>${format(c.mean)}</td>${
        metric.cuped ? `<td>${format(c.adjustedMean)}</td>` : ''
      }<td>${c.distribution ? c.distribution.quantiles.map((q) => format(q.value, 3)).join(' / ') : '—'}</td><td>${format(c.lift)}</td><td>${format(c.ciLow)} … ${format(c.ciHigh)}</td><td>${percent(c.relativeLift)} (${percent(c.relativeCiLow)} … ${percent(c.relativeCiHigh)})</td><td>${format(c.pValue, 3)}</td><td>${format(c.adjustedPValue, 3)}</td><td>${c.name === report.control ? '' : c.significant ? 'yes' : 'no'}</td><td>${escape(c.note ?? '')}</td></tr>`,
    )
    .join('\n');
  const test = { 'welch-t': "Welch's t-test", 'two-proportion-z': 'two-proportion z-test', 'welch-t-cuped': "Welch's t-test on CUPED-adjusted values" }[metric.test];
  return `<section>
<h2>${escape(metric.name)} <small>(${metric.kind}; ${test}${metric.cuped ? `; θ = ${format(metric.cuped.theta)}, covariate over ${metric.cuped.preWindowDays} days before allocation` : ''})</small></h2>
${liftChart(metric, report.control)}
<table><thead><tr><th>cell</th><th>members</th><th>mean</th>${metric.cuped ? '<th>adjusted mean</th>' : ''}<th>p5 / p25 / p50 / p75 / p95</th><th>lift</th><th>${Math.round((1 - report.alpha) * 100)}% interval</th><th>relative lift</th><th>p-value</th><th>Holm p-value</th><th>significant</th><th>note</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}

/** The HTML page of a report. */
export function reportPage(report: ExperimentReport): string {
  const srm = report.srm;
  const cells = report.cells.map((c) => `<tr><td>${escape(c.name)}</td><td>${c.members}</td><td>${percent(c.intendedShare)}</td><td>${percent(c.observedShare)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A/B report: ${escape(report.experiment)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1f2328; max-width: 1100px; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border-bottom: 1px solid #d0d7de; padding: 4px 10px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
tr.significant td { font-weight: 600; }
.srm { padding: 0.6em 1em; border-radius: 6px; display: inline-block; }
.srm.ok { background: #dafbe1; } .srm.mismatch { background: #ffebe9; }
small { font-weight: normal; color: #57606a; }
</style></head><body>
<h1>A/B report: ${escape(report.experiment)}</h1>
<p>Report ${report.number}, computed ${escape(report.computedAt)}. Control: ${escape(report.control)}. α = ${report.alpha}; significance after Holm's correction over ${report.metrics.reduce((n, m) => n + m.cells.length - 1, 0)} comparisons.</p>
<div id="srm" class="srm ${srm.mismatch ? 'mismatch' : 'ok'}"><strong>Sample ratio: ${srm.mismatch ? 'MISMATCH' : 'as intended'}</strong> — χ² = ${format(srm.chiSquare)}, ${srm.degreesOfFreedom} df, p = ${format(srm.pValue, 3)} (flagged below ${srm.threshold})${
    srm.mismatch ? '. The allocation did not follow the intended split: the comparisons below may be biased.' : ''
  }</div>
<table><thead><tr><th>cell</th><th>members</th><th>intended share</th><th>observed share</th></tr></thead><tbody>
${cells}
</tbody></table>
${report.metrics.map((m) => metricSection(m, report)).join('\n')}
</body></html>
`;
}
