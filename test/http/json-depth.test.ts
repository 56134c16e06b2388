import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertJsonDepth, JsonTooDeepError, MAX_JSON_DEPTH } from '../../src/http-shared/json-depth.ts';

describe('JSON nesting depth', () => {
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  it('accepts bodies up to the limit and refuses deeper ones, naming the limit', () => {
    assert.doesNotThrow(() => assertJsonDepth(nested(MAX_JSON_DEPTH)));
    assert.throws(() => assertJsonDepth(nested(MAX_JSON_DEPTH + 1)), (e: unknown) => e instanceof JsonTooDeepError && e.statusCode === 400 && /more than 100 levels/.test(e.message));
    assert.throws(() => assertJsonDepth('{"a":'.repeat(5000) + '1' + '}'.repeat(5000)), JsonTooDeepError);
    // Without closing brackets too: depth counts as the text is read.
    assert.throws(() => assertJsonDepth('['.repeat(200_000)), JsonTooDeepError);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '['.repeat(1000), b: 'quote \\" then [[[[', c: [[1]] });
    assert.doesNotThrow(() => assertJsonDepth(text, 3));
    assert.throws(() => assertJsonDepth(JSON.stringify({ a: '"[', b: [[[1]]] }), 3), JsonTooDeepError);
  });
});
