import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { loadConfig } from '../config/config.ts';
import { CliError } from './cli-error.ts';
import type { ExperimentReport } from '../experiments/experiment-report.ts';
import type { CliCommand } from './command.ts';
import { platformNotice, requireExistingPlatform } from './platform-notice.ts';
import { serverRequest } from './server-request.ts';

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
  quarry ab-report --experiment artwork --server http://127.0.0.1:8080 --output report.json --html report.html

Options:
  --experiment NAME   The experiment (declared with PUT /api/experiments/v1/experiments/NAME)
  --definition FILE   Declare (or replace) the experiment from this JSON file first: the body
                      that PUT takes (allocation, control, cells, alpha, metrics)
  --format FORMAT     json (default) or html: a self-contained page with charts
  --output FILE       Write the report to FILE instead of standard output
  --html FILE         Also write the report's HTML page (with charts) to FILE
  --server URL        Ask a running Quarry server to compute and store the report (POST
                      URL/api/experiments/v1/experiments/NAME/reports) instead of opening the
                      database and warehouse here (also QUARRY_SERVER_URL); a 503 is retried
                      after Retry-After for at most QUARRY_CLI_RETRY_SECONDS (60)
                      With the server checking credentials, the request sends
                      QUARRY_SERVER_TOKEN, else the token in the file QUARRY_SERVER_TOKEN_FILE names
  -h, --help          Show this help

Without --server, the platform is found like 'quarry table' finds it (QUARRY_HOME, a
configuration file, or the nearest .quarry folder). A one-line summary goes to standard error.

As a job: register a command named "ab-report" (e.g. tag type:ab-report) whose executable is
'quarry ab-report --server URL --output report.json --html report.html'; a job's commandArgs are
then '--experiment NAME'. The report is stored in the experiments store (it becomes the latest
report) and report.json and report.html land in the job's output directory.
`;

export const abReportCommand: CliCommand = {
  name: 'ab-report',
  summary: 'Compute and store an A/B experiment report (lift, intervals, p-values, SRM, CUPED)',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { experiment: { type: 'string' }, definition: { type: 'string' }, format: { type: 'string' }, output: { type: 'string' }, html: { type: 'string' }, server: { type: 'string' } },
    });
    if (positionals.length > 0) throw new CliError(`quarry ab-report takes no positional arguments (got ${positionals.join(' ')}); name the experiment with --experiment NAME`);
    const name = values.experiment;
    if (!name) throw new CliError('quarry ab-report needs --experiment NAME');
    const format = values.format ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be json or html (got ${JSON.stringify(format)})`);
    const definition = values.definition === undefined ? undefined : readDefinition(values.definition, (await import('../experiments/experiment-definition.ts')).ExperimentDefinitionSchema);
    const server = values.server ?? process.env.QUARRY_SERVER_URL;
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const report = server ? await viaServer(server, name, definition, abort.signal) : await locally(name, definition, abort.signal);
      const { reportPage } = await import('../experiments/report-page.ts');
      const text = format === 'html' ? reportPage(report) : `${JSON.stringify(report, null, 2)}\n`;
      if (values.output) writeFileSync(path.resolve(values.output), text);
      else process.stdout.write(text);
      if (values.html) writeFileSync(path.resolve(values.html), reportPage(report));
      const written = [values.output, values.html].filter((f) => f !== undefined);
      const significant = report.metrics.flatMap((m) => m.cells.filter((c) => c.significant).map((c) => `${m.name}/${c.name}`));
      process.stderr.write(
        `quarry: report ${report.number} of ${name}: ${report.cells.map((c) => `${c.name} ${c.members}`).join(', ')} members; sample ratio ${report.srm.mismatch ? 'MISMATCH' : 'ok'} (p ${report.srm.pValue.toPrecision(3)}); significant: ${significant.join(', ') || 'none'}${written.length ? `; written to ${written.join(', ')}` : ''}\n`,
      );
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};

/** Declares (when asked) and computes the report with the database and warehouse opened here. */
async function locally(name: string, definition: unknown, signal: AbortSignal): Promise<ExperimentReport> {
  const config = loadConfig();
  requireExistingPlatform(config, 'quarry ab-report');
  const notice = platformNotice(config);
  if (notice) process.stderr.write(`${notice}\n`);
  const [{ openDatabase }, { Warehouse }, { QueryEngine }, { queryConfigOf }, { ExperimentsArea }] = await Promise.all([
    import('../db/database.ts'),
    import('../warehouse/warehouse.ts'),
    import('../query/query-engine.ts'),
    import('../config/query-config.ts'),
    import('../experiments/experiments-area.ts'),
  ]);
  const database = await openDatabase(config.database);
  try {
    const warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3 });
    const area = new ExperimentsArea(database, new QueryEngine(warehouse, { ...queryConfigOf(config), catalogNames: ['warehouse', 'quarry'] }));
    if (definition !== undefined) {
      const { created } = await area.declare(name, definition as Parameters<typeof area.declare>[1]);
      process.stderr.write(`quarry: ${created ? 'declared' : 'updated'} experiment ${name}\n`);
    }
    return await area.computeReport(name, signal);
  } finally {
    await database.close();
  }
}

/**
 * Declares (when asked) and computes the report on a running server, which stores it: what a job
 * does, so it runs on any agent's host without the platform's database credentials.
 */
async function viaServer(server: string, name: string, definition: unknown, signal: AbortSignal): Promise<ExperimentReport> {
  const url = (suffix: string) => new URL(`/api/experiments/v1/experiments/${encodeURIComponent(name)}${suffix}`, server);
  if (definition !== undefined) {
    // Replacing a declaration with the same body twice changes nothing, so a lost connection is retried.
    const res = await serverRequest(url(''), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(definition) }, { idempotent: true, signal });
    if (!res.ok) throw new CliError(`the server refused the declaration of ${name} (${res.status}): ${await messageOf(res)}`);
    process.stderr.write(`quarry: ${res.status === 201 ? 'declared' : 'updated'} experiment ${name}\n`);
  }
  // Each POST stores a new report, so only a 503 (nothing done) is retried.
  const res = await serverRequest(url('/reports'), { method: 'POST' }, { idempotent: false, signal });
  if (res.status !== 201) throw new CliError(`the server answered ${res.status} for the report of ${name}: ${await messageOf(res)}`);
  return (await res.json()) as ExperimentReport;
}

async function messageOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  return body.message ?? res.statusText;
}

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
