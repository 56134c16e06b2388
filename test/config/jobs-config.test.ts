import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'quarry-jobs-config-'));
const withFile = (yaml: string) => {
  const file = path.join(cwd, `quarry-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  return loadConfig({ QUARRY_CONFIG: file }, cwd);
};

describe('the jobs configuration section', () => {
  it('defaults to folders under QUARRY_HOME, archives under the warehouse, and Genie’s timeouts', () => {
    const { jobs, home, warehouse } = loadConfig({}, cwd);
    assert.equal(jobs.directoryRoot, path.join(home, 'jobs'));
    assert.equal(jobs.cacheDirectory, path.join(home, 'agent-cache'));
    assert.equal(jobs.archiveRoot, `${warehouse}/jobs/archives`);
    assert.equal(jobs.attachmentRoot, `${warehouse}/jobs/attachments`);
    assert.equal(jobs.localAgent, true);
    assert.equal(jobs.heartbeatTimeoutMs, 30_000);
    assert.equal(jobs.claimStartTimeoutMs, 10_000);
    assert.equal(jobs.claimTimeoutMs, 240_000);
    assert.equal(jobs.killGraceMs, 10_000);
    assert.equal(jobs.archiveStatusTimeoutMs, 120_000);
    assert.equal(jobs.timeoutDefaultSeconds, 604_800);
    assert.deepEqual(jobs.activeLimit, { enabled: false, count: 100, overrides: {} });
    assert.deepEqual(jobs.attachments, { maxBytes: 100 * 1024 * 1024, maxTotalBytes: 150 * 1024 * 1024 });
    assert.deepEqual(jobs.resolution, { selector: 'random' });
    assert.deepEqual(jobs.filesLimit, { checkIntervalMs: 60_000, maxFiles: 64_000, maxFileBytes: 8 * 1024 ** 3, maxTotalBytes: 16 * 1024 ** 3 });
    assert.deepEqual(jobs.databaseCleanup, {
      intervalMs: 86_400_000,
      jobs: { enabled: true, retentionMs: 90 * 86_400_000, batchSize: 1000, deleteArchives: false },
      registry: {
        enabled: false,
        batchSize: 10_000,
        commandDeactivationMs: 60 * 86_400_000,
        deactivateCommands: true,
        deleteCommands: true,
        deleteClusters: true,
        deleteApplications: true,
      },
    });
    assert.deepEqual(jobs.directoryCleanup, { enabled: true, intervalMs: 86_400_000, retentionMs: 3 * 86_400_000 });
    assert.deepEqual(jobs.submission, { enabled: true, disabledMessage: 'Job submission is currently disabled. Please try again later.' });
  });

  it('reads every key from the file', () => {
    const { jobs } = withFile(`jobs:
  resolution: { selector: least-loaded }
  directoryRoot: run/jobs
  archiveRoot: s3://archive-bucket/genie
  attachmentRoot: attachments
  cacheDirectory: /var/cache/quarry
  localAgent: false
  heartbeatIntervalSeconds: 0.5
  heartbeatTimeoutSeconds: 30
  claimTimeoutSeconds: 60
  killGraceSeconds: 3
  leaderIntervalSeconds: 1
  archiveStatusTimeoutSeconds: 300
  timeout: { defaultSeconds: 3600, maxSeconds: 7200 }
  activeLimit: { enabled: true, count: 5, overrides: { etl: 50 } }
  attachments: { maxBytes: 1000, maxTotalBytes: 2000 }
  submission: { enabled: false, disabledMessage: Down for maintenance }
  directoryCleanup: { enabled: false, intervalSeconds: 3600, retentionDays: 0.5 }
  databaseCleanup:
    intervalSeconds: 3600
    jobs: { enabled: false, retentionDays: 30, batchSize: 10, deleteArchives: true }
    registry: { enabled: true, batchSize: 5, commandDeactivationDays: 7, deactivateCommands: false, deleteCommands: false, deleteClusters: false, deleteApplications: false }
  filesLimit: { checkIntervalSeconds: 5, maxFiles: 100, maxFileBytes: 1000, maxTotalBytes: 5000 }
`);
    assert.equal(jobs.resolution.selector, 'least-loaded');
    assert.equal(jobs.directoryRoot, path.join(cwd, 'run/jobs'));
    assert.equal(jobs.archiveRoot, 's3://archive-bucket/genie');
    assert.equal(jobs.attachmentRoot, pathToFileURL(path.join(cwd, 'attachments')).href);
    assert.equal(jobs.cacheDirectory, '/var/cache/quarry');
    assert.equal(jobs.localAgent, false);
    assert.equal(jobs.heartbeatIntervalMs, 500);
    assert.equal(jobs.heartbeatTimeoutMs, 30_000);
    assert.equal(jobs.claimTimeoutMs, 60_000);
    assert.equal(jobs.killGraceMs, 3000);
    assert.equal(jobs.leaderIntervalMs, 1000);
    assert.equal(jobs.archiveStatusTimeoutMs, 300_000);
    assert.equal(jobs.timeoutMaxSeconds, 7200);
    assert.deepEqual(jobs.activeLimit, { enabled: true, count: 5, overrides: { etl: 50 } });
    assert.deepEqual(jobs.attachments, { maxBytes: 1000, maxTotalBytes: 2000 });
    assert.deepEqual(jobs.submission, { enabled: false, disabledMessage: 'Down for maintenance' });
    assert.deepEqual(jobs.databaseCleanup, {
      intervalMs: 3_600_000,
      jobs: { enabled: false, retentionMs: 30 * 86_400_000, batchSize: 10, deleteArchives: true },
      registry: {
        enabled: true,
        batchSize: 5,
        commandDeactivationMs: 7 * 86_400_000,
        deactivateCommands: false,
        deleteCommands: false,
        deleteClusters: false,
        deleteApplications: false,
      },
    });
    assert.deepEqual(jobs.directoryCleanup, { enabled: false, intervalMs: 3_600_000, retentionMs: 43_200_000 });
    assert.deepEqual(jobs.filesLimit, { checkIntervalMs: 5000, maxFiles: 100, maxFileBytes: 1000, maxTotalBytes: 5000 });
  });

  it('stops at start with a line naming a bad jobs setting', () => {
    assert.throws(() => withFile('jobs:\n  heartbeatTimeoutSecs: 5\n'), (e: Error) => e instanceof ConfigError && /heartbeatTimeoutSecs.*is not a known setting/.test(e.message));
    assert.throws(() => withFile('jobs:\n  killGraceSeconds: -1\n'), (e: Error) => e instanceof ConfigError && /jobs\.killGraceSeconds/.test(e.message));
    assert.throws(() => withFile('jobs:\n  timeout: { defaultSeconds: 100, maxSeconds: 10 }\n'), (e: Error) => e instanceof ConfigError && /jobs\.timeout\.defaultSeconds must not exceed/.test(e.message));
    assert.throws(() => withFile('jobs:\n  databaseCleanup: { jobs: { retentionDays: 0 } }\n'), (e: Error) => e instanceof ConfigError && /jobs\.databaseCleanup\.jobs\.retentionDays/.test(e.message));
    assert.throws(() => withFile('jobs:\n  filesLimit: { maxFiles: 1.5 }\n'), (e: Error) => e instanceof ConfigError && /jobs\.filesLimit\.maxFiles/.test(e.message));
    assert.throws(() => withFile('jobs:\n  submission: { enabled: maybe }\n'), (e: Error) => e instanceof ConfigError && /jobs\.submission\.enabled/.test(e.message));
    assert.throws(() => withFile('jobs:\n  archiveRoot: hdfs://nn/archives\n'), (e: Error) => e instanceof ConfigError && /jobs\.archiveRoot must be a file:\/\/ or s3:\/\/ URI/.test(e.message));
  });
});
