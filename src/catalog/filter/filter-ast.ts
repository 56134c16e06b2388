import type { LinearRegex } from './linear-regex.ts';

/**
 * The parsed form of a partition filter (reference/metacat.md §2 "Partition filter grammar").
 * Every predicate names exactly one variable (a partition key, or `dateCreated`) and compares it with
 * literals; the parser puts the variable on the left (`1 > pk3` becomes `pk3 < 1`). AND and OR are
 * n-ary. The tree is independent of where it is evaluated: SQL pushdown (filter-sql.ts) and in-memory
 * evaluation (filter-evaluator.ts) both read it.
 */
export type FilterNode =
  | { readonly kind: 'and'; readonly operands: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly operands: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'compare'; readonly variable: VariableRef; readonly op: CompareOp; readonly value: Literal }
  | { readonly kind: 'between'; readonly variable: VariableRef; readonly low: Literal; readonly high: Literal; readonly negated: boolean }
  | { readonly kind: 'in'; readonly variable: VariableRef; readonly values: readonly Literal[]; readonly negated: boolean }
  | { readonly kind: 'like'; readonly variable: VariableRef; readonly pattern: Literal; readonly negated: boolean }
  | { readonly kind: 'matches'; readonly variable: VariableRef; readonly pattern: Literal; readonly regex: LinearRegex }
  | { readonly kind: 'isNull'; readonly variable: VariableRef; readonly negated: boolean };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface VariableRef {
  readonly name: string;
  /** 0-based offset in the filter text, for error messages. */
  readonly position: number;
}

/**
 * A literal keeps its source text: a number compared with a string key is compared as the text the
 * user wrote (`pk = 01` matches "01"), and numerically only against numeric keys.
 */
export type Literal =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly position: number }
  | { readonly kind: 'string'; readonly value: string; readonly text: string; readonly position: number }
  | { readonly kind: 'boolean'; readonly value: boolean; readonly text: string; readonly position: number };

/** Hive's name for a partition value that is null; `key IS NULL` matches it. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** Every variable a filter names, in order of appearance (duplicates kept once). */
export function filterVariables(node: FilterNode): VariableRef[] {
  const seen = new Map<string, VariableRef>();
  const visit = (n: FilterNode): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        n.operands.forEach(visit);
        return;
      case 'not':
        visit(n.operand);
        return;
      case 'constant':
        return;
      default:
        if (!seen.has(n.variable.name)) seen.set(n.variable.name, n.variable);
    }
  };
  visit(node);
  return [...seen.values()];
}
