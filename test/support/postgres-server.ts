import { testService } from './test-service.ts';

/** The admin URL (trust authentication) of the PostgreSQL server tests use. */
export const postgresAdminUrl = testService({
  label: 'PostgreSQL',
  env: 'QUARRY_TEST_POSTGRES_URL',
  script: 'postgres.sh',
  installs: true,
  address: (port) => `postgres://postgres@127.0.0.1:${port}/postgres`,
});
