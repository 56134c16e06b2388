import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preview } from '../../src/http-shared/validation-messages.ts';

describe('validation message previews of untrusted values', () => {
  it('shows a value deeper than JSON.stringify can walk without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    // Node 20's JSON.stringify overflows the stack here (Node 26's no longer does); either way the
    // preview must not walk the whole value.
    assert.equal(preview(deep), '[[[[…]]]]');
  });

  it('keeps previews short and shows small values as JSON', () => {
    assert.equal(preview({ a: 1, b: 'x' }), '{"a":1,"b":"x"}');
    assert.equal(preview('y'.repeat(1000)).length, 81);
    assert.ok(preview(Array.from({ length: 100_000 }, (_, i) => i)).length <= 81);
    assert.equal(preview(null), 'null');
  });
});
