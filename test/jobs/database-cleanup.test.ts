/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadJobsConfig } from '../../src/config/jobs-config.ts';
import { LeaderDuties } from '../../src/jobs/leader/leader-duties.ts';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import { application, bashJob, cluster, command } from '../support/jobs-harness.ts';
import { openTestPlatform, type ConfigOverrides, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const DEFAULTS = loadJobsConfig(undefined, '/quarry', 'file:///quarry/warehouse', '/quarry').databaseCleanup;

/** Overrides of jobs.databaseCleanup over its defaults; the leader's own timer stays out of the way. */
const cleanupConfig = (overrides: { jobs?: Partial<typeof DEFAULTS.jobs>; registry?: Partial<typeof DEFAULTS.registry> } = {}): ConfigOverrides => ({
  jobs: {
    leaderIntervalMs: 3_600_000,
    databaseCleanup: { ...DEFAULTS, jobs: { ...DEFAULTS.jobs, ...overrides.jobs }, registry: { ...DEFAULTS.registry, ...overrides.registry } },
  },
});

async function submit(t: TestPlatform, body: Record<string, unknown>): Promise<string> {
  const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: body });
  assert.equal(response.statusCode, 202, response.body);
  return String(response.headers.location).split('/').pop()!;
}

async function submitWithAttachment(t: TestPlatform, body: Record<string, unknown>): Promise<string> {
  const form = new FormData();
  form.append('request', new Blob([JSON.stringify(body)], { type: 'application/json' }), '');
  form.append('attachment', new Blob(['attached\n']), 'input.txt');
  const encoded = new Request('http://localhost/api/v3/jobs', { method: 'POST', body: form });
  const response = await t.app.inject({ method: 'POST', url: '/api/v3/jobs', headers: Object.fromEntries(encoded.headers), payload: Buffer.from(await encoded.arrayBuffer()) });
  assert.equal(response.statusCode, 202, response.body);
  return String(response.headers.location).split('/').pop()!;
}

const kill = async (t: TestPlatform, id: string) => assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v3/jobs/${id}` })).statusCode, 202);
const exists = async (t: TestPlatform, path: string) => (await t.app.inject(`/api/v3/${path}`)).statusCode === 200;
const patchStatus = async (t: TestPlatform, kind: 'clusters' | 'commands', id: string, status: string) => {
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/api/v3/${kind}/${id}`,
    headers: { 'content-type': 'application/json-patch+json' },
    payload: JSON.stringify([{ op: 'replace', path: '/status', value: status }]),
  });
  assert.equal(response.statusCode, 204, response.body);
};

