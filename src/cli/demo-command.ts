import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { CliError } from './cli-error.ts';
import type { CliCommand } from './command.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

const HELP = `Usage: quarry demo [options]        (also: npm run demo)
       quarry demo --remove

Runs the whole platform on this machine, from events to a finished A/B report, on the embedded
defaults (SQLite, a local warehouse folder, the embedded event log; no other service):

  1. prints the web UI's URL, then starts 'quarry server' (or uses the one running on the
     configured port);
  2. writes an operational SQLite database of synthetic members, plans and devices
     ($QUARRY_HOME/demo/operational.db), declared as the catalog demo_ops, and submits 'snapshot'
     jobs copying each table into a partition per day of the last week (demo_dims.*);
  3. sends a week of playback and UI events and the experiment's allocations through the collector
     at a steady rate, with a few malformed lines that land in the dead-letter tables
     (demo_events.*, demo_ab.allocations), and keeps live events flowing while the demo runs;
  4. declares the experiment demo-artwork: cells control, bigger-art (a planted effect on streaming
     hours) and new-font (no effect), with a slight sample-ratio mismatch on one day;
  5. submits an 'ab-report' job and a 'sql' job through the jobs API, on the cluster 'local' with
     commands the demo registers (tag quarry:demo), and prints the report's outcome.

Everything the demo makes is named demo_* / demo-* (its own databases in the catalog), so it can
live in an existing QUARRY_HOME beside your data. Ctrl-C stops the demo (and the server, if the
demo started it); the data stays. Run it again to resubmit the jobs; --remove to take it away.

With authentication on (QUARRY_AUTH_MODE tokens or oidc) the demo sends QUARRY_SERVER_TOKEN (an
admin's API token or OIDC JWT); without it, in mode tokens, it makes its own admin token for the
user 'demo' (as 'quarry token create --admin' does), kept in $QUARRY_HOME/demo/server-token (0600).
Its ab-report and sql jobs read the token from that file. In mode oidc it needs QUARRY_SERVER_TOKEN.

Options:
  --remove               Remove the demo: its experiment, clusters and commands, snapshot tables,
                         the token it made, its folder; its streams are stopped and their tables
                         emptied
  --members N            Synthetic members (default 3000)
  --seed N               Seed of the synthetic data (default 17): same seed, same report
  --rate N               Events per second while the week is sent (default 3000)
  --live-rate N          Live events per second afterwards (default 10; 0: none)
  -h, --help             Show this help

The platform is found as for 'quarry server' (QUARRY_HOME, a configuration file, or the nearest
.quarry folder, else a new ./.quarry).
`;

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Run the whole platform on sample data: snapshots, events, jobs and an A/B report',
  help: HELP,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { remove: { type: 'boolean' }, members: { type: 'string' }, seed: { type: 'string' }, rate: { type: 'string' }, 'live-rate': { type: 'string' } },
    });
    if (positionals.length > 0) throw new CliError(`quarry demo takes no arguments (got ${positionals.join(' ')}); see quarry demo --help`);
    const members = wholeNumber('--members', values.members, 3000, 30);
    const seed = wholeNumber('--seed', values.seed, 17, 0);
    const rate = wholeNumber('--rate', values.rate, 3000, 1);
    const liveRate = wholeNumber('--live-rate', values['live-rate'], 10, 0);
    const config = loadConfig();
    const say = (line: string) => process.stdout.write(`${line}\n`);
    const [{ runDemo }, { removeDemo }, { DemoClient }, { demoFiles, serverUrl }, { startOrReuseServer }, { demoCredential }] = await Promise.all([
      import('../demo/demo-run.ts'),
      import('../demo/demo-removal.ts'),
      import('../demo/demo-client.ts'),
      import('../demo/demo-setup.ts'),
      import('../demo/demo-server.ts'),
      import('../demo/demo-credential.ts'),
    ]);
    if (values.remove) {
      const files = demoFiles(config);
      const url = serverUrl(config);
      mkdirSync(files.folder, { recursive: true });
      const credential = await demoCredential(config, files);
      const server = await startOrReuseServer(url, { command: [process.execPath, BIN, 'server'], env: process.env, logFile: path.join(config.home, 'demo-remove-server.log') });
      try {
        await removeDemo(new DemoClient(url, credential.authorization), config, files, say);
      } finally {
        await server.stop();
      }
      return 0;
    }
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await runDemo({ config, node: process.execPath, bin: BIN, members, seed, eventsPerSecond: rate, liveEventsPerSecond: liveRate, say, signal: abort.signal });
      return 0;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};

function wholeNumber(option: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${option} must be a whole number, at least ${min} (got ${JSON.stringify(value)})`);
  return n;
}
