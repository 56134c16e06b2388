import type { CompareOp, FilterNode, Literal, VariableRef } from './filter-ast.ts';
import { FilterSyntaxError } from './filter-syntax-error.ts';
import { tokenize, type Token, type TokenKind } from './filter-tokenizer.ts';
import { compileLinearRegex, type LinearRegex } from './linear-regex.ts';

/** Filters longer than this are refused rather than half-evaluated (Metacat PR #384's lesson). */
export const MAX_FILTER_LENGTH = 65_536;
/** Bounds recursion in every consumer of the tree (SQL compilation, evaluation). */
export const MAX_FILTER_DEPTH = 64;
/** Bounds the bound parameters one filter can produce, well under SQLite's and PostgreSQL's limits. */
export const MAX_FILTER_LITERALS = 5_000;

/**
 * Parses a partition filter into a FilterNode tree.
 *
 * The grammar is Metacat's (reference/metacat.md §2): `expr := primary [(AND|OR) expr]`, so AND and OR
 * have equal precedence and group to the right — `a and b or c` means `a and (b or c)`. Parentheses
 * group explicitly. Beyond Metacat, `NOT (expr)` is accepted.
 * Each predicate compares one variable with literals; strings must be quoted, so `pk1=even` is an
 * error at `even`. Errors are FilterSyntaxError carrying the 0-based position of the offending token.
 */
export function parseFilter(filter: string): FilterNode {
  if (filter.length > MAX_FILTER_LENGTH) {
    throw new FilterSyntaxError(`Filter is ${filter.length} characters long; at most ${MAX_FILTER_LENGTH} are accepted`, MAX_FILTER_LENGTH);
  }
  if (filter.trim() === '') throw new FilterSyntaxError('Filter is empty: give an expression such as dateint=20240101', 0);
  const parser = new Parser(tokenize(filter));
  const node = parser.parseExpression(0);
  parser.expect('eof', 'the end of the filter (an AND or OR would continue it)');
  if (parser.literalCount > MAX_FILTER_LITERALS) {
    throw new FilterSyntaxError(`Filter has ${parser.literalCount} values; at most ${MAX_FILTER_LITERALS} are accepted`, 0);
  }
  return node;
}

const DESCRIBE: Record<TokenKind, string> = {
  and: 'AND', or: 'OR', not: 'NOT', matches: 'MATCHES', like: 'LIKE', is: 'IS', null: 'NULL', between: 'BETWEEN', in: 'IN',
  lparen: "'('", rparen: "')'", comma: "','", cmp: 'a comparison', number: 'a number', string: 'a string', boolean: 'a boolean',
  variable: 'a partition key', eof: 'the end of the filter',
};

type Term = { kind: 'variable'; ref: VariableRef; token: Token } | { kind: 'literal'; literal: Literal; token: Token };

