/** What the chart needs of one cell of one metric (the experiments API's report, see experiments.tsx). */
export interface LiftCell {
  name: string;
  lift: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  significant: boolean;
}

/** Up to three significant digits, exponent for very small or large values. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

const WIDTH = 640;
const LABEL = 150;
const ROW = 34;

/**
 * A forest plot: one row per treatment cell, its lift over control as a dot and its interval as a
 * bar, around a dashed zero line. A bar that does not cross zero is a difference the interval
 * supports; colour marks the Holm-adjusted verdict (green up, red down, grey not significant).
 * The scale is symmetric around zero so that left and right read the same.
 */
export function LiftChart({ metric, cells, unit }: { metric: string; cells: LiftCell[]; unit: 'absolute' | 'relative' }) {
  const values = cells.flatMap((c) => [c.lift, c.ciLow, c.ciHigh]).filter((v): v is number => v !== null && Number.isFinite(v));
  const extent = Math.max(...values.map(Math.abs), 1e-12) * 1.15;
  const height = cells.length * ROW + 30;
  const plot = WIDTH - LABEL - 20;
  const x = (v: number) => LABEL + ((v + extent) / (2 * extent)) * plot;
  const show = (v: number | null) => (unit === 'relative' && v !== null ? `${formatNumber(v * 100, 3)}%` : formatNumber(v));
  return (
    <svg
      width={WIDTH}
      height={height}
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={`${unit === 'relative' ? 'Relative' : 'Absolute'} lift of ${metric} over control per cell, with confidence intervals`}
      data-testid={`lift-chart-${metric}`}
      className="lift-chart"
    >
      <line x1={x(0)} y1={4} x2={x(0)} y2={height - 22} stroke="#6e7781" strokeDasharray="4 3" />
      <text x={x(-extent)} y={height - 6} fontSize={11} fill="#57606a">
        {show(-extent)}
      </text>
      <text x={x(0)} y={height - 6} fontSize={11} fill="#57606a" textAnchor="middle">
        0
      </text>
      <text x={x(extent)} y={height - 6} fontSize={11} fill="#57606a" textAnchor="end">
        {show(extent)}
      </text>
      {cells.map((cell, i) => {
        const y = 18 + i * ROW;
        const colour = cell.significant ? ((cell.lift ?? 0) >= 0 ? '#1a7f37' : '#cf222e') : '#57606a';
        const summary = `${cell.name}: lift ${show(cell.lift)}, interval ${show(cell.ciLow)} to ${show(cell.ciHigh)}${cell.significant ? ', significant' : ''}`;
        return (
          <g key={cell.name} data-cell={cell.name}>
            <title>{summary}</title>
            <text x={0} y={y + 4} fontSize={13} fill="#1b1f24">
              {cell.name}
            </text>
            {cell.ciLow !== null && cell.ciHigh !== null ? (
              <line data-part="interval" x1={x(cell.ciLow)} y1={y} x2={x(cell.ciHigh)} y2={y} stroke={colour} strokeWidth={3} />
            ) : null}
            {cell.lift !== null ? <circle data-part="lift" cx={x(cell.lift)} cy={y} r={5} fill={colour} /> : null}
          </g>
        );
      })}
    </svg>
  );
}
