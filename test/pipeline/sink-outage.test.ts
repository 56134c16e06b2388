import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AppendRecord, EventLog, LogRecord } from '../../src/pipeline/event-log.ts';
import { describeSinkOutage, type SinkOutageEvent } from '../../src/pipeline/sink-outage.ts';
import { SinkWorker } from '../../src/pipeline/sink-worker.ts';
import { StreamStore } from '../../src/pipeline/stream-store.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { CLICKS, send, testPipelineConfig } from './pipeline-support.ts';

/** The node's real log, with reads that fail while `down` is set: an outage of the log as the sink sees it. */
class InterruptedLog implements EventLog {
  down = false;
  readonly kind;

  constructor(private readonly log: EventLog) {
    this.kind = log.kind;
  }

  ensureStream(stream: string, partitions: number) {
    return this.log.ensureStream(stream, partitions);
  }
  append(stream: string, records: readonly AppendRecord[]) {
    return this.log.append(stream, records);
  }
  partitionCount(stream: string) {
    return this.log.partitionCount(stream);
  }
  async read(stream: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:9 (the log is down)');
    return this.log.read(stream, partition, offset, maxRecords);
  }
  endOffset(stream: string, partition: number) {
    return this.log.endOffset(stream, partition);
  }
  release(stream: string, partition: number, offset: number) {
    return this.log.release(stream, partition, offset);
  }
  async close() {}
}

for (const store of STORES) {
  describe(`sink outage reporting on ${store}`, () => {
    let node: TestPlatform;

    before(async () => {
      node = await openTestPlatform(store, { pipeline: testPipelineConfig() });
    });
    after(async () => {
      await node?.close();
    });

    test('an outage is reported once when it starts and once when it ends, with the failed rounds counted', async () => {
      assert.equal((await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: CLICKS })).statusCode, 201);
      const log = new InterruptedLog(node.platform.pipeline.log);
      const events: SinkOutageEvent[] = [];
      const worker = new SinkWorker(new StreamStore(node.platform.database), node.platform.icebergCatalog.warehouse, log, {
        maxRecords: 1000,
        maxAgeMs: 0,
        compactEvery: 0,
        pollMs: 10,
        onOutage: (event) => events.push(event),
      });
      try {
        assert.equal((await send(node.app, 'clicks', JSON.stringify([{ id: 1, ts: '2026-01-01T00:00:00Z' }]))).status, 200);
        log.down = true;
        for (let round = 0; round < 7; round++) await worker.round(true);
        assert.deepEqual(
          events.map((e) => e.kind),
          ['started'],
          'seven failed rounds report the outage once',
        );
        log.down = false;
        const results = await worker.round(true);
        assert.equal(results.get('clicks')?.rows, 1, 'the round after the outage commits what waited');
        await worker.round(true);
        assert.deepEqual(
          events.map((e) => e.kind),
          ['started', 'recovered'],
        );
        const recovered = events[1];
        assert.ok(recovered.kind === 'recovered');
        assert.equal(recovered.stream, 'clicks');
        assert.equal(recovered.failures, 7);
        assert.match(describeSinkOutage(events[0]), /stream clicks: failing, retrying .*ECONNREFUSED/);
        assert.match(describeSinkOutage(recovered), /stream clicks: recovered after 7 failed rounds over \d+\.\d s \(last error: .*ECONNREFUSED/);

        // A second outage is a new report.
        log.down = true;
        await worker.round(true);
        await worker.round(true);
        log.down = false;
        await worker.round(true);
        assert.deepEqual(
          events.map((e) => (e.kind === 'recovered' ? `recovered:${e.failures}` : e.kind)),
          ['started', 'recovered:7', 'started', 'recovered:2'],
        );
      } finally {
        await worker.stop();
      }
    });
  });
}
