import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

// Issue 10 item 5: every operation of /openapi.json declares the statuses it can answer, errors
// included, each with its body. (schemathesis checks the same against live answers:
// openapi-fuzz.test.ts; this is the cheap structural half, on both stores.)

interface Operation {
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
}

for (const store of STORES) {
  describe(`OpenAPI statuses on ${store}`, () => {
    let t: TestPlatform;
    let operations: Array<[string, Operation]>;

    before(async () => {
      t = await openTestPlatform(store);
      const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
      operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]));
    });
    after(() => t?.close());

    it('declares a success status and the framework errors for every operation', () => {
      assert.ok(operations.length > 100, `${operations.length} operations`);
      for (const [name, op] of operations) {
        const statuses = Object.keys(op.responses ?? {});
        // Creating a catalog is never supported (catalogs come from configuration): 501 is its answer.
        if (name !== 'POST /mds/v1/catalog') assert.ok(statuses.some((s) => /^[23]/.test(s)), `${name} declares a success status (has ${statuses.join(', ')})`);
        for (const status of ['400', '408', '431', '500', '503']) assert.ok(statuses.includes(status), `${name} declares ${status}`);
        if (/^(POST|PUT|PATCH)/.test(name)) for (const status of ['413', '415']) assert.ok(statuses.includes(status), `${name} declares ${status}`);
        if (name.includes('{')) assert.ok(statuses.includes('404'), `${name} declares 404`);
      }
    });

    it('gives each error status a body schema in the shape of its area', () => {
      const bodyOf = (op: Operation, status: string) => op.responses?.[status]?.content?.['application/json']?.schema as { required?: string[]; properties?: Record<string, unknown> } | undefined;
      for (const [name, op] of operations) {
        const body = bodyOf(op, '500');
        assert.ok(body, `${name} 500 has a JSON body`);
        if (name.includes(' /iceberg/v1')) assert.ok(body.properties?.error, `${name}: Iceberg's error model`);
        else assert.deepEqual([...(body.required ?? [])].sort(), ['errorCode', 'message', 'requestId'], `${name}: Quarry's error body`);
        assert.ok(op.responses?.['500']?.description, `${name} 500 says why`);
      }
      const genie = operations.find(([name]) => name === 'POST /api/v3/clusters')![1];
      assert.ok(genie.responses?.['412'], "Genie's validation status is declared");
      const catalog = operations.find(([name]) => name === 'POST /mds/v1/catalog')![1];
      assert.ok(catalog.responses?.['501'], "Metacat's not-supported status is declared");
    });
  });
}
