import type { QuarryConfig } from '../config/config.ts';
import type { JobsConfig } from '../config/jobs-config.ts';
import type { Database } from '../db/database.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { AgentService } from './agent-service.ts';
import { JobService, type ResolveJob } from './job-service.ts';
import { JobSettings } from './job-settings.ts';
import { JobSignals } from './job-signals.ts';
import { JobStore } from './job-store.ts';
import { DatabaseCleanup } from './leader/database-cleanup.ts';
import { LeaderDuties } from './leader/leader-duties.ts';
import { UnusedResources } from './leader/unused-resources.ts';
import { JobOutput } from './output/job-output.ts';
import type { ClusterLoad } from './resolution/job-resolution.ts';
import { ServerNodes } from './server-nodes.ts';
import { SubmissionGate } from './submission-gate.ts';

/** The jobs area of one server node: its services, wired from configuration. */
export interface JobsArea {
  readonly config: JobsConfig;
  readonly store: JobStore;
  readonly jobs: JobService;
  readonly agents: AgentService;
  readonly output: JobOutput;
  readonly leader: LeaderDuties;
  /** The database cleanup the leader runs when due (`run(now)` runs it at once). */
  readonly cleanup: DatabaseCleanup;
  /** Whether submissions are accepted: configuration, overridden at runtime by an admin. */
  readonly submission: SubmissionGate;
  /** Active jobs per cluster, for the least-loaded cluster selector. */
  readonly clusterLoad: ClusterLoad;
  /** The live server nodes: this node advertises its URL once it listens; agents learn the others. */
  readonly nodes: ServerNodes;
  close(): Promise<void>;
}

/**
 * Builds the jobs area. `makeResolver` receives the area's ClusterLoad (active jobs per cluster,
 * from the job table) for the least-loaded cluster selector.
 */
export async function openJobsArea(config: QuarryConfig, database: Database, makeResolver: (clusterLoad: ClusterLoad) => Promise<ResolveJob>): Promise<JobsArea> {
  const store = new JobStore(database);
  const clusterLoad: ClusterLoad = (ids) => store.countActiveByCluster(ids);
  const resolve = await makeResolver(clusterLoad);
  const signals = new JobSignals();
  const attachments = openObjectStore(config.jobs.attachmentRoot, config.s3);
  const settings = new JobSettings(database);
  const submission = new SubmissionGate(settings, config.jobs.submission);
  const cleanup = new DatabaseCleanup(config.jobs.databaseCleanup, {
    store,
    unused: new UnusedResources(database.db),
    archiveStore: (location) => openObjectStore(location, config.s3),
    attachmentStore: attachments,
  });
  const leader = new LeaderDuties(database, store, config.jobs, { cleanup: { task: cleanup, settings } });
  leader.start();
  const nodes = new ServerNodes(database.db, config.jobs.heartbeatIntervalMs, config.jobs.heartbeatTimeoutMs);
  return {
    config: config.jobs,
    store,
    jobs: new JobService(store, resolve, attachments, config.jobs, signals, submission),
    agents: new AgentService(store, signals, config.jobs),
    output: new JobOutput(store, config.s3, config.agentToken),
    leader,
    cleanup,
    submission,
    clusterLoad,
    nodes,
    close: async () => {
      await nodes.withdraw();
      await leader.stop();
    },
  };
}