class Parser {
  private index = 0;
  literalCount = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index += 1;
    return token;
  }

  expect(kind: TokenKind, what: string = DESCRIBE[kind]): Token {
    const token = this.peek();
    if (token.kind !== kind) throw unexpected(token, `expected ${what}`);
    return this.next();
  }

  /**
   * expr := primary [(AND|OR) expr]. Parsed as a loop rather than by recursion so a long chain of
   * ORs cannot exhaust the stack; folded from the right to keep Metacat's grouping.
   */
  parseExpression(depth: number): FilterNode {
    if (depth > MAX_FILTER_DEPTH) {
      throw new FilterSyntaxError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels at position ${this.peek().position}`, this.peek().position);
    }
    const operands: FilterNode[] = [this.parsePrimary(depth)];
    const operators: Array<'and' | 'or'> = [];
    while (this.peek().kind === 'and' || this.peek().kind === 'or') {
      operators.push(this.next().kind as 'and' | 'or');
      operands.push(this.parsePrimary(depth));
    }
    // Each switch between AND and OR adds a level to the folded tree.
    const alternations = operators.filter((op, i) => i > 0 && op !== operators[i - 1]).length;
    if (alternations > MAX_FILTER_DEPTH) {
      throw new FilterSyntaxError(`Filter alternates AND and OR more than ${MAX_FILTER_DEPTH} times in a row; group with parentheses or use IN`, 0);
    }
    let node = operands[operands.length - 1]!;
    for (let i = operators.length - 1; i >= 0; i -= 1) node = combine(operators[i]!, operands[i]!, node);
    return node;
  }

  private parsePrimary(depth: number): FilterNode {
    if (this.peek().kind === 'lparen') {
      this.next();
      const inner = this.parseExpression(depth + 1);
      this.expect('rparen', "')' to close the '('");
      return inner;
    }
    if (this.peek().kind === 'not' && this.peek(1).kind === 'lparen') {
      this.next();
      this.next();
      const inner = this.parseExpression(depth + 1);
      this.expect('rparen', "')' to close the '('");
      return { kind: 'not', operand: inner };
    }
    const negated = this.peek().kind === 'not';
    if (negated) this.next();
    const predicate = this.parsePredicate();
    return negated ? { kind: 'not', operand: predicate } : predicate;
  }

  private parsePredicate(): FilterNode {
    const first = this.parseTerm('a partition key or a value');
    const token = this.peek();
    if (token.kind === 'not' && ['between', 'in', 'like'].includes(this.peek(1).kind)) {
      this.next();
      return this.parseSpecial(first, true);
    }
    if (token.kind === 'between' || token.kind === 'in' || token.kind === 'like') return this.parseSpecial(first, false);
    if (token.kind === 'is') {
      this.next();
      const negated = this.peek().kind === 'not';
      if (negated) this.next();
      this.expect('null', 'NULL after IS');
      return { kind: 'isNull', variable: requireVariable(first, 'IS NULL'), negated };
    }
    if (token.kind === 'cmp' || token.kind === 'matches') {
      this.next();
      const second = this.parseTerm('a value to compare with');
      return comparison(first, token, second);
    }
    if (first.kind === 'literal' && first.literal.kind === 'boolean') return { kind: 'constant', value: first.literal.value };
    if (first.kind === 'variable') throw unexpected(token, `expected a comparison after '${first.ref.name}'`);
    throw unexpected(first.token, 'expected a partition key');
  }

  private parseSpecial(first: Term, negated: boolean): FilterNode {
    const keyword = this.next();
    const variable = requireVariable(first, keyword.text.toUpperCase());
    if (keyword.kind === 'between') {
      const low = this.parseLiteral();
      this.expect('and', 'AND between the two bounds of BETWEEN');
      const high = this.parseLiteral();
      return { kind: 'between', variable, low, high, negated };
    }
    if (keyword.kind === 'in') {
      this.expect('lparen', "'(' to start the IN list");
      const values = [this.parseLiteral()];
      while (this.peek().kind === 'comma') {
        this.next();
        values.push(this.parseLiteral());
      }
      this.expect('rparen', "',' or ')' in the IN list");
      return { kind: 'in', variable, values, negated };
    }
    return { kind: 'like', variable, pattern: this.parseLiteral(), negated };
  }

  private parseTerm(expected: string): Term {
    const token = this.peek();
    switch (token.kind) {
      case 'variable':
        this.next();
        return { kind: 'variable', ref: { name: token.text, position: token.position }, token };
      case 'number':
      case 'string':
      case 'boolean':
        this.next();
        this.literalCount += 1;
        return { kind: 'literal', literal: literalOf(token), token };
      default:
        throw unexpected(token, `expected ${expected}`);
    }
  }

  /** A value where only a literal fits: a bare word here is an unquoted string. */
  private parseLiteral(): Literal {
    const term = this.parseTerm('a value');
    if (term.kind === 'variable') throw unquoted(term.token);
    return term.literal;
  }
}

function literalOf(token: Token): Literal {
  const { text, position } = token;
  if (token.kind === 'number') return { kind: 'number', value: Number(text), text, position };
  if (token.kind === 'boolean') return { kind: 'boolean', value: text.toLowerCase() === 'true', text: text.toLowerCase(), position };
  const value = text.slice(1, -1);
  return { kind: 'string', value, text: value, position };
}

const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function comparison(first: Term, operator: Token, second: Term): FilterNode {
  if (first.kind === 'variable' && second.kind === 'variable') throw unquoted(second.token);
  if (first.kind === 'literal' && second.kind === 'literal') {
    throw new FilterSyntaxError(
      `Comparison at position ${first.token.position} has no partition key: one side of '${operator.text}' must name a partition key`,
      first.token.position,
    );
  }
  const variable = first.kind === 'variable' ? first.ref : (second as Extract<Term, { kind: 'variable' }>).ref;
  const value = first.kind === 'literal' ? first.literal : (second as Extract<Term, { kind: 'literal' }>).literal;
  if (operator.kind === 'matches') {
    if (first.kind !== 'variable') throw unexpected(first.token, 'expected a partition key before MATCHES');
    return { kind: 'matches', variable, pattern: value, regex: compileRegex(value) };
  }
  const op = normalizeOperator(operator.text);
  return { kind: 'compare', variable, op: first.kind === 'variable' ? op : FLIPPED[op], value };
}

function normalizeOperator(text: string): CompareOp {
  if (text === '==') return '=';
  if (text === '<>') return '!=';
  return text as CompareOp;
}

// MATCHES is a whole-value match, as Java's String.matches is in Metacat; linear-time, whatever the pattern.
function compileRegex(pattern: Literal): LinearRegex {
  return compileLinearRegex(pattern.text, pattern);
}

function requireVariable(term: Term, construct: string): VariableRef {
  if (term.kind === 'variable') return term.ref;
  throw unexpected(term.token, `expected a partition key before ${construct}`);
}

function unexpected(token: Token, expectation: string): FilterSyntaxError {
  const what = token.kind === 'eof' ? 'Unexpected end of filter' : `Unexpected token '${token.text}'`;
  return new FilterSyntaxError(`${what} at position ${token.position}: ${expectation}`, token.position);
}

function unquoted(token: Token): FilterSyntaxError {
  return new FilterSyntaxError(`Unexpected token '${token.text}' at position ${token.position}: strings must be quoted`, token.position);
}

function combine(kind: 'and' | 'or', left: FilterNode, right: FilterNode): FilterNode {
  // Same-kind neighbours flatten: `a or (b or c)` is one OR of three, keeping the tree shallow.
  const operands = [...(left.kind === kind ? left.operands : [left]), ...(right.kind === kind ? right.operands : [right])];
  return { kind, operands };
}
