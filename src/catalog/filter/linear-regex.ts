import { RE2JS } from 're2js';
import type { Literal } from './filter-ast.ts';
import { FilterSyntaxError } from './filter-syntax-error.ts';

/**
 * A compiled pattern that matches a whole value in time linear in the value's length, whatever the
 * pattern: `(a+)+$` over thirty `a`s and a `!` costs what `a+` does. Filters come from anyone who
 * can reach the API, so a backtracking engine (JavaScript's RegExp) would let one request stall the
 * node; this is RE2's automaton (the re2js port, pure JavaScript: no native build, no WebAssembly).
 */
export interface LinearRegex {
  /** True when the whole of `value` matches. */
  test(value: string): boolean;
}

/**
 * Longest pattern accepted. RE2 bounds matching time by the compiled program's size, which grows
 * with the pattern (and with counted repetition, which RE2 caps at 1000): capping the source keeps
 * the per-character cost small too.
 */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * Compiles `source` with RE2 syntax (as Metacat users' Java patterns mostly are; backreferences and
 * lookaround, which no linear engine can run, are refused). `dotAll` lets `.` match newlines.
 * Throws FilterSyntaxError naming the pattern's position in the filter and what is wrong.
 */
export function compileLinearRegex(source: string, literal: Literal, options: { dotAll?: boolean } = {}): LinearRegex {
  if (literal.text.length > MAX_PATTERN_LENGTH) {
    throw new FilterSyntaxError(
      `Pattern at position ${literal.position} is ${literal.text.length} characters long; at most ${MAX_PATTERN_LENGTH} are allowed`,
      literal.position,
    );
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source, options.dotAll ? RE2JS.DOTALL : 0);
  } catch (error) {
    throw new FilterSyntaxError(
      `Invalid regular expression at position ${literal.position}: ${(error as Error).message} (RE2 syntax: no backreferences or lookaround)`,
      literal.position,
    );
  }
  return { test: (value) => compiled.matches(value) };
}
