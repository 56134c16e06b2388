/**
 * Iceberg's time-travel clauses as Spark and Trino spell them, turned into DuckDB's own `AT (…)`
 * clause so DuckDB's parser (which Quarry uses to read a query) accepts them:
 *
 *   db.t FOR VERSION AS OF 123 [AS] x            →  db.t x AT (VERSION => 123)
 *   db.t FOR TIMESTAMP AS OF '2024-01-01' [AS] x →  db.t x AT (TIMESTAMP => TIMESTAMP '2024-01-01')
 *
 * (`SYSTEM_VERSION` and `SYSTEM_TIME` too.) DuckDB wants the alias before the clause, Spark after
 * it, so a following alias moves. Text inside quotes and comments is never touched.
 */
export function rewriteTimeTravel(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuotedOrComment(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const match = CLAUSE.exec(sql.slice(i));
    if (match && (i === 0 || /[\s)]/.test(sql[i - 1]!))) {
      const [whole, , kind, literal] = match;
      const rest = sql.slice(i + whole.length);
      const alias = ALIAS.exec(rest);
      const aliasName = alias && !KEYWORDS.has(alias[2]!.toUpperCase()) ? alias[2] : undefined;
      const value = /^VERSION$/i.test(kind!) ? literal! : `TIMESTAMP ${literal!.trim()}`;
      out = out.replace(/\s*$/, '') + (aliasName ? ` ${aliasName}` : '') + ` AT (${/^VERSION$/i.test(kind!) ? 'VERSION' : 'TIMESTAMP'} => ${value.trim()})`;
      i += whole.length + (aliasName ? alias![0].length : 0);
      continue;
    }
    out += sql[i];
    i++;
  }
  return out;
}

const CLAUSE = /^FOR\s+(SYSTEM_)?(VERSION|TIMESTAMP|TIME)\s+AS\s+OF\s+('(?:[^']|'')*'|-?\d+)/i;
const ALIAS = /^(\s+AS)?\s+("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)/i;

/** Words that may follow a table reference and so are not an alias. */
const KEYWORDS = new Set(
  'WHERE GROUP ORDER LIMIT OFFSET HAVING JOIN INNER LEFT RIGHT FULL CROSS NATURAL ON USING UNION EXCEPT INTERSECT WINDOW QUALIFY POSITIONAL ASOF ANTI SEMI LATERAL SAMPLE TABLESAMPLE PIVOT UNPIVOT'.split(' '),
);

/** The index just past a quoted string, quoted identifier or comment starting at i; i when none does. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (c === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end < 0 ? sql.length : end;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end < 0 ? sql.length : end + 2;
  }
  return i;
}
