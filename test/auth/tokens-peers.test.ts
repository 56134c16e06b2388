import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { restPrelude } from '../catalog/iceberg-rest-support.ts';
import { bashFixture, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { runPython } from '../support/python.ts';
import { fetchSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

/**
 * The real nflx-genie-client in auth.mode tokens: it authenticates with HTTP Basic (its
 * HTTPBasicGenieAuth), the API token as the password. Alice's job cannot be killed by Bob; Alice
 * and an admin can kill jobs. Bob's refused kill goes through the client's own `call` with one
 * attempt (its job API retries a refusal for over a minute before raising it).
 */
const GENIE_FLOW = String.raw`
import json, os
from pygenie.conf import GenieConf, GenieConfSection
from pygenie.auth import AuthHandler
from pygenie.exceptions import GenieHTTPError
from pygenie.utils import call
import pygenie

def conf_for(user, token):
    conf = GenieConf()
    conf.genie.set('url', os.environ['GENIE_URL'])
    conf.genie.set('version', '3')
    conf.genie.set('auth', 'pygenie.auth.HTTPBasicGenieAuth')
    # No genie.ini here, so the genie_auth section the client reads its kwargs from is made by hand.
    credentials = GenieConfSection('genie_auth')
    credentials.set('username', user)
    credentials.set('password', token)
    setattr(conf, 'genie_auth', credentials)
    return conf

alice, bob, admin = (conf_for(u, os.environ[u.upper()]) for u in ('alice', 'bob', 'admin'))

def submit(conf, name):
    return (pygenie.jobs.GenieJob(conf).job_name(name).genie_username('alice').job_version('1')
            .command_tags(['bash']).cluster_tags(['localhost']).command_arguments("-c 'sleep 300'")).execute()

first = submit(alice, 'first')
second = submit(alice, 'second')
url = os.environ['GENIE_URL'] + '/api/v3/jobs/' + first.job_id
try:
    call(url, method='delete', auth_handler=AuthHandler(conf=bob), attempts=1)
    bob_kill = 'allowed'
except GenieHTTPError as err:
    bob_kill = err.response.status_code
bob_reads = pygenie.jobs.RunningJob(first.job_id, conf=bob).status
pygenie.jobs.RunningJob(second.job_id, conf=admin).kill()
first.kill()
print(json.dumps({'first': first.job_id, 'second': second.job_id, 'bob_kill': bob_kill, 'bob_reads': bob_reads}))
`;

/** PyIceberg's REST catalog with the \`token\` property (sent as a bearer), and without one. */
const ICEBERG_FLOW = String.raw`
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType
cat.create_namespace('secured')
tbl = cat.create_table('secured.numbers', schema=Schema(NestedField(1, 'id', LongType(), required=True)))
tbl.append(pa.Table.from_pylist([{'id': 1}, {'id': 2}], schema=pa.schema([pa.field('id', pa.int64(), nullable=False)])))
rows = cat.load_table('secured.numbers').scan().to_arrow().to_pylist()
try:
    RestCatalog('anonymous', uri=cat.properties['uri']).list_namespaces()
    anonymous = 'allowed'
except Exception as err:
    anonymous = type(err).__name__ + ': ' + str(err)
print(json.dumps({'rows': rows, 'anonymous': anonymous}))
`;

for (const store of STORES) {
  describe(`peers with API tokens on ${store}`, () => {
    let h: JobsHarness;
    const tokens: Record<string, string> = {};

    before(async () => {
      h = await openJobsHarness(store, { auth: { mode: 'tokens', allowNoneBeyondLoopback: false } });
      const made = h.t.platform.auth.tokens;
      tokens.alice = (await made.create({ user: 'alice' })).token;
      tokens.bob = (await made.create({ user: 'bob' })).token;
      tokens.admin = (await made.create({ user: 'root', admin: true })).token;
      await putRegistry(fetchSender(h.url, { authorization: `Bearer ${tokens.admin}` }), bashFixture());
    });
    after(() => h?.close());

    it("nflx-genie-client submits with a user token; another user cannot kill the job, its owner and an admin can", async () => {
      const result = await runPython(GENIE_FLOW, { GENIE_URL: h.url, ALICE: tokens.alice!, BOB: tokens.bob!, ADMIN: tokens.admin! });
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as { first: string; second: string; bob_kill: number | string; bob_reads: string };
      assert.equal(out.bob_kill, 403, "Bob may not kill Alice's job");
      assert.ok(['ACCEPTED', 'RESOLVED', 'CLAIMED', 'INIT', 'RUNNING'].includes(out.bob_reads), `Bob reads its status (${out.bob_reads})`);
      for (const id of [out.first, out.second]) {
        const job = await h.t.platform.jobs.store.get(id);
        assert.equal(job?.user, 'alice');
        assert.ok(job?.status === 'KILLED' || job?.killRequestedAt !== undefined, `job ${id} is being killed (${job?.status})`);
      }
      const statuses = await Promise.all([out.first, out.second].map((id) => waitForFinal(h, id)));
      assert.deepEqual(statuses, ['KILLED', 'KILLED']);
    });

    it('PyIceberg reads and writes tables with the token property, and is refused without it', async () => {
      const result = await runPython(restPrelude(`${h.url}/iceberg`, undefined).replace("uri=", `token=${JSON.stringify(tokens.alice)}, uri=`) + ICEBERG_FLOW);
      assert.equal(result.code, 0, result.stderr);
      const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as { rows: Array<{ id: number }>; anonymous: string };
      assert.deepEqual(out.rows.map((r) => r.id).sort(), [1, 2]);
      assert.match(out.anonymous, /Unauthorized|401|requires an API token/);
    });
  });
}

async function waitForFinal(h: JobsHarness, id: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const status = (await h.t.platform.jobs.store.get(id))?.status;
    if (status && ['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'].includes(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`job ${id} did not end`);
}
