// Run by npm's `prepare` after every `npm ci` / `npm install` in the checkout: records which lockfile
// node_modules was installed from, so the test scripts (scripts/with-services.sh) do not run a second
// `npm ci` — minutes of rebuilding native modules — after a user's own install.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

if (existsSync('node_modules') && existsSync('package-lock.json')) {
  const sum = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
  writeFileSync('node_modules/.quarry-lock.sha256', `${sum}\n`);
}
