import type { Migration } from 'kysely';
import { registry0100 } from './0100-registry.ts';
import { registry0101NamePattern } from './0101-registry-name-pattern.ts';
import { jobsMigration } from './0201-jobs.ts';
import { migration0202JobSettings } from './0202-job-settings.ts';
import { migration0203JobRequestHeaders } from './0203-job-request-headers.ts';
import { migration0204JobApplications } from './0204-job-applications.ts';
import { migration0220ServerNodes } from './0220-server-nodes.ts';
import { migration0230JobStatusChanges } from './0230-job-status-changes.ts';
import { migration0301IcebergTables } from './0301-iceberg-tables.ts';
import { catalogMigration0401 } from './0401-catalog.ts';
import { migration0501AuthTokens } from './0501-auth-tokens.ts';
import { migration0502AgentCredentials } from './0502-agent-credentials.ts';
import { migration0503JobSubmittedBy } from './0503-job-submitted-by.ts';
import { migration0601Pipeline } from './0601-pipeline.ts';
import { migration0602PipelineLeases } from './0602-pipeline-leases.ts';
import { migration0801Experiments } from './0801-experiments.ts';

/**
 * Every schema migration, in the order they run. Names sort in execution order; a migration never
 * changes once released — a later one alters what an earlier one made.
 */
export const migrations: Record<string, Migration> = {
  '0100-registry': registry0100,
  '0101-registry-name-pattern': registry0101NamePattern,
  '0201-jobs': jobsMigration,
  '0202-job-settings': migration0202JobSettings,
  '0203-job-request-headers': migration0203JobRequestHeaders,
  '0204-job-applications': migration0204JobApplications,
  '0220-server-nodes': migration0220ServerNodes,
  '0230-job-status-changes': migration0230JobStatusChanges,
  '0301-iceberg-tables': migration0301IcebergTables,
  '0401-catalog': catalogMigration0401,
  '0501-auth-tokens': migration0501AuthTokens,
  '0502-agent-credentials': migration0502AgentCredentials,
  '0503-job-submitted-by': migration0503JobSubmittedBy,
  '0601-pipeline': migration0601Pipeline,
  '0602-pipeline-leases': migration0602PipelineLeases,
  '0801-experiments': migration0801Experiments,
};
