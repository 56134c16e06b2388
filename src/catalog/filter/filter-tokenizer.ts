import { FilterSyntaxError } from './filter-syntax-error.ts';

/** Keywords are case-insensitive; `&&` and `||` spell AND and OR. */
export type KeywordKind = 'and' | 'or' | 'not' | 'matches' | 'like' | 'is' | 'null' | 'between' | 'in';

export type TokenKind =
  | KeywordKind
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'cmp' // = == != <> > >= < <=
  | 'number'
  | 'string'
  | 'boolean'
  | 'variable'
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written, quotes included. */
  readonly text: string;
  /** 0-based offset of the token's first character in the filter. */
  readonly position: number;
}

const KEYWORDS: ReadonlyMap<string, KeywordKind> = new Map(
  (['and', 'or', 'not', 'matches', 'like', 'is', 'null', 'between', 'in'] as const).map((k) => [k, k]),
);

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
// Partition keys may contain hyphens (`one-one`); the longest match wins, as in Metacat's grammar.
const VARIABLE = /[A-Za-z_][A-Za-z0-9_-]*/y;
const COMPARATORS = ['==', '!=', '<>', '>=', '<=', '=', '>', '<'];

/** Splits a filter into tokens, ending with one `eof` token. Throws FilterSyntaxError with the position. */
export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i += 1;
      continue;
    }
    const start = i;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c === '(' ? 'lparen' : c === ')' ? 'rparen' : 'comma', text: c, position: start });
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = filter.indexOf(c, i + 1);
      if (end < 0) throw new FilterSyntaxError(`Unterminated string starting at position ${start}: add the closing ${c}`, start);
      tokens.push({ kind: 'string', text: filter.slice(i, end + 1), position: start });
      i = end + 1;
      continue;
    }
    if (c === '&' || c === '|') {
      if (filter[i + 1] !== c) throw new FilterSyntaxError(`Unexpected character '${c}' at position ${start}: did you mean '${c}${c}'?`, start);
      tokens.push({ kind: c === '&' ? 'and' : 'or', text: c + c, position: start });
      i += 2;
      continue;
    }
    const comparator = COMPARATORS.find((op) => filter.startsWith(op, i));
    if (comparator) {
      tokens.push({ kind: 'cmp', text: comparator, position: start });
      i += comparator.length;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(filter);
    if (number) {
      i += number[0].length;
      if (i < filter.length && /[A-Za-z_]/.test(filter[i]!)) {
        throw new FilterSyntaxError(`Unexpected character '${filter[i]}' at position ${i}: a number cannot run into a name`, i);
      }
      tokens.push({ kind: 'number', text: number[0], position: start });
      continue;
    }
    VARIABLE.lastIndex = i;
    const word = VARIABLE.exec(filter);
    if (word) {
      const lower = word[0].toLowerCase();
      const keyword = KEYWORDS.get(lower);
      const kind: TokenKind = keyword ?? (lower === 'true' || lower === 'false' ? 'boolean' : 'variable');
      tokens.push({ kind, text: word[0], position: start });
      i += word[0].length;
      continue;
    }
    throw new FilterSyntaxError(`Unexpected character '${c}' at position ${start}`, start);
  }
  tokens.push({ kind: 'eof', text: '', position: filter.length });
  return tokens;
}
