import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { ConfigError } from '../../src/config/config-error.ts';
import type { RegistryService } from '../../src/jobs/registry/registry-service.ts';
import { JobResolutionError } from '../../src/jobs/resolution/job-resolution-error.ts';
import type { ClusterLoad, ResolutionInput } from '../../src/jobs/resolution/job-resolution.ts';
import { JobResolver, createJobResolver, type ResolutionLog } from '../../src/jobs/resolution/job-resolver.ts';
import { mergeCriteria } from '../../src/jobs/resolution/merge-criteria.ts';
import type { Criterion, ResourceInput } from '../../src/jobs/resources.ts';
import { GENIE_STATUS_BY_KIND } from '../../src/jobs/routes.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

const tags = (...list: string[]): Criterion => ({ tags: list });

function clusterInput(id: string, status: string, clusterTags: string[], name = id): ResourceInput<'cluster'> {
  return { id, name, user: 'admin', version: '1.0', status: status as 'UP', tags: clusterTags, configs: [], dependencies: [] };
}

function commandInput(id: string, fields: Partial<ResourceInput<'command'>> = {}): ResourceInput<'command'> {
  return {
    id,
    name: id,
    user: 'admin',
    version: '1.0',
    status: 'ACTIVE',
    tags: [],
    configs: [],
    dependencies: [],
    executable: ['/bin/true'],
    runtime: { resources: {}, images: {} },
    clusterCriteria: [],
    ...fields,
  };
}

