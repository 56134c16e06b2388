#!/usr/bin/env node
// The CLI runs the TypeScript sources directly through tsx, so there is no build step between a
// checkout and a running server.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start under Node 20 that its releases after January 2027 will need
// Node 22; the lock file pins today's release, and the README says which Node lines are supported.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
