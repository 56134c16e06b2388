import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerEndpoints } from '../../src/agent/server-endpoints.ts';
import { retryAfterMs } from '../../src/cli/server-request.ts';

describe('an agent learning server nodes', () => {
  it('adds the live nodes after the given ones, keeps its current node, and forgets learned nodes that died', () => {
    const endpoints = new ServerEndpoints('http://a:1/');
    assert.deepEqual(endpoints.learn(['http://a:1', 'http://b:2/', 'not a url', 'ftp://c:3', 'http://b:2']), ['http://b:2']);
    assert.deepEqual(endpoints.all, ['http://a:1', 'http://b:2']);
    endpoints.failover('http://a:1');
    assert.equal(endpoints.current, 'http://b:2');
    assert.deepEqual(endpoints.learn(['http://c:3', 'http://b:2']), ['http://c:3']);
    assert.equal(endpoints.current, 'http://b:2', 'still talking to the node that answers');
    endpoints.learn([]);
    assert.deepEqual(endpoints.all, ['http://a:1'], 'a given URL is never forgotten; learned ones go when no node lists them');
    assert.equal(endpoints.current, 'http://a:1');
  });
});

describe('the order a hedged heartbeat asks the nodes in', () => {
  it('starts at the current node and wraps round; the node that answered becomes current', () => {
    const endpoints = new ServerEndpoints('http://a:1,http://b:2,http://c:3');
    assert.deepEqual(endpoints.fromCurrent(), ['http://a:1', 'http://b:2', 'http://c:3']);
    endpoints.failover('http://a:1');
    assert.deepEqual(endpoints.fromCurrent(), ['http://b:2', 'http://c:3', 'http://a:1']);
    endpoints.use('http://c:3');
    assert.equal(endpoints.current, 'http://c:3');
    endpoints.use('http://unknown:9');
    assert.equal(endpoints.current, 'http://c:3', 'an unknown URL changes nothing');
  });
});

describe("the CLI's reading of Retry-After", () => {
  it('takes seconds or an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2026-12-05T18:00:00Z');
    assert.equal(retryAfterMs('5', now), 5000);
    assert.equal(retryAfterMs('Sat, 05 Dec 2026 18:00:07 GMT', now), 7000);
    assert.equal(retryAfterMs('Sat, 05 Dec 2026 17:00:00 GMT', now), 0, 'a date in the past: now');
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  });
});
