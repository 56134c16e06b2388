import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { Expression } from './expression.ts';

/**
 * Parses a filter written as text (for the CLI): comparisons `col = 'x'`, `n >= 5`, `col != 1`,
 * `col in ('a', 'b')`, `col not in (…)`, `col is null`, `col is not null`, combined with `and`, `or`,
 * `not` and parentheses. Strings are single-quoted ('' escapes a quote); numbers, true and false.
 * Errors give the position of the problem.
 */
export function parseFilter(text: string): Expression {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (message: string): never => {
    const at = peek()?.at ?? text.length;
    throw new InvalidInputError(`Filter ${JSON.stringify(text)}: ${message} at position ${at + 1}`, 'filter', { position: at + 1 });
  };
  const keyword = (word: string) => {
    const t = peek();
    if (t && t.kind === 'word' && t.text.toLowerCase() === word) {
      pos++;
      return true;
    }
    return false;
  };
  const expect = (kind: Token['kind'], text?: string) => {
    const t = peek();
    if (!t || t.kind !== kind || (text !== undefined && t.text !== text)) fail(`expected ${text ?? kind}`);
    pos++;
    return t!;
  };
  const literal = (): unknown => {
    const t = peek();
    if (!t) return fail('expected a value');
    pos++;
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return /[.eE]/.test(t.text) ? Number(t.text) : Number.isSafeInteger(Number(t.text)) ? Number(t.text) : BigInt(t.text);
    if (t.kind === 'word' && (t.text.toLowerCase() === 'true' || t.text.toLowerCase() === 'false')) return t.text.toLowerCase() === 'true';
    pos--;
    return fail('expected a value');
  };
  const primary = (): Expression => {
    if (keyword('not')) return { op: 'not', arg: primary() };
    const t = peek();
    if (t?.kind === 'punct' && t.text === '(') {
      pos++;
      const inner = disjunction();
      expect('punct', ')');
      return inner;
    }
    const column = expect('word').text;
    if (keyword('is')) {
      const negated = keyword('not');
      if (!keyword('null')) fail('expected null');
      return { op: negated ? 'notNull' : 'isNull', column };
    }
    const negatedIn = keyword('not');
    if (keyword('in')) {
      expect('punct', '(');
      const values = [literal()];
      while (peek()?.text === ',') {
        pos++;
        values.push(literal());
      }
      expect('punct', ')');
      return { op: negatedIn ? 'notIn' : 'in', column, values };
    }
    if (negatedIn) fail('expected in');
    const op = expect('op').text;
    const map: Record<string, Expression['op']> = { '=': 'eq', '==': 'eq', '!=': 'notEq', '<>': 'notEq', '<': 'lt', '<=': 'ltEq', '>': 'gt', '>=': 'gtEq' };
    return { op: map[op], column, value: literal() } as Expression;
  };
  const conjunction = (): Expression => {
    const args = [primary()];
    while (keyword('and')) args.push(primary());
    return args.length === 1 ? args[0] : { op: 'and', args };
  };
  const disjunction = (): Expression => {
    const args = [conjunction()];
    while (keyword('or')) args.push(conjunction());
    return args.length === 1 ? args[0] : { op: 'or', args };
  };
  if (tokens.length === 0) fail('empty filter');
  const result = disjunction();
  if (pos < tokens.length) fail(`unexpected ${JSON.stringify(peek()!.text)}`);
  return result;
}

interface Token {
  kind: 'word' | 'string' | 'number' | 'op' | 'punct';
  text: string;
  at: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new InvalidInputError(`Filter ${JSON.stringify(text)}: unterminated string at position ${at + 1}`, 'filter', { position: at + 1 });
        if (text[i] === "'" && text[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (text[i] === "'") {
          i++;
          break;
        } else value += text[i++];
      }
      tokens.push({ kind: 'string', text: value, at });
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], at });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*|^"[^"]+"/.exec(text.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0].replace(/^"|"$/g, ''), at });
      i += word[0].length;
      continue;
    }
    const op = /^(==|!=|<>|<=|>=|=|<|>)/.exec(text.slice(i));
    if (op) {
      tokens.push({ kind: 'op', text: op[0], at });
      i += op[0].length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, at });
      i++;
      continue;
    }
    throw new InvalidInputError(`Filter ${JSON.stringify(text)}: unexpected character ${JSON.stringify(c)} at position ${i + 1}`, 'filter', { position: i + 1 });
  }
  return tokens;
}
