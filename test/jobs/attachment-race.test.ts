/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { bashFixture, bashJob } from '../support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { injectSender, putRegistry } from '../support/registry-fixture.ts';
import { STORES } from '../support/stores.ts';

/** A multipart submission as nflx-genie-client sends it: a `request` part and `attachment` parts. */
async function submitMultipart(t: TestPlatform, request: Record<string, unknown>, attachments: Array<[string, string]>) {
  const form = new FormData();
  form.append('request', new Blob([JSON.stringify(request)], { type: 'application/json' }), '');
  for (const [name, content] of attachments) form.append('attachment', new Blob([content]), name);
  const encoded = new Request('http://localhost/api/v3/jobs', { method: 'POST', body: form });
  return t.app.inject({ method: 'POST', url: '/api/v3/jobs', headers: Object.fromEntries(encoded.headers), payload: Buffer.from(await encoded.arrayBuffer()) });
}

/** Every object under the attachment root, as `<jobId>/<name>` → content. */
function attachmentObjects(t: TestPlatform): Record<string, string> {
  const root = fileURLToPath(t.config.jobs.attachmentRoot);
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true }).map(String);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      out[name.split(path.sep).join('/')] = readFileSync(path.join(root, name), 'utf8');
    } catch {
      // a folder
    }
  }
  return out;
}

// Attachments are stored only after the job row reserved the id (and resolution succeeded), so a
// submission that loses an id race, fails resolution or fails to store leaves no objects behind.
for (const store of STORES) {
  describe(`job attachments and id races on ${store}`, () => {
    it('two submissions racing for one id: one 202, one 409, and only the winner’s attachments are stored', async () => {
      const t = await openTestPlatform(store);
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        for (let round = 0; round < 5; round++) {
          const id = `raced-${round}`;
          const [first, second] = await Promise.all([
            submitMultipart(t, bashJob('-c true', { id }), [['shared.txt', 'from first\n'], ['first-only.txt', '1\n']]),
            submitMultipart(t, bashJob('-c true', { id }), [['shared.txt', 'from second\n'], ['second-only.txt', '2\n'], ['extra.txt', '3\n']]),
          ]);
          assert.deepEqual([first.statusCode, second.statusCode].sort(), [202, 409], `round ${round}: ${first.body} ${second.body}`);
          const loser = first.statusCode === 409 ? first : second;
          assert.match(loser.json().message, new RegExp(`A job with id ${id} already exists`));
          const winner = first.statusCode === 202 ? 'first' : 'second';
          const stored = Object.fromEntries(Object.entries(attachmentObjects(t)).filter(([key]) => key.startsWith(`${id}/`)));
          const expected =
            winner === 'first'
              ? { [`${id}/shared.txt`]: 'from first\n', [`${id}/first-only.txt`]: '1\n' }
              : { [`${id}/shared.txt`]: 'from second\n', [`${id}/second-only.txt`]: '2\n', [`${id}/extra.txt`]: '3\n' };
          assert.deepEqual(stored, expected, `round ${round}: only the ${winner} submission's attachments`);
          const metadata = (await t.app.inject(`/api/v3/jobs/${id}/metadata`)).json() as any;
          assert.equal(metadata.numAttachments, winner === 'first' ? 2 : 3);
        }
        // A late duplicate of a finished race changes nothing either.
        const late = await submitMultipart(t, bashJob('-c true', { id: 'raced-0' }), [['shared.txt', 'late\n']]);
        assert.equal(late.statusCode, 409);
        assert.notEqual(attachmentObjects(t)['raced-0/shared.txt'], 'late\n');
      } finally {
        await t.close();
      }
    });

    it('stores no attachments for a job whose resolution fails (412, job FAILED)', async () => {
      const t = await openTestPlatform(store);
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        const response = await submitMultipart(t, bashJob('-c true', { id: 'unresolvable', commandCriteria: ['no-such-command'] }), [['a.txt', 'a\n']]);
        assert.equal(response.statusCode, 412);
        assert.equal(((await t.app.inject('/api/v3/jobs/unresolvable/status')).json() as any).status, 'FAILED');
        assert.deepEqual(attachmentObjects(t), {});
      } finally {
        await t.close();
      }
    });

    it('rolls the submission back when an attachment cannot be stored: no job, no objects', async () => {
      const folder = mkdtempSync(path.join(os.tmpdir(), 'quarry-blocked-'));
      const blocker = path.join(folder, 'not-a-folder');
      writeFileSync(blocker, 'a file where the attachment folder should be');
      const t = await openTestPlatform(store, { jobs: { attachmentRoot: pathToFileURL(path.join(blocker, 'attachments')).href } });
      try {
        await putRegistry(injectSender(t.app), bashFixture());
        const response = await submitMultipart(t, bashJob('-c true', { id: 'unstorable' }), [['a.txt', 'a\n']]);
        assert.equal(response.statusCode, 500);
        assert.equal((await t.app.inject('/api/v3/jobs/unstorable')).statusCode, 404);
        // The id is free again: the same submission succeeds once storage works (plain JSON here).
        assert.equal((await t.app.inject({ method: 'POST', url: '/api/v3/jobs', payload: bashJob('-c true', { id: 'unstorable' }) })).statusCode, 202);
      } finally {
        await t.close();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
}
