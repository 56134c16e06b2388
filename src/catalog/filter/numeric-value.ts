const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number a stored partition value spells, or null when it spells none (including the Hive null
 * marker). The database keeps this beside the text so numeric comparisons need no cast at query time;
 * the in-memory evaluator applies the same rule, so both agree on every value.
 */
export function numericValueOf(value: string): number | null {
  if (!DECIMAL.test(value)) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/**
 * Orders strings by Unicode code point, which is the order of their UTF-8 bytes: the order SQLite's
 * BINARY collation and PostgreSQL's "C" collation use. JavaScript's `<` compares UTF-16 units, which
 * differs for characters beyond the Basic Multilingual Plane.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after 0xE000–0xFFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
