import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';

/**
 * Drives the registry with the real nflx-genie-client (a Genie 3 client, from PyPI) over loopback:
 * the admin's flow of creating an application, a command and clusters, linking them, searching,
 * and moving a tag from one cluster to another (genie-demo's move_tags.py). The script prints one
 * JSON document of what the client read back; the assertions are here.
 *
 * The client retries any non-2xx answer up to 7 times with growing sleeps, so the flow sticks to
 * requests that succeed; error answers are covered by the inject()-based tests.
 */
const FLOW = String.raw`
import json, os
from pygenie.conf import GenieConf
from pygenie.client import Genie

conf = GenieConf()
conf.genie.set('url', os.environ['GENIE_URL'])
conf.genie.set('version', '3')
genie = Genie(conf)
out = {}

app_id = genie.create_application({'id': 'spark-app', 'name': 'spark', 'user': 'admin', 'version': '3.5.1',
                                   'status': 'ACTIVE', 'type': 'spark', 'tags': ['type:spark', 'ver:3.5'],
                                   'dependencies': ['file:///opt/spark.tgz'], 'setupFile': 'file:///opt/spark-env.sh'})
old_id = genie.create_cluster({'id': 'yarn-old', 'name': 'yarn-old', 'user': 'admin', 'version': '2.7',
                               'status': 'UP', 'tags': ['type:yarn', 'sched:sla']})
new_id = genie.create_cluster({'name': 'yarn-new', 'user': 'admin', 'version': '3.3', 'status': 'UP',
                               'tags': ['type:yarn'], 'configs': ['file:///etc/yarn-site.xml']})
cmd_id = genie.create_command({'id': 'spark-submit', 'name': 'spark-submit', 'user': 'admin', 'version': '3.5.1',
                               'status': 'ACTIVE', 'executable': '/opt/spark/bin/spark-submit --master yarn',
                               'tags': ['type:spark-submit'], 'clusterCriteria': [{'tags': ['sched:sla']}]})
genie.add_applications_for_command(cmd_id, [app_id])
genie.add_commands_for_cluster(old_id, [cmd_id])
out['ids'] = [app_id, old_id, new_id, cmd_id]

out['application'] = genie.get_application(app_id)
out['command'] = genie.get_command(cmd_id)
out['command_applications'] = [a['id'] for a in genie.get_applications_for_command(cmd_id)]
out['application_commands'] = [c['id'] for c in genie.get_commands_for_application(app_id)]
out['cluster_commands'] = genie.get_commands_for_cluster(old_id)
out['by_name'] = [c['id'] for c in genie.get_clusters(filters={'name': 'yarn-%'})]
out['by_tags'] = [c['id'] for c in genie.get_clusters(filters={'tag': ['type:yarn', 'sched:sla']})]
out['by_status'] = sorted(c['id'] for c in genie.get_clusters(filters={'status': ['UP']}, req_size=1))
out['clusters_before'] = [c['id'] for c in genie.get_clusters_for_command(cmd_id)]

# The admin moves the SLA tag from the old cluster to the new one.
genie.add_tags_for_cluster(new_id, ['sched:sla'])
genie.remove_tag_for_cluster(old_id, 'sched:sla')
out['old_tags'] = sorted(genie.get_tags_for_cluster(old_id))
out['new_tags'] = sorted(genie.get_tags_for_cluster(new_id))
out['by_tags_after'] = [c['id'] for c in genie.get_clusters(filters={'tag': ['sched:sla']})]
out['clusters_after'] = [c['id'] for c in genie.get_clusters_for_command(cmd_id)]

genie.update_tags_for_cluster(old_id, ['type:yarn', 'retired'])
genie.patch_cluster(old_id, [{'op': 'replace', 'path': '/status', 'value': 'OUT_OF_SERVICE'}])
cluster = genie.get_cluster(old_id)
cluster['description'] = 'replaced by ' + new_id
genie.update_cluster(old_id, {k: v for k, v in cluster.items() if k != '_links'})
out['old_cluster'] = genie.get_cluster(old_id)
genie.add_configs_for_cluster(old_id, ['file:///etc/core-site.xml'])
genie.add_dependencies_for_command(cmd_id, ['file:///opt/job.jar'])
out['old_configs'] = genie.get_configs_for_cluster(old_id)
out['command_dependencies'] = genie.get_dependencies_for_command(cmd_id)
out['applications'] = [a['id'] for a in genie.get_applications(filters={'type': 'spark', 'status': ['ACTIVE']})]
out['commands'] = [c['id'] for c in genie.get_commands(filters={'tag': ['genie.name:spark-submit']})]
genie.remove_application_for_command(cmd_id, app_id)
genie.delete_application(app_id)
out['application_after_delete'] = genie.get_application(app_id)
print(json.dumps(out))
`;

