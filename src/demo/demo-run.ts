import type { QuarryConfig } from '../config/config.ts';
import { DemoClient } from './demo-client.ts';
import { demoCredential } from './demo-credential.ts';
import { DEMO_EXPERIMENT, DEMO_SQL, DEMO_STREAMS } from './demo-declarations.ts';
import { submitDemoJob, waitForJob } from './demo-jobs.ts';
import { DEMO } from './demo-names.ts';
import { registerDemoResources } from './demo-registry.ts';
import { startOrReuseServer, type DemoServer } from './demo-server.ts';
import { demoFiles, serverUrl, writeDemoConfig } from './demo-setup.ts';
import { demoWeek, type DemoWeek } from './demo-week.ts';
import { EventFeeder } from './event-feeder.ts';
import { experimentWeek, malformedLines } from './experiment-population.ts';
import { demoMembers, snapshotSources, writeOperationalDatabase } from './operational-database.ts';
import { SeededRandom } from './seeded-random.ts';

/** What a demo run needs from its caller. */
export interface DemoOptions {
  config: QuarryConfig;
  /** How to run `quarry`: this Node.js and the checkout's bin/quarry.js. */
  node: string;
  bin: string;
  members: number;
  seed: number;
  /** Events per second through the collector while the week's history is sent. */
  eventsPerSecond: number;
  /** Live events per second after the history (0: none). */
  liveEventsPerSecond: number;
  /** One line of progress (stdout). */
  say: (line: string) => void;
  /** Ends the live events; the run then stops the server it started and returns. */
  signal: AbortSignal;
}

interface StreamStatus {
  accepted: number;
  rejected: number;
  committed: number;
  deadLettersCommitted: number;
  lag: { events: number };
}

