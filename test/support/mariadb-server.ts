import { testService } from './test-service.ts';

/** The root URL (`mysql://root@127.0.0.1:PORT/`, no password) of the MariaDB server the catalog's federation tests use. */
export const mariadbRootUrl = testService({
  label: 'MariaDB',
  env: 'QUARRY_TEST_MARIADB_URL',
  script: 'mariadb.sh',
  installs: true,
  address: (port) => `mysql://root@127.0.0.1:${port}/`,
});
