import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { loadConfig } from '../config/config.ts';
import { CliError } from './cli-error.ts';
import type { CliCommand } from './command.ts';
import { platformNotice, requireExistingPlatform } from './platform-notice.ts';

const FORMATS = ['json', 'html'] as const;

const HELP = `Usage: quarry ab-report --experiment NAME [options]

Computes an A/B report of a declared experiment from the warehouse as it is now, stores it (it
becomes GET /api/experiments/v1/experiments/NAME/reports/latest) and prints it. Per cell: members,
each metric's mean, variance and quantiles; against control: absolute and relative lift with
intervals, p-values (Welch's t-test for means, two-proportion z-test for rates, Welch on
CUPED-adjusted values for metrics with a pre-period covariate), Holm's correction across every
(metric, cell) comparison, and the sample-ratio-mismatch check against the intended split.

  quarry ab-report --experiment artwork
  quarry ab-report --experiment artwork --format html --output artwork.html
  quarry ab-report --experiment artwork --definition artwork.json

Options:
  --experiment NAME   The experiment (declared with PUT /api/experiments/v1/experiments/NAME)
  --definition FILE   Declare (or replace) the experiment from this JSON file first: the body
                      that PUT takes (allocation, control, cells, alpha, metrics)
  --format FORMAT     json (default) or html: a self-contained page with charts
  --output FILE       Write the report to FILE instead of standard output
  -h, --help          Show this help

The platform is found like 'quarry table' finds it (QUARRY_HOME, a configuration file, or the
nearest .quarry folder). A one-line summary goes to standard error.
`;

export const abReportCommand: CliCommand = {
  name: 'ab-report',
  summary: 'Compute and store an A/B experiment report (lift, intervals, p-values, SRM, CUPED)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { experiment: { type: 'string' }, definition: { type: 'string' }, format: { type: 'string' }, output: { type: 'string' } },
    });
    if (positionals.length > 0) throw new CliError(`quarry ab-report takes no positional arguments (got ${positionals.join(' ')}); name the experiment with --experiment NAME`);
    const name = values.experiment;
    if (!name) throw new CliError('quarry ab-report needs --experiment NAME');
    const format = values.format ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be json or html (got ${JSON.stringify(format)})`);
    const config = loadConfig();
    requireExistingPlatform(config, 'quarry ab-report');
    const notice = platformNotice(config);
    if (notice) process.stderr.write(`${notice}\n`);
    const [{ openDatabase }, { Warehouse }, { QueryEngine }, { queryConfigOf }, { ExperimentsArea }, { ExperimentDefinitionSchema }, { reportPage }] = await Promise.all([
      import('../db/database.ts'),
      import('../warehouse/warehouse.ts'),
      import('../query/query-engine.ts'),
      import('../config/query-config.ts'),
      import('../experiments/experiments-area.ts'),
      import('../experiments/experiment-definition.ts'),
      import('../experiments/report-page.ts'),
    ]);
    const definition = values.definition === undefined ? undefined : readDefinition(values.definition, ExperimentDefinitionSchema);
    const database = await openDatabase(config.database);
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const warehouse = Warehouse.open({ database, warehouse: config.warehouse, s3: config.s3 });
      const area = new ExperimentsArea(database, new QueryEngine(warehouse, { ...queryConfigOf(config), catalogNames: ['warehouse', 'quarry'] }));
      if (definition !== undefined) {
        const { created } = await area.declare(name, definition as Parameters<typeof area.declare>[1]);
        process.stderr.write(`quarry: ${created ? 'declared' : 'updated'} experiment ${name} from ${values.definition}\n`);
      }
      const report = await area.computeReport(name, abort.signal);
      const text = format === 'html' ? reportPage(report) : `${JSON.stringify(report, null, 2)}\n`;
      if (values.output) writeFileSync(path.resolve(values.output), text);
      else process.stdout.write(text);
      const significant = report.metrics.flatMap((m) => m.cells.filter((c) => c.significant).map((c) => `${m.name}/${c.name}`));
      process.stderr.write(
        `quarry: report ${report.number} of ${name}: ${report.cells.map((c) => `${c.name} ${c.members}`).join(', ')} members; sample ratio ${report.srm.mismatch ? 'MISMATCH' : 'ok'} (p ${report.srm.pValue.toPrecision(3)}); significant: ${significant.join(', ') || 'none'}${values.output ? `; written to ${values.output}` : ''}\n`,
      );
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      await database.close();
    }
  },
};

/** Reads and checks an experiment declaration file against the same schema PUT uses. */
function readDefinition(file: string, schema: TSchema): unknown {
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--definition ${file} is not a readable JSON file: ${(error as Error).message.split('\n')[0]}`);
  }
  const first = Value.Errors(schema, body)[0];
  if (first) throw new CliError(`--definition ${file}: ${first.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top level)'} ${first.message}`);
  return body;
}