/**
 * The demo, step by step: prints the UI's URL first, starts the server (or uses the running one),
 * writes the operational database and registers the demo's cluster and commands, declares its
 * streams and experiment, sends a week of events through the collector (with a few malformed ones)
 * while `snapshot` jobs copy each day of the operational database, then submits the `ab-report` and
 * `sql` jobs once the events are committed, prints the report's outcome, and keeps events flowing
 * until `signal` aborts.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { config, say, signal } = options;
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const url = serverUrl(config);
  say(`Quarry demo: open ${url}/ (jobs, catalog, pipelines, experiments)`);
  const files = demoFiles(config);
  writeDemoConfig(config, files);
  const week = demoWeek();
  const members = demoMembers(options.members, week, options.seed);
  writeOperationalDatabase(files.operationalDatabase, members);
  // Before the server starts: without a credential the demo stops here, saying what to do.
  const credential = await demoCredential(config, files);
  if (credential.authorization) say(`authenticating with ${credential.origin}`);

  const server: DemoServer = await startOrReuseServer(url, {
    command: [options.node, options.bin, 'server'],
    // The demo's configuration adds the demo_ops catalog; a user's own configuration file is kept as it is.
    env: { ...process.env, ...(config.file ? {} : { QUARRY_CONFIG: files.config }), QUARRY_HOME: config.home },
    logFile: files.serverLog,
  });
  say(server.started ? `started quarry server at ${url} (log: ${files.serverLog}) [${elapsed()}]` : `using the quarry server already running at ${url} [${elapsed()}]`);
  try {
    const client = new DemoClient(url, credential.authorization);
    await registerDemoResources(client, { node: options.node, bin: options.bin, snapshotConfig: files.config, serverUrl: url, tokenFile: credential.tokenFile });
    say(`registered clusters local (sched:adhoc) and local-next, commands snapshot, ab-report and sql (tag ${DEMO.tag}) [${elapsed()}]`);
    for (const [key, definition] of Object.entries(DEMO_STREAMS)) await client.request('PUT', `/api/pipeline/v1/streams/${DEMO.streams[key as keyof typeof DEMO.streams].name}`, definition);
    await client.request('PUT', `/api/experiments/v1/experiments/${DEMO.experiment}`, DEMO_EXPERIMENT);
    say(`declared streams ${Object.values(DEMO.streams).map((s) => `${s.name} → ${s.table}`).join(', ')}; experiment ${DEMO.experiment} [${elapsed()}]`);

    const streamNames = Object.values(DEMO.streams).map((s) => s.name);
    const before = new Map<string, StreamStatus>();
    for (const name of streamNames) before.set(name, await client.get<StreamStatus>(`/api/pipeline/v1/streams/${name}`));
    const loaded = before.get(DEMO.streams.allocations.name)!.accepted > 0;
    const feeder = new EventFeeder(client, options.eventsPerSecond, `demo-${options.seed}-${started}`);

    // The snapshot jobs run while the events flow, a day at a time (three jobs at once), so a small
    // machine is not asked to start 21 processes together while the collector is busy.
    const snapshots = snapshotWeek(client, week, (line) => say(`${line} [${elapsed()}]`), signal);
    snapshots.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

    if (loaded) {
      say(`the demo's week of events is already in ${DEMO.eventsDb} and ${DEMO.abDb}: not sent again (quarry demo --remove starts over)`);
    } else {
      const events = experimentWeek(members, week, options.seed + 1);
      const lines = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r));
      const now = Date.now();
      const targets = [
        { stream: DEMO.streams.allocations.name, lines: lines(events.allocations) },
        { stream: DEMO.streams.playback.name, lines: mixIn(lines(events.playback), malformedLines('playback', 6, now), options.seed) },
        { stream: DEMO.streams.ui.name, lines: mixIn(lines(events.ui), malformedLines('ui', 6, now), options.seed + 2) },
      ];
      const total = targets.reduce((n, t) => n + t.lines.length, 0);
      say(`sending a week of events through the collector: ${events.allocations.length} allocations, ${events.playback.length} playback sessions, ${events.ui.length} UI events and 12 malformed lines, ${options.eventsPerSecond}/s [${elapsed()}]`);
      await feeder.send(targets, signal);
      say(`sent ${total} events [${elapsed()}]; waiting for the sink to commit them`);
    }
    if (signal.aborted) return;
    await waitForCommits(client, streamNames, before, feeder, signal);
    if (signal.aborted) return;
    say(`events committed to ${DEMO.eventsDb}.playback, ${DEMO.eventsDb}.ui, ${DEMO.streams.allocations.table} (malformed ones in their _dead_letters tables) [${elapsed()}]`);

    const reportId = await submitDemoJob(client, { type: 'ab-report', name: `ab-report-${DEMO.experiment}`, commandArgs: `--experiment ${DEMO.experiment}` });
    const sqlId = await submitDemoJob(client, { type: 'sql', name: 'hours-per-device', commandArgs: `"${DEMO_SQL}"` });
    say(`submitted the ab-report job ${reportId} and the sql job ${sqlId}: ${url}/jobs/${reportId} [${elapsed()}]`);

    const live = liveEvents(feeder, members.length, options, signal);
    const reportStatus = await waitForJob(client, reportId);
    if (reportStatus !== 'SUCCEEDED') throw new Error(`the ab-report job ${reportId} ended ${reportStatus}: see ${url}/api/v3/jobs/${reportId}/output/stderr`);
    const report = await client.get<Report>(`/api/experiments/v1/experiments/${DEMO.experiment}/reports/latest`);
    say(`report finished in ${elapsed()}: ${summary(report)}`);
    say(`report page: ${url}/api/experiments/v1/experiments/${DEMO.experiment}/reports/latest.html`);
    const sqlStatus = await waitForJob(client, sqlId);
    say(`sql job ${sqlStatus}: ${url}/api/v3/jobs/${sqlId}/output/result.csv`);
    const statuses = await snapshots;
    const failed = statuses.filter((s) => s !== 'SUCCEEDED').length;
    say(`snapshot jobs: ${statuses.length - failed} SUCCEEDED${failed ? `, ${failed} not (see ${url}/jobs?tag=${encodeURIComponent(DEMO.tag)})` : ''}; tables ${DEMO.dimensionTables.map((t) => `${DEMO.dimensionsDb}.${t}`).join(', ')} with a partition per day [${elapsed()}]`);
    say(`demo ready [${elapsed()}]. Events keep flowing (${options.liveEventsPerSecond}/s); Ctrl-C stops the demo${server.started ? ' and the server it started' : ''}. Tour: README.md, "Tour"`);
    await live;
    // Live events may stop early (a stream removed); the server the demo started keeps serving the UI until Ctrl-C.
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    await server.stop();
  }
}

/** Submits the snapshot jobs of each day of the week, a day's three tables at once; answers their final statuses. */
async function snapshotWeek(client: DemoClient, week: DemoWeek, say: (line: string) => void, signal: AbortSignal): Promise<string[]> {
  const statuses: string[] = [];
  for (const day of week.days) {
    if (signal.aborted) break;
    const ids = await Promise.all(
      snapshotSources(day.iso).map((s) =>
        submitDemoJob(client, {
          type: 'snapshot',
          name: `snapshot-${s.into}-${day.dateint}`,
          commandArgs: `--catalog ${DEMO.catalog} --source ${s.source} --into ${DEMO.dimensionsDb}.${s.into} --date ${day.dateint}${s.where ? ` --where "${s.where}"` : ''}`,
        }),
      ),
    );
    statuses.push(...(await Promise.all(ids.map((id) => waitForJob(client, id)))));
    say(`snapshot jobs of ${day.dateint}: ${statuses.slice(-ids.length).join(', ')}`);
  }
  return statuses;
}

