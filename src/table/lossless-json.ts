/**
 * JSON that keeps 64-bit integers exact. Iceberg snapshot ids are random 63-bit longs, beyond the
 * 2^53 a JS number holds, so integers outside the safe range parse to bigint and bigints serialize
 * as bare JSON numbers. (Node 20's JSON.parse has no access to a number's source text.)
 */
export function parseLosslessJson(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('Expected a property name');
        const key = string();
        ws();
        if (text[i] !== ':') fail("Expected ':'");
        i++;
        obj[key] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail("Expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', i)) return (i += 4), true;
    if (text.startsWith('false', i)) return (i += 5), false;
    if (text.startsWith('null', i)) return (i += 4), null;
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('Unexpected token');
    i += m[0].length;
    if (!m[2] && !m[3]) {
      const n = Number(m[0]);
      return Number.isSafeInteger(n) ? n : BigInt(m[0]);
    }
    return Number(m[0]);
  };
  const string = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '\\') {
        escaped = true;
        i += 2;
        continue;
      }
      if (ch === '"') break;
      i++;
    }
    if (i >= text.length) fail('Unterminated string');
    i++;
    const raw = text.slice(start, i);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const result = value();
  ws();
  if (i !== text.length) fail('Unexpected trailing characters');
  return result;
}

/** JSON.stringify that writes bigints as plain numbers. */
export function stringifyLosslessJson(value: unknown, indent?: number): string {
  const marked = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `@@bigint:${v}@@` : v), indent);
  return marked.replace(/"@@bigint:(-?\d+)@@"/g, '$1');
}
