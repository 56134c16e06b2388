import type { Literal } from './filter-ast.ts';
import { FilterSyntaxError } from './filter-syntax-error.ts';
import { compileLinearRegex, type LinearRegex } from './linear-regex.ts';

/**
 * LIKE patterns: `%` matches any run of characters, `_` any one character, and a backslash makes the
 * next character literal (`50\%`). SQL pushdown passes the pattern with `ESCAPE '\'`, which means the
 * same on SQLite and PostgreSQL; the in-memory evaluator uses the regular expression built here.
 */
export function likeToRegex(pattern: Literal): LinearRegex {
  const text = pattern.text;
  let source = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '\\') {
      if (i === text.length - 1) {
        throw new FilterSyntaxError(
          `LIKE pattern at position ${pattern.position} ends with a lone backslash; write \\\\ for a backslash`,
          pattern.position,
        );
      }
      i += 1;
      source += escapeRegex(text[i]!);
    } else if (c === '%') {
      source += '.*';
    } else if (c === '_') {
      source += '.';
    } else {
      source += escapeRegex(c);
    }
  }
  // Linear-time like MATCHES: `%a%a%a%a%b` would backtrack polynomially in a JavaScript RegExp.
  return compileLinearRegex(source, pattern, { dotAll: true });
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}
