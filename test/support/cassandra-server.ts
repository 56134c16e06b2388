import { testService } from './test-service.ts';

/**
 * `host:port` of the Cassandra 5.0.6 node (CQL, no authentication) the Cassandra connector's tests
 * use. `npm test` starts it only when a test file with "cassandra" in its name runs (it costs
 * 16–25 s and about 1 GB): name such files so.
 */
export const cassandraAddress = testService({
  label: 'Cassandra',
  env: 'QUARRY_TEST_CASSANDRA',
  script: 'cassandra.sh',
  installs: true,
  address: (port) => `127.0.0.1:${port}`,
});
