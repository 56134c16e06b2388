import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerPython } from './python.ts';

export interface FuzzOptions {
  /** Bearer token sent on every request (for servers that require one); else QUARRY_TEST_FUZZ_TOKEN, else none. */
  token?: string;
  /** Test cases per operation and phase. */
  maxExamples: number;
  /** Time budget for the whole run, in seconds (schemathesis stops generating when it is spent). */
  maxSeconds: number;
  /** Where the JUnit report goes. */
  reportDir: string;
  /** Fixed seed so a failure reproduces. */
  seed?: number;
}

export interface FuzzResult {
  code: number | null;
  output: string;
  /** One line per failed check, from the JUnit report: operation and what failed. */
  failures: string[];
}

/**
 * Two deliberate exceptions to the checks, each a documented contract rather than a defect:
 * - 501 is how Metacat says "not supported" (creating a catalog, which comes from configuration);
 *   it is declared in the document, so it is not counted as a server error.
 * - The Iceberg table commits' request schema (one table, or several in a transaction: lists of
 *   updates chosen by their `action`, with if/then branches per action) is one schemathesis 4
 *   cannot generate from ("Schema Error"); the commit path is covered by the Iceberg REST tests with PyIceberg, Spark and iceberg-js instead.
 */
const CONFIG = `[checks.not_a_server_error]
expected-statuses = ["2XX", "3XX", "4XX", "501"]

[[operations]]
include-name = "POST /iceberg/v1/namespaces/{namespace}/tables/{table}"
enabled = false

[[operations]]
include-name = "POST /iceberg/v1/transactions/commit"
enabled = false
`;

/**
 * Runs schemathesis (the peer environment's, scripts/python-requirements.txt) over a running
 * server's /openapi.json with the checks that define the contract: no 5xx, every status documented,
 * every body as documented.
 */
export async function runSchemathesis(baseUrl: string, options: FuzzOptions): Promise<FuzzResult> {
  const schemathesis = path.join(path.dirname(peerPython()), 'schemathesis');
  const token = options.token ?? process.env.QUARRY_TEST_FUZZ_TOKEN;
  const junit = path.join(options.reportDir, 'junit.xml');
  mkdirSync(options.reportDir, { recursive: true });
  const config = path.join(options.reportDir, 'schemathesis.toml');
  writeFileSync(config, CONFIG);
  const args = [
    '--config-file', config,
    'run',
    `${baseUrl}/openapi.json`,
    '--url', baseUrl,
    '--checks', 'not_a_server_error,status_code_conformance,response_schema_conformance',
    '--max-examples', String(options.maxExamples),
    '--max-time', String(options.maxSeconds),
    '--workers', '1',
    '--seed', String(options.seed ?? 20261205),
    '--generation-database', 'none',
    // Long polls answer within 30 s (MAX_POLL_MS); a request still open after that is a hang.
    '--request-timeout', '45',
    '--suppress-health-check', 'all',
    '--no-color',
    '--report', 'junit',
    '--report-junit-path', junit,
    ...(token ? ['--header', `Authorization: Bearer ${token}`] : []),
  ];
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    // Its working folder is the report folder: schemathesis keeps a .schemathesis cache there, not in the repository.
    const child = spawn(schemathesis, args, { cwd: options.reportDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEMATHESIS_HOOKS: '' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // Its own budget plus setup and the last requests; a hung run is a failure, not a stuck suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), (options.maxSeconds + 120) * 1000);
    child.once('error', reject);
    child.once('close', (exit) => {
      clearTimeout(timer);
      resolve({ code: exit, output: out });
    });
  });
  return { code, output, failures: junitFailures(junit) };
}

function junitFailures(file: string): string[] {
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const failures: string[] = [];
  for (const testcase of xml.split('<testcase').slice(1)) {
    const name = /name="([^"]*)"/.exec(testcase)?.[1] ?? '?';
    for (const failure of testcase.matchAll(/<(failure|error)[^>]*?(?:message="([^"]*)")?[^>]*>/g)) {
      failures.push(`${name}: ${failure[1]} ${(failure[2] ?? '').slice(0, 300)}`);
    }
  }
  return failures;
}
