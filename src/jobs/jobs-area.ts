import type { QuarryConfig } from '../config/config.ts';
import type { JobsConfig } from '../config/jobs-config.ts';
import type { Database } from '../db/database.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { AgentService } from './agent-service.ts';
import { AgentStore } from './agent-store.ts';
import { JobService, type ResolveJob } from './job-service.ts';
import { JobSettings } from './job-settings.ts';
import { JobSignals } from './job-signals.ts';
import { JobStore } from './job-store.ts';
import { DatabaseCleanup } from './leader/database-cleanup.ts';
import { LeaderDuties } from './leader/leader-duties.ts';
import { UnusedResources } from './leader/unused-resources.ts';
import { JobOutput } from './output/job-output.ts';
import { RegistryService } from './registry/registry-service.ts';
import type { ClusterLoad } from './resolution/job-resolution.ts';
import { ServerNodes } from './server-nodes.ts';
import { SubmissionGate } from './submission-gate.ts';

/** The jobs area of one server node: its services, wired from configuration. */
export interface JobsArea {
  readonly config: JobsConfig;
  /** Genie's registry of applications, clusters and commands. */
  readonly registry: RegistryService;
  /** The base URL of links in Genie's answers (`publicUrl`); absent: the request's own origin. */
  readonly publicUrl: string | undefined;
  /** The token agents must present on the agent API (`agentToken`); absent: the agent API is open. */
  readonly agentToken: string | undefined;
  readonly store: JobStore;
  /** Agents, their heartbeats and the kill requests they act on. */
  readonly agentStore: AgentStore;
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
 * Builds the jobs area. `makeResolver` receives the area's registry and its ClusterLoad (active
 * jobs per cluster, from the job table) for the least-loaded cluster selector.
 */
export async function openJobsArea(config: QuarryConfig, database: Database, makeResolver: (registry: RegistryService, clusterLoad: ClusterLoad) => Promise<ResolveJob>): Promise<JobsArea> {
  const store = new JobStore(database);
  const agentStore = new AgentStore(database);
  const clusterLoad: ClusterLoad = (ids) => store.countActiveByCluster(ids);
  const registry = new RegistryService(database);
  const resolve = await makeResolver(registry, clusterLoad);
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
  const agents = new AgentService(store, signals, config.jobs, agentStore);
  const nodes = new ServerNodes(database.db, config.jobs.heartbeatIntervalMs, config.jobs.heartbeatTimeoutMs);
  const leader = new LeaderDuties(database, store, config.jobs, { cleanup: { task: cleanup, settings } });
  leader.start();
  return {
    config: config.jobs,
    registry,
    publicUrl: config.publicUrl,
    agentToken: config.agentToken,
    store,
    agentStore,
    jobs: new JobService(store, resolve, attachments, config.jobs, signals, submission, agentStore, () => nodes.advertisedId),
    agents,
    output: new JobOutput(agentStore, config.s3, config.agentToken),
    leader,
    cleanup,
    submission,
    clusterLoad,
    nodes,
    async close() {
      // Long polls first: they must not read the database once the platform closes it.
      await agents.close();
      await nodes.withdraw();
      await leader.stop();
    },
  };
}
