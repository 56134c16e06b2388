import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadPipelineConfig } from '../../src/config/pipeline-config.ts';

describe('pipeline configuration', () => {
  test('defaults: embedded log, sink on, commit at 10 s', () => {
    const config = loadPipelineConfig(undefined);
    assert.equal(config.log, 'embedded');
    assert.equal(config.sink.enabled, true);
    assert.equal(config.sink.maxAgeMs, 10_000);
  });

  test('the environment selects Kafka and its brokers', () => {
    const config = loadPipelineConfig({ log: 'embedded' }, { QUARRY_PIPELINE_LOG: 'kafka', QUARRY_PIPELINE_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093' });
    assert.equal(config.log, 'kafka');
    assert.deepEqual(config.kafka.brokers, ['127.0.0.1:9092', '127.0.0.1:9093']);
  });

  test('bad settings name themselves', () => {
    assert.throws(() => loadPipelineConfig(undefined, { QUARRY_PIPELINE_LOG: 'redis' }), (e: unknown) => e instanceof ConfigError && /QUARRY_PIPELINE_LOG/.test(e.message));
    assert.throws(() => loadPipelineConfig({ log: 'kafka' }), (e: unknown) => e instanceof ConfigError && /pipeline\.kafka\.brokers/.test(e.message));
    assert.throws(() => loadPipelineConfig({ log: 'kafka', kafka: { brokers: ['kafka'] } }), (e: unknown) => e instanceof ConfigError && /host:port/.test(e.message));
  });
});
