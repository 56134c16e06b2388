import { RE2JS } from 're2js';

// The `matches` filter's engine: re2js (linear-time automaton, pure JavaScript) against V8's
// backtracking RegExp, in the same run. Typical patterns over typical partition values show what
// safety costs; a catastrophic pattern shows why it is paid. Run: npm run bench -- bench/filter-regex.bench.ts

const values = Array.from({ length: 100_000 }, (_, i) => `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}T${i % 24}`);
const typical = ['2026-0[1-6]-.*', '.*T1[0-9]', '(2025|2026)-12-2[0-9]T.*'];

function time(work: () => number): { ms: number; matched: number } {
  const start = process.hrtime.bigint();
  const matched = work();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, matched };
}

console.log('| pattern | values | V8 RegExp (baseline) | re2js | ratio |');
console.log('|---|---|---|---|---|');
for (const pattern of typical) {
  const js = new RegExp(`^(?:${pattern})$`, 'u');
  const re2 = RE2JS.compile(pattern);
  // Warm both up, then measure.
  for (const v of values.slice(0, 1000)) {
    js.test(v);
    re2.matches(v);
  }
  const a = time(() => values.filter((v) => js.test(v)).length);
  const b = time(() => values.filter((v) => re2.matches(v)).length);
  if (a.matched !== b.matched) throw new Error(`engines disagree on ${pattern}: ${a.matched} vs ${b.matched}`);
  console.log(`| \`${pattern}\` | ${values.length} | ${a.ms.toFixed(1)} ms | ${b.ms.toFixed(1)} ms | ${(b.ms / a.ms).toFixed(2)}× |`);
}

// `(a+)+$` over n a's and '!': V8 doubles per character; re2js grows linearly.
console.log('\n| `(a+)+$` over n × a + ! | V8 RegExp | re2js |');
console.log('|---|---|---|');
for (const n of [16, 20, 22, 24]) {
  const value = `${'a'.repeat(n)}!`;
  const js = time(() => Number(new RegExp('^(?:(a+)+$)$', 'u').test(value)));
  const re2 = time(() => Number(RE2JS.compile('(a+)+$').matches(value)));
  console.log(`| ${n} | ${js.ms.toFixed(1)} ms | ${re2.ms.toFixed(2)} ms |`);
}
const long = `${'a'.repeat(100_000)}!`;
const re2Long = time(() => Number(RE2JS.compile('(a+)+$').matches(long)));
console.log(`| 100000 | (not run: ~2^100000 steps) | ${re2Long.ms.toFixed(1)} ms |`);