interface Report {
  cells: { name: string; members: number }[];
  srm: { pValue: number; mismatch: boolean };
  metrics: { name: string; cells: { name: string; lift: number | null; pValue: number | null; significant: boolean }[] }[];
}

function summary(report: Report): string {
  const metric = report.metrics[0]!;
  const cells = metric.cells
    .filter((c) => c.lift !== null)
    .map((c) => `${c.name} ${c.lift! >= 0 ? '+' : ''}${c.lift!.toFixed(2)} h (p ${c.pValue?.toPrecision(2)}, ${c.significant ? 'significant' : 'not significant'})`);
  return `${metric.name}: ${cells.join('; ')}; sample ratio ${report.srm.mismatch ? `MISMATCH (p ${report.srm.pValue.toPrecision(2)})` : 'ok'}; members ${report.cells.map((c) => `${c.name} ${c.members}`).join(', ')}`;
}

/** Waits until every stream's table holds what the collector accepted (its lag is zero past the baseline). */
async function waitForCommits(client: DemoClient, names: readonly string[], before: Map<string, StreamStatus>, feeder: EventFeeder, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 300_000;
  let last = '';
  for (;;) {
    const pending: string[] = [];
    for (const name of names) {
      const status = await client.get<StreamStatus>(`/api/pipeline/v1/streams/${name}`);
      const want = before.get(name)!.committed + feeder.total(name).accepted;
      if (status.committed < want) pending.push(`${name} ${status.committed}/${want}`);
    }
    if (pending.length === 0 || signal.aborted) return;
    last = pending.join(', ');
    if (Date.now() > deadline) throw new Error(`the sink had not committed the demo's events after 300 s (committed/accepted: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Live playback and UI events at a steady rate, and a malformed line every 30 s, until `signal` aborts. */
async function liveEvents(feeder: EventFeeder, memberCount: number, options: DemoOptions, signal: AbortSignal): Promise<void> {
  if (options.liveEventsPerSecond <= 0) return;
  const random = new SeededRandom(options.seed + 3);
  for (let second = 0; !signal.aborted; second++) {
    const now = Date.now();
    const playback: string[] = [];
    const ui: string[] = [];
    for (let i = 0; i < options.liveEventsPerSecond; i++) {
      const member = 1 + random.below(memberCount);
      const ts = new Date(now - random.below(1000)).toISOString();
      if (i % 3 === 0) playback.push(JSON.stringify({ member, ts, title: 'The Quarry', device: 'tv', hours: Math.round(random.exponential(0.5) * 1000) / 1000 }));
      else ui.push(JSON.stringify({ member, ts, action: 'browse', device: 'phone' }));
    }
    if (second % 30 === 29) ui.push(malformedLines('ui', 1, now)[0]!);
    try {
      await feeder.send([{ stream: DEMO.streams.playback.name, lines: playback }, { stream: DEMO.streams.ui.name, lines: ui }], signal);
    } catch (error) {
      // A stopped stream (quarry demo --remove) or a server gone: say so once and stop sending.
      if (!signal.aborted) options.say(`live events stopped: ${(error as Error).message}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Places the malformed lines at seeded positions among the good ones, as a faulty client's would arrive. */
function mixIn(good: string[], bad: string[], seed: number): string[] {
  const random = new SeededRandom(seed);
  const out = [...good];
  for (const line of bad) out.splice(random.below(out.length + 1), 0, line);
  return out;
}