function filesUnder(uri: string): string[] {
  try {
    return readdirSync(fileURLToPath(uri), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

// The leader's database cleanup (reference/genie.md 1.2, Genie's DatabaseCleanupTask). Every rule is
// judged at a clock the test chooses (run(now)), never by sleeping.
for (const store of STORES) {
  describe(`database cleanup on ${store}`, () => {
    it('deletes finished jobs past the retention in batches, with tags, attachments and (if asked) archives; keeps active ones', async () => {
      const t = await openTestPlatform(store, cleanupConfig({ jobs: { batchSize: 2, deleteArchives: true } }));
      try {
        await putRegistry(injectSender(t.app), {
          clusters: [cluster('cluster1', ['localhost'])],
          commands: [command('bash', ['bash'], ['/bin/bash'], [{ tags: ['localhost'] }], { applicationIds: ['tools'] })],
          applications: [application('tools')],
        });
        const finished: string[] = [];
        for (let i = 0; i < 4; i++) finished.push(await submit(t, bashJob('-c true', { tags: ['team:old'] })));
        finished.push(await submitWithAttachment(t, bashJob('-c true', { tags: ['team:old'] })));
        const archivedJob = finished[0]!;
        const archive = openObjectStore(`${t.config.jobs.archiveRoot}/${archivedJob}`, t.config.s3);
        await archive.put('stdout', 'old output\n');
        await archive.put('genie/manifest.json', '{}');
        for (const id of finished) await kill(t, id);
        const active = await submit(t, bashJob('-c true', { tags: ['team:old'] }));
        const { cleanup } = t.platform.jobs;
        assert.deepEqual(filesUnder(t.config.jobs.attachmentRoot), ['input.txt']);
        assert.equal((await archive.list('')).objects.length, 2);

        const early = await cleanup.run(Date.now() + 89 * DAY);
        assert.equal(early.jobsDeleted, 0);
        assert.equal(early.error, undefined);

        const report = await cleanup.run(Date.now() + 91 * DAY);
        assert.equal(report.error, undefined);
        assert.equal(report.jobsDeleted, 5);
        assert.equal(report.archivesDeleted, 1);
        for (const id of finished) assert.equal(await exists(t, `jobs/${id}`), false, `${id} deleted`);
        assert.equal(await exists(t, `jobs/${active}/status`), true, 'an active job is never deleted');
        const tagged = (await t.app.inject('/api/v3/jobs?tag=team:old')).json() as any;
        assert.deepEqual(tagged._embedded.jobSearchResultList.map((j: any) => j.id), [active]);
        const db = t.platform.database.db;
        assert.equal((await db.selectFrom('job_tag').select('job_id').where('job_id', 'in', finished).execute()).length, 0);
        assert.equal((await db.selectFrom('job_application').select('job_id').where('job_id', 'in', finished).execute()).length, 0);
        assert.deepEqual((await db.selectFrom('job_application').select('application_id').where('job_id', '=', active).execute()).map((r) => r.application_id), ['tools']);
        assert.deepEqual(filesUnder(t.config.jobs.attachmentRoot), [], 'attachments of deleted jobs are deleted');
        assert.deepEqual((await archive.list('')).objects, [], 'the archive is deleted');
      } finally {
        await t.close();
      }
    });

    it('applies the registry rules: TERMINATED clusters, INACTIVE commands and unlinked applications no job uses; deactivates idle commands', async () => {
      const t = await openTestPlatform(store, cleanupConfig({ registry: { enabled: true, batchSize: 1 } }));
      try {
        await putRegistry(injectSender(t.app), {
          clusters: [cluster('up', ['localhost']), cluster('term-used', ['old']), cluster('term-unused', ['gone']), cluster('oos-unused', ['paused'])],
          commands: [
            command('bash', ['bash'], ['/bin/bash'], [{ tags: ['localhost'] }, { tags: ['old'] }], { applicationIds: ['app-linked'] }),
            command('legacy', ['legacy'], ['/bin/bash'], [{ tags: ['localhost'] }]),
            command('idle', ['idle'], ['/bin/true'], [{ tags: ['localhost'] }]),
            command('idle-deprecated', ['idle2'], ['/bin/true'], [{ tags: ['localhost'] }], { status: 'DEPRECATED' }),
            command('inactive-unused', ['never'], ['/bin/true'], [{ tags: ['localhost'] }]),
          ],
          applications: [application('app-linked'), application('app-job-only'), application('app-orphan')],
        });
        // Jobs that use resources which later leave service.
        const onOld = await submit(t, bashJob('-c true', { clusterCriterias: [{ tags: ['old'] }] }));
        const onLegacy = await submit(t, bashJob('-c true', { commandCriteria: ['legacy'], applications: ['app-job-only'] }));
        await patchStatus(t, 'clusters', 'term-used', 'TERMINATED');
        await patchStatus(t, 'clusters', 'term-unused', 'TERMINATED');
        await patchStatus(t, 'clusters', 'oos-unused', 'OUT_OF_SERVICE');
        await patchStatus(t, 'commands', 'legacy', 'INACTIVE');
        await patchStatus(t, 'commands', 'inactive-unused', 'INACTIVE');
        const { cleanup } = t.platform.jobs;
        const now = Date.now();

        const fresh = await cleanup.run(now + 30 * 60_000);
        assert.deepEqual([fresh.clustersDeleted, fresh.commandsDeleted, fresh.applicationsDeleted, fresh.commandsDeactivated], [0, 0, 0, 0], 'nothing created within the last hour is touched');

        const hours = await cleanup.run(now + 2 * HOUR);
        assert.equal(hours.error, undefined);
        assert.deepEqual([hours.clustersDeleted, hours.commandsDeleted, hours.applicationsDeleted, hours.commandsDeactivated], [1, 1, 1, 0]);
        assert.equal(await exists(t, 'clusters/term-unused'), false);
        assert.equal(await exists(t, 'commands/inactive-unused'), false);
        assert.equal(await exists(t, 'applications/app-orphan'), false);
        for (const kept of ['clusters/term-used', 'clusters/oos-unused', 'clusters/up', 'commands/legacy', 'commands/idle', 'applications/app-linked', 'applications/app-job-only']) {
          assert.equal(await exists(t, kept), true, `${kept} is kept`);
        }
        assert.equal(((await t.app.inject('/api/v3/commands/idle')).json() as any).status, 'ACTIVE', 'not idle for 60 days yet');

        const months = await cleanup.run(now + 61 * DAY);
        assert.equal(months.commandsDeactivated, 2);
        assert.equal(((await t.app.inject('/api/v3/commands/idle')).json() as any).status, 'INACTIVE');
        assert.equal(((await t.app.inject('/api/v3/commands/idle-deprecated')).json() as any).status, 'INACTIVE');
        assert.equal(((await t.app.inject('/api/v3/commands/bash')).json() as any).status, 'ACTIVE', 'bash ran jobs');
        const next = await cleanup.run(now + 61 * DAY);
        assert.equal(next.commandsDeleted, 2, 'deactivated commands go on the next run');
        assert.equal(await exists(t, 'commands/idle'), false);

        // Once the jobs themselves are past their retention, what only they used goes too.
        await kill(t, onOld);
        await kill(t, onLegacy);
        const later = await cleanup.run(now + 91 * DAY);
        assert.equal(later.jobsDeleted, 2);
        assert.equal(later.error, undefined);
        for (const gone of ['clusters/term-used', 'commands/legacy', 'applications/app-job-only']) assert.equal(await exists(t, gone), false, `${gone} deleted`);
        assert.equal(await exists(t, 'applications/app-linked'), true, 'still linked to a command');
        assert.equal(await exists(t, 'clusters/up'), true, 'UP clusters are never deleted');
      } finally {
        await t.close();
      }
    });

    it('leaves the registry alone by default, and the leader runs the cleanup once per interval on one node', async () => {
      const t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000 } });
      try {
        assert.equal(t.config.jobs.databaseCleanup.registry.enabled, false);
        assert.equal(t.config.jobs.databaseCleanup.jobs.enabled, true);
        await putRegistry(injectSender(t.app), { clusters: [cluster('term', ['x'], { status: 'TERMINATED' })], commands: [], applications: [application('orphan')] });
        const report = await t.platform.jobs.cleanup.run(Date.now() + 400 * DAY);
        assert.deepEqual([report.clustersDeleted, report.applicationsDeleted, report.commandsDeactivated], [0, 0, 0]);
        assert.equal(await exists(t, 'clusters/term'), true);

        const { leader, store: jobs, config } = t.platform.jobs;
        const other = new LeaderDuties(t.platform.database, jobs, config);
        const lastRun = async () => ((await t.app.inject('/api/admin/v1/jobs/cleanup')).json() as any).lastRun;
        assert.equal(await lastRun(), null);
        const t0 = Date.now();
        await leader.tick(t0);
        await other.tick(t0);
        await leader.cleanupSettled();
        const first = await lastRun();
        assert.equal(first.started, t0);
        assert.equal(typeof first.finished, 'number');
        assert.equal(first.jobsDeleted, 0);
        await leader.tick(t0 + 2 * HOUR);
        await leader.cleanupSettled();
        assert.equal((await lastRun()).started, t0, 'not due again within a day');
        await leader.tick(t0 + DAY);
        await leader.cleanupSettled();
        assert.equal((await lastRun()).started, t0 + DAY);
        await other.stop();
      } finally {
        await t.close();
      }
    });

    it('runs the cleanup at the times of a cron schedule, and says when the next is due', async () => {
      const t = await openTestPlatform(store, { jobs: { leaderIntervalMs: 3_600_000, databaseCleanup: { ...DEFAULTS, schedule: '0 0 3 * * *' } } });
      try {
        const { leader } = t.platform.jobs;
        const state = async () => (await t.app.inject('/api/admin/v1/jobs/cleanup')).json() as any;
        const tick = async (iso: string) => {
          await leader.tick(Date.parse(iso));
          await leader.cleanupSettled();
        };
        await tick('2026-12-04T01:00:00Z'); // becomes leader: the first run waits for 03:00
        assert.equal((await state()).lastRun, null);
        assert.equal((await state()).schedule, '0 0 3 * * *');
        assert.equal((await state()).intervalSeconds, null);
        await tick('2026-12-04T02:59:59Z');
        assert.equal((await state()).lastRun, null);
        await tick('2026-12-04T03:00:04Z');
        assert.equal((await state()).lastRun.started, Date.parse('2026-12-04T03:00:04Z'));
        await tick('2026-12-04T20:00:00Z');
        assert.equal((await state()).lastRun.started, Date.parse('2026-12-04T03:00:04Z'), 'once per scheduled time');
        assert.equal((await state()).nextRun, Date.parse('2026-12-05T03:00:00Z'));
        await tick('2026-12-06T10:00:00Z'); // a node down over a scheduled time catches up once
        assert.equal((await state()).lastRun.started, Date.parse('2026-12-06T10:00:00Z'));
        assert.equal((await state()).nextRun, Date.parse('2026-12-07T03:00:00Z'));
      } finally {
        await t.close();
      }
    });
  });
}

describe('database cleanup schedule in the configuration', () => {
  const load = (databaseCleanup: Record<string, unknown>) => () => loadJobsConfig({ databaseCleanup } as never, '/quarry', 'file:///quarry/warehouse', '/quarry');
  it('accepts a cron expression and refuses a bad one, or one beside an interval, naming the setting', () => {
    assert.equal(load({ schedule: '0 0 0 * * *' })().databaseCleanup.schedule, '0 0 0 * * *');
    assert.throws(load({ schedule: '0 0 25 * * *' }), /^ConfigError: Invalid configuration: jobs.databaseCleanup.schedule is not a cron expression: the hour field "25"/);
    assert.throws(load({ schedule: '0 0 0 * * *', intervalSeconds: 60 }), /jobs.databaseCleanup.schedule and jobs.databaseCleanup.intervalSeconds both say when to clean/);
  });
});