/** A generator that replays the given values in [0, 1), for deterministic "random" choices. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}

function collectingLog(): ResolutionLog & { messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (_details, message) => messages.push(message) };
}

for (const store of STORES) {
  describe(`job resolution on ${store}`, () => {
    let t: TestPlatform;
    let registry: RegistryService;
    let tempDir: string;
    let jobNumber = 0;

    const input = (clusterCriteria: Criterion[], commandCriterion: Criterion, applicationIds: string[] = []): ResolutionInput => ({
      jobId: `job-${++jobNumber}`,
      clusterCriteria,
      commandCriterion,
      applicationIds,
      request: { note: 'the original request' },
    });
    const resolver = (random = sequence(0)) => new JobResolver({ registry, random, log: collectingLog() });

    before(async () => {
      t = await openTestPlatform(store);
      registry = t.platform.registry;
      tempDir = mkdtempSync(path.join(os.tmpdir(), 'quarry-selectors-'));
      // Clusters: two yarn clusters for SLA work (one out of service), an adhoc one, a terminated one.
      await registry.create('cluster', clusterInput('sla-a', 'UP', ['sched:sla', 'type:yarn']));
      await registry.create('cluster', clusterInput('sla-b', 'OUT_OF_SERVICE', ['sched:sla', 'type:yarn']));
      await registry.create('cluster', clusterInput('adhoc', 'UP', ['sched:adhoc', 'type:yarn']));
      await registry.create('cluster', clusterInput('old', 'TERMINATED', ['sched:adhoc', 'type:yarn'], 'retired'));
      await registry.create('cluster', clusterInput('presto-1', 'UP', ['type:presto', 'team:x'], 'presto'));
      await registry.create('cluster', clusterInput('presto-2', 'UP', ['type:presto', 'team:x'], 'presto'));
      await registry.create('cluster', clusterInput('order-1', 'UP', ['cmd:first', 'job:second']));
      await registry.create('cluster', clusterInput('order-2', 'UP', ['cmd:second', 'job:first']));

      await registry.create('application', { id: 'spark-app', name: 'spark', user: 'admin', version: '3', status: 'ACTIVE', tags: [], configs: [], dependencies: [] });
      await registry.create('application', { id: 'hadoop-app', name: 'hadoop', user: 'admin', version: '2', status: 'ACTIVE', tags: [], configs: [], dependencies: [] });

      await registry.create('command', commandInput('spark-submit', { tags: ['type:spark-submit'], clusterCriteria: [tags('type:yarn')], applicationIds: ['hadoop-app', 'spark-app'] }));
      await registry.create('command', commandInput('spark-old', { status: 'DEPRECATED', tags: ['type:spark-old'], clusterCriteria: [tags('type:yarn')] }));
      await registry.create('command', commandInput('prioritised', { tags: ['type:prioritised'], clusterCriteria: [tags('sched:adhoc'), tags('sched:sla')] }));
      await registry.create('command', commandInput('ordering', { tags: ['type:ordering'], clusterCriteria: [tags('cmd:first'), tags('cmd:second')] }));
      await registry.create('command', commandInput('named', { tags: ['type:named'], clusterCriteria: [{ name: 'retired', tags: [] }, { name: 'adhoc', tags: [] }] }));
      await registry.create('command', commandInput('presto', { tags: ['type:presto'], clusterCriteria: [tags('type:presto')] }));
    });
    after(async () => {
      rmSync(tempDir, { recursive: true, force: true });
      await t.close();
    });

    it('falls back through the job cluster criteria in order', async () => {
      const resolution = await resolver().resolve(input([tags('sched:none'), tags('sched:sla'), tags('type:yarn')], tags('type:spark-submit')));
      assert.equal(resolution.command.id, 'spark-submit');
      assert.equal(resolution.cluster.id, 'sla-a', 'the second job criterion is the first to match an UP cluster');
    });

    it("walks the command's criteria by priority, command criterion outer and job criterion inner", async () => {
      const byPriority = await resolver().resolve(input([tags('type:yarn')], tags('type:prioritised')));
      assert.equal(byPriority.cluster.id, 'adhoc', 'the first command criterion matches');
      const fallback = await resolver().resolve(input([tags('sched:sla')], tags('type:prioritised')));
      assert.equal(fallback.cluster.id, 'sla-a', 'sched:adhoc + sched:sla matches nothing, the second command criterion does');
      // cmd:first+job:first (none), cmd:first+job:second (order-1) comes before cmd:second+job:first (order-2).
      const ordered = await resolver().resolve(input([tags('job:first'), tags('job:second')], tags('type:ordering')));
      assert.equal(ordered.cluster.id, 'order-1');
    });

    it('merges criteria by the rule: equal or one-sided values kept, different values impossible, tags united', async () => {
      assert.deepEqual(mergeCriteria({ name: 'one', tags: ['a'] }, { tags: ['b'] }), { name: 'one', tags: ['a', 'b'] });
      assert.deepEqual(mergeCriteria({ tags: [] }, { version: '2', status: 'UP', tags: [] }), { version: '2', status: 'UP', tags: [] });
      assert.equal(mergeCriteria({ name: 'one', tags: [] }, { name: 'two', tags: [] }), undefined);
      assert.deepEqual(mergeCriteria({ id: 'x', tags: ['a'] }, { id: 'x', tags: ['a'] }), { id: 'x', tags: ['a'] });
      // "named" wants cluster name retired (terminated) then adhoc; a job naming sla-a by genie.name
      // cannot merge with either, so its second criterion (type:yarn) decides: retired is not UP, adhoc is.
      const resolution = await resolver().resolve(input([tags('genie.name:sla-a'), tags('type:yarn')], tags('type:named')));
      assert.equal(resolution.cluster.id, 'adhoc');
    });

    it('honours genie.id: and genie.name: tags in job and command criteria', async () => {
      const byId = await resolver().resolve(input([tags('genie.id:adhoc', 'type:yarn')], tags('genie.name:spark-submit')));
      assert.equal(byId.command.id, 'spark-submit');
      assert.equal(byId.cluster.id, 'adhoc');
      await assert.rejects(resolver().resolve(input([tags('genie.id:adhoc', 'genie.id:sla-a')], tags('type:spark-submit'))), JobResolutionError);
    });

    it('takes ACTIVE commands and UP clusters unless a criterion names a status', async () => {
      await assert.rejects(resolver().resolve(input([tags('type:yarn')], tags('type:spark-old'))), {
        message: 'No command matching command criterion [tags: type:spark-old] found',
      });
      const deprecated = await resolver().resolve(input([tags('type:yarn')], { status: 'DEPRECATED', tags: ['type:spark-old'] }));
      assert.equal(deprecated.command.id, 'spark-old');

      const outOfService = await resolver().resolve(input([{ status: 'OUT_OF_SERVICE', tags: ['sched:sla'] }], tags('type:spark-submit')));
      assert.equal(outOfService.cluster.id, 'sla-b');
      const terminated = await resolver().resolve(input([{ status: 'TERMINATED', tags: [] }], tags('type:spark-submit')));
      assert.equal(terminated.cluster.id, 'old');
      await assert.rejects(resolver().resolve(input([tags('genie.id:old')], tags('type:spark-submit'))), {
        message: /^No clusters available to run any candidate command on \(criteria tried: \[id: old, status: UP, tags: type:yarn\]\)$/,
      });
    });

    it("uses the request's applications in its order, else the command's, and refuses unknown ones with 412", async () => {
      const own = await resolver().resolve(input([tags('sched:sla')], tags('type:spark-submit')));
      assert.deepEqual(own.applications.map((a) => a.id), ['hadoop-app', 'spark-app']);
      const overridden = await resolver().resolve(input([tags('sched:sla')], tags('type:spark-submit'), ['spark-app']));
      assert.deepEqual(overridden.applications.map((a) => a.id), ['spark-app']);
      const error = await resolver()
        .resolve(input([tags('sched:sla')], tags('type:spark-submit'), ['spark-app', 'nope']))
        .then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof JobResolutionError);
      assert.equal(error.message, 'No application with id nope exists');
      assert.equal(GENIE_STATUS_BY_KIND[error.kind as 'invalid'], 412);
    });

    it('explains with 412 messages which criterion matched nothing', async () => {
      const noCommand = await resolver().resolve(input([tags('type:yarn')], tags('type:spark'))).catch((e: unknown) => e);
      assert.ok(noCommand instanceof JobResolutionError);
      assert.equal(noCommand.kind, 'invalid');
      assert.equal(noCommand.message, 'No command matching command criterion [tags: type:spark] found');
      await assert.rejects(resolver().resolve(input([tags('undefined')], tags('type:spark-submit'))), {
        message: 'No clusters available to run any candidate command on (criteria tried: [status: UP, tags: type:yarn,undefined])',
      });
      await assert.rejects(resolver().resolve(input([{ name: 'x', tags: [] }], tags('type:named'))), {
        message: /^No clusters available to run any candidate command on: the cluster criteria of the 1 command\(s\) matching \[tags: type:named\] cannot be combined/,
      });
      await assert.rejects(resolver().resolve(input([tags(' ', '')], tags('type:spark-submit'))), { message: 'Invalid criterion. One of the fields must have a valid value' });
    });

    it('picks among several clusters at random by default', async () => {
      const first = await resolver(sequence(0)).resolve(input([tags('team:x')], tags('type:presto')));
      const last = await resolver(sequence(0.99)).resolve(input([tags('team:x')], tags('type:presto')));
      assert.deepEqual([first.cluster.id, last.cluster.id], ['presto-1', 'presto-2']);
      const chosen = new Set<string>();
      const uniform = resolver(Math.random);
      for (let i = 0; i < 40; i++) chosen.add((await uniform.resolve(input([tags('team:x')], tags('type:presto')))).cluster.id);
      assert.deepEqual([...chosen].sort(), ['presto-1', 'presto-2']);
    });

    it('least-loaded picks the cluster with the fewest active jobs, counted by a real query', async () => {
      const db = t.platform.database.db as unknown as Kysely<{ load_fixture: { cluster_id: string; status: string } }>;
      await sql`create table load_fixture (cluster_id text not null, status text not null)`.execute(db);
      const addJobs = async (clusterId: string, n: number, status = 'RUNNING') => {
        for (let i = 0; i < n; i++) await db.insertInto('load_fixture').values({ cluster_id: clusterId, status }).execute();
      };
      const clusterLoad: ClusterLoad = async (ids) => {
        const rows = await db
          .selectFrom('load_fixture')
          .select((eb) => ['cluster_id', eb.fn.countAll<number>().as('n')])
          .where('cluster_id', 'in', ids)
          .where('status', 'in', ['CLAIMED', 'INIT', 'RUNNING'])
          .groupBy('cluster_id')
          .execute();
        return new Map(rows.map((r) => [r.cluster_id, Number(r.n)]));
      };
      const leastLoaded = await createJobResolver({ selector: 'least-loaded' }, { registry, clusterLoad, random: sequence(0), log: collectingLog() });
      assert.deepEqual(leastLoaded.selectorNames, ['least-loaded', 'random']);
      await addJobs('presto-1', 3);
      await addJobs('presto-2', 1);
      await addJobs('presto-2', 5, 'SUCCEEDED');
      const pick = () => leastLoaded.resolve(input([tags('team:x')], tags('type:presto'))).then((r) => r.cluster.id);
      assert.equal(await pick(), 'presto-2');
      await addJobs('presto-2', 3);
      assert.equal(await pick(), 'presto-1');

      const log = collectingLog();
      const failing = await createJobResolver({ selector: 'least-loaded' }, {
        registry,
        clusterLoad: async () => {
          throw new Error('load unavailable');
        },
        random: sequence(0.99),
        log,
      });
      assert.equal((await failing.resolve(input([tags('team:x')], tags('type:presto')))).cluster.id, 'presto-2', 'random decides');
      assert.match(log.messages[0]!, /Cluster selector least-loaded failed/);
    });

    it('consults an admin selector module first, and moves on when it fails or has no preference', async () => {
      const preferring = path.join(tempDir, 'prefer-second.mjs');
      writeFileSync(
        preferring,
        `export default {
          name: 'prefer-second',
          select(context) {
            if (context.request?.note !== 'the original request') throw new Error('no request in context');
            const wanted = context.clusters.find((c) => c.id === 'presto-2');
            return wanted ? { cluster: wanted, rationale: 'admin says so' } : undefined;
          },
        };\n`,
      );
      const resolverWithModule = await createJobResolver(
        { selector: 'random', selectorModule: preferring },
        { registry, clusterLoad: async () => new Map(), random: sequence(0), log: collectingLog() },
      );
      assert.deepEqual(resolverWithModule.selectorNames, ['module:prefer-second', 'random']);
      assert.equal((await resolverWithModule.resolve(input([tags('team:x')], tags('type:presto')))).cluster.id, 'presto-2');
      assert.equal((await resolverWithModule.resolve(input([tags('sched:sla')], tags('type:spark-submit')))).cluster.id, 'sla-a', 'no preference: random decides');

      const throwing = path.join(tempDir, 'throwing.ts');
      writeFileSync(throwing, `export default (): string => { throw new Error('selector bug'); };\n`);
      const log = collectingLog();
      const resolverWithBug = await createJobResolver({ selector: 'random', selectorModule: throwing }, { registry, clusterLoad: async () => new Map(), random: sequence(0.99), log });
      assert.equal((await resolverWithBug.resolve(input([tags('team:x')], tags('type:presto')))).cluster.id, 'presto-2');
      assert.match(log.messages[0]!, /Cluster selector module:throwing\.ts failed/);

      const byId = path.join(tempDir, 'by-id.mjs');
      writeFileSync(byId, `export default function select() { return 'presto-1'; }\n`);
      const resolverById = await createJobResolver({ selector: 'random', selectorModule: byId }, { registry, clusterLoad: async () => new Map(), random: sequence(0.99), log: collectingLog() });
      assert.equal((await resolverById.resolve(input([tags('team:x')], tags('type:presto')))).cluster.id, 'presto-1');

      await assert.rejects(createJobResolver({ selector: 'random', selectorModule: path.join(tempDir, 'missing.mjs') }, { registry, clusterLoad: async () => new Map() }), ConfigError);
      const notSelector = path.join(tempDir, 'not-a-selector.mjs');
      writeFileSync(notSelector, 'export default 42;\n');
      await assert.rejects(createJobResolver({ selector: 'random', selectorModule: notSelector }, { registry, clusterLoad: async () => new Map() }), {
        message: /jobs\.resolution\.selectorModule names .* whose default export is neither a function nor an object/,
      });
    });
  });
}

describe('criteria coverage (which merged criteria the cluster query can leave out)', () => {
  it('drops criteria that a broader one covers and keeps one of two equal ones', async () => {
    const { withoutCoveredCriteria } = await import('../../src/jobs/registry/criterion.ts');
    const broad = { status: 'UP', tags: ['type:yarn'] };
    const narrow = { status: 'UP', tags: ['sched:sla', 'type:yarn'] };
    const other = { status: 'UP', name: 'x', tags: [] };
    const differentStatus = { status: 'TERMINATED', tags: ['sched:sla', 'type:yarn'] };
    assert.deepEqual(withoutCoveredCriteria([narrow, broad, other, differentStatus]), [broad, other, differentStatus]);
    assert.deepEqual(withoutCoveredCriteria([broad, { ...broad }]), [broad]);
  });
});
