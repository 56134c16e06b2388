import { quoteIdent, quoteString } from '../table/duckdb-session.ts';
import type { ExperimentDefinition, MetricDefinition } from './experiment-definition.ts';

/** The quantiles each cell's distribution reports, in order. */
export const DISTRIBUTION_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/*
 * The SQL that reduces an experiment's members to per-cell sufficient statistics inside the query
 * engine: only one row per cell ever reaches JavaScript, however many members there are.
 *
 * Members: the allocation table's rows for this experiment, one per member — a member allocated more
 * than once counts in the cell and from the time of their first allocation. Members in cells the
 * experiment does not declare are left out (they are not part of the comparison).
 */

function tableName(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

function membersCte(definition: ExperimentDefinition): string {
  const a = definition.allocation;
  const cells = definition.cells.map((c) => quoteString(c.name)).join(', ');
  return `__members AS (
  SELECT * FROM (
    SELECT ${quoteIdent(a.memberColumn)} AS __member, arg_min(${quoteIdent(a.cellColumn)}, ${quoteIdent(a.timeColumn)}) AS __cell, min(${quoteIdent(a.timeColumn)}) AS __t0
    FROM ${tableName(a.table)}
    WHERE ${quoteIdent(a.experimentColumn)} = ${quoteString(a.experimentValue)}
    GROUP BY ${quoteIdent(a.memberColumn)}
  ) WHERE __cell IN (${cells})
)`;
}

/** Members per declared cell: rows (cell, members). */
export function cellMembersSql(definition: ExperimentDefinition): string {
  return `WITH ${membersCte(definition)}
SELECT __cell AS cell, count(*) AS members FROM __members GROUP BY __cell ORDER BY __cell`;
}

/** One member's aggregate over the events between `from` and `to` (SQL expressions of __t0); 0 without events. */
function perMemberCte(name: string, metric: MetricDefinition, from: string, to: string): string {
  const time = `__e.${quoteIdent(metric.timeColumn)}`;
  return `${name} AS (
  SELECT __m.__member, CAST(coalesce((${metric.value}), 0) AS DOUBLE) AS __value
  FROM __members __m LEFT JOIN ${tableName(metric.table)} __e
    ON __e.${quoteIdent(metric.memberColumn)} = __m.__member AND ${time} >= ${from} AND ${time} < ${to}
  GROUP BY __m.__member
)`;
}

/**
 * One metric's statistics per cell, one row per cell with members:
 * cell, n, mean, variance, total, min, max, quantiles (a list, DISTRIBUTION_QUANTILES), and with CUPED
 * covariate mean, covariate variance, covariance. Variances and covariances are sample (n − 1)
 * forms, NULL for a single member.
 */
export function metricStatisticsSql(definition: ExperimentDefinition, metric: MetricDefinition): string {
  const window = `__m.__t0 + INTERVAL ${metric.windowDays} DAY`;
  const ctes = [membersCte(definition), perMemberCte('__after', metric, '__m.__t0', window)];
  const cuped = metric.cuped !== undefined;
  if (metric.cuped) ctes.push(perMemberCte('__before', metric, `__m.__t0 - INTERVAL ${metric.cuped.preWindowDays} DAY`, '__m.__t0'));
  const quantiles = `[${DISTRIBUTION_QUANTILES.join(', ')}]`;
  return `WITH ${ctes.join(',\n')}
SELECT __m.__cell AS cell, count(*) AS n, avg(__y.__value) AS mean, var_samp(__y.__value) AS variance, sum(__y.__value) AS total,
  min(__y.__value) AS min, max(__y.__value) AS max, quantile_cont(__y.__value, ${quantiles}) AS quantiles${
    cuped ? ',\n  avg(__x.__value) AS covariate_mean, var_samp(__x.__value) AS covariate_variance, covar_samp(__y.__value, __x.__value) AS covariance' : ''
  }
FROM __members __m JOIN __after __y ON __y.__member = __m.__member${cuped ? ' JOIN __before __x ON __x.__member = __m.__member' : ''}
GROUP BY __m.__cell ORDER BY __m.__cell`;
}