for (const store of STORES) {
  describe(`nflx-genie-client against the registry on ${store}`, () => {
    let t: TestPlatform;
    let url: string;

    before(async () => {
      t = await openTestPlatform(store);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t.close());

    it('creates, links, searches and moves tags the way an admin does', async () => {
      const result = await runPython(FLOW, { GENIE_URL: url, GENIE_BYPASS_HOME_CONFIG: '1' });
      assert.equal(result.code, 0, `python failed:\n${result.stderr}`);
      const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
      const [appId, oldId, newId, cmdId] = out.ids as string[];
      assert.equal(appId, 'spark-app');
      assert.equal(cmdId, 'spark-submit');
      assert.match(newId!, /^[0-9a-f-]{36}$/);

      assert.equal(out.application.type, 'spark');
      assert.deepEqual([...out.application.tags].sort(), ['genie.id:spark-app', 'genie.name:spark', 'type:spark', 'ver:3.5']);
      assert.equal(out.command.executable, '/opt/spark/bin/spark-submit --master yarn');
      assert.deepEqual(out.command.executableAndArguments, ['/opt/spark/bin/spark-submit', '--master', 'yarn']);
      assert.deepEqual(out.command.clusterCriteria, [{ id: null, name: null, version: null, status: null, tags: ['sched:sla'] }]);
      assert.deepEqual(out.command_applications, [appId]);
      assert.deepEqual(out.application_commands, [cmdId]);
      assert.deepEqual(out.cluster_commands, [], 'cluster → command links are no-ops since Genie 4');

      assert.deepEqual(out.by_name.sort(), [oldId, newId].sort());
      assert.deepEqual(out.by_tags, [oldId]);
      assert.deepEqual(out.by_status, [oldId, newId].sort(), 'the client pages through results one at a time');
      assert.deepEqual(out.clusters_before, [oldId]);

      assert.deepEqual(out.old_tags, [`genie.id:${oldId}`, `genie.name:yarn-old`, 'type:yarn']);
      assert.deepEqual(out.new_tags, [`genie.id:${newId}`, 'genie.name:yarn-new', 'sched:sla', 'type:yarn']);
      assert.deepEqual(out.by_tags_after, [newId]);
      assert.deepEqual(out.clusters_after, [newId], "the command's criterion now reaches the new cluster");

      assert.equal(out.old_cluster.status, 'OUT_OF_SERVICE');
      assert.equal(out.old_cluster.description, `replaced by ${newId}`);
      assert.deepEqual([...out.old_cluster.tags].sort(), [`genie.id:${oldId}`, 'genie.name:yarn-old', 'retired', 'type:yarn']);
      assert.deepEqual(out.old_configs, ['file:///etc/core-site.xml']);
      assert.deepEqual(out.command_dependencies, ['file:///opt/job.jar']);
      assert.deepEqual(out.applications, [appId]);
      assert.deepEqual(out.commands, [cmdId]);
      assert.equal(out.application_after_delete, null);
    });
  });
}
