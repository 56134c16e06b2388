import { openTestPlatform } from '../test/support/platform.ts';
const t = await openTestPlatform('sqlite');
for (const url of ['/api/v3/clusters/%2E%2E', '/api/v3/clusters/%2e%2e', '/api/v3/clusters/a..b']) {
  const r = await t.app.inject({ method: 'GET', url });
  console.log(url, r.statusCode, r.body.slice(0, 200));
}
await t.close();
