import { filterVariables, type FilterNode } from './filter-ast.ts';
import { FilterSyntaxError } from './filter-syntax-error.ts';
import { likeToRegex } from './like-pattern.ts';
import type { LinearRegex } from './linear-regex.ts';

/** A variable a filter may name: a partition key, or a special one such as `dateCreated`. */
export interface FilterVariable {
  readonly name: string;
  /** Declared numeric: comparisons with number literals are numeric rather than textual. */
  readonly numeric: boolean;
}

/**
 * What a filter is applied to: its variables, in slot order. Rows handed to the evaluator and the SQL
 * columns handed to the pushdown are indexed by the same slots.
 */
export interface FilterSchema {
  readonly variables: readonly FilterVariable[];
  /** Names the filtered thing in errors, e.g. "table h/d/part". */
  readonly subject: string;
}

/** A parsed filter checked against a schema: every variable exists and every pattern compiles. */
export interface BoundFilter {
  readonly root: FilterNode;
  readonly schema: FilterSchema;
  /** Slot of a variable the filter names. */
  slotOf(name: string): number;
  /** Slots of the variables the filter names. */
  readonly slots: readonly number[];
  /** The regular expression for a LIKE node's pattern. */
  likeRegex(node: Extract<FilterNode, { kind: 'like' }>): LinearRegex;
}

/**
 * Checks a parsed filter against a schema. Variable names match exactly first, then ignoring case
 * (Hive lower-cases partition keys). An unknown name is a FilterSyntaxError at its position.
 */
export function bindFilter(root: FilterNode, schema: FilterSchema): BoundFilter {
  const exact = new Map(schema.variables.map((v, slot) => [v.name, slot]));
  const folded = new Map(schema.variables.map((v, slot) => [v.name.toLowerCase(), slot]));
  const slotByName = new Map<string, number>();
  for (const ref of filterVariables(root)) {
    const slot = exact.get(ref.name) ?? folded.get(ref.name.toLowerCase());
    if (slot === undefined) {
      const known = schema.variables.map((v) => v.name).join(', ') || 'none';
      throw new FilterSyntaxError(
        `Unknown partition key '${ref.name}' at position ${ref.position}; ${schema.subject} has: ${known}`,
        ref.position,
      );
    }
    slotByName.set(ref.name, slot);
  }
  const likes = new Map<FilterNode, LinearRegex>();
  const visit = (node: FilterNode): void => {
    if (node.kind === 'and' || node.kind === 'or') node.operands.forEach(visit);
    else if (node.kind === 'not') visit(node.operand);
    else if (node.kind === 'like') likes.set(node, likeToRegex(node.pattern));
  };
  visit(root);
  return {
    root,
    schema,
    slots: [...new Set(slotByName.values())],
    slotOf(name) {
      const slot = slotByName.get(name);
      if (slot === undefined) throw new Error(`filter does not name ${name}`);
      return slot;
    },
    likeRegex(node) {
      return likes.get(node)!;
    },
  };
}
