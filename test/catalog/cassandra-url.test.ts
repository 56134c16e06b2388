import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseCassandraUrl, redact } from '../../src/catalog/connectors/cassandra/cassandra-url.ts';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';

it('parses a cassandra:// URL: contact points with default port, data center, consistency, concurrency, credentials', () => {
  assert.deepEqual(parseCassandraUrl('cassandra://10.0.0.5,10.0.0.6:9043/'), {
    contactPoints: ['10.0.0.5:9042', '10.0.0.6:9043'],
    localDataCenter: 'datacenter1',
    consistency: 'local_quorum',
    concurrency: 2,
  });
  assert.deepEqual(parseCassandraUrl('cassandra://reader:p%40ss@db:9042/?dc=dc1&consistency=ONE&concurrency=8'), {
    contactPoints: ['db:9042'],
    localDataCenter: 'dc1',
    username: 'reader',
    password: 'p@ss',
    consistency: 'one',
    concurrency: 8,
  });
  assert.equal(redact('cassandra://reader:secret@db:9042/'), 'cassandra://reader:***@db:9042/');
});

it('refuses a URL that is not one, naming the part that is wrong', () => {
  const cases: Array<[string, RegExp]> = [
    ['postgres://db/', /must look like cassandra:\/\/host:9042\/\?dc=datacenter1/],
    ['cassandra://db:port/', /contact point "db:port" must be host or host:port/],
    ['cassandra://db/?consistency=serial', /consistency "serial" is not a read consistency level/],
    ['cassandra://db/?concurrency=0', /concurrency "0" must be an integer from 1 to 64/],
    ['cassandra://db/?datacenter=x', /setting "datacenter" is unknown \(settings: dc, consistency, concurrency\)/],
    ['cassandra://u:secret@db:x/', /contact point/],
  ];
  for (const [url, message] of cases) {
    assert.throws(() => parseCassandraUrl(url), (error: Error) => error instanceof InvalidInputError && message.test(error.message) && !error.message.includes('secret'), url);
  }
});
