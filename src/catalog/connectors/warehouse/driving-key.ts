import type { FilterNode } from '../../filter/filter-ast.ts';
import type { BoundFilter } from '../../filter/filter-schema.ts';

/**
 * Picks the partition key whose index should drive a filtered listing: the key of the most
 * selective-looking predicate that every match must satisfy (a conjunct of the top-level AND).
 * Without statistics SQLite cannot tell `dateint = 20240101` (a thousandth of the partitions) from
 * `region like 'r1%'` (a fifth), and may start from the wrong index or scan every partition in name
 * order; the partition store makes the chosen key's value rows the outer loop. PostgreSQL plans with
 * its own statistics either way.
 *
 * Rank: equality and IS NULL, then IN lists (and ORs of equalities on one key), then ranges and
 * BETWEEN, then LIKE with a literal prefix. Negations, `!=`, MATCHES, LIKE patterns starting with a
 * wildcard, and `dateCreated` never drive. Ties go to the earlier key (usually the date).
 */
export function drivingKey(bound: BoundFilter, keyCount: number): DrivingKey | undefined {
  const conjuncts = bound.root.kind === 'and' ? bound.root.operands : [bound.root];
  let best: (DrivingKey & { rank: number }) | undefined;
  for (const node of conjuncts) {
    const candidate = rankOf(node, bound);
    if (!candidate || candidate.slot >= keyCount) continue;
    if (!best || candidate.rank < best.rank || (candidate.rank === best.rank && candidate.slot < best.slot)) best = { ...candidate, predicate: node };
  }
  if (!best) return undefined;
  const slot = best.slot;
  // Every conjunct about this key alone narrows the driving rows (`d >= 1 and d <= 2` is one range).
  const predicates = conjuncts.filter((node) => onlySlot(node, bound) === slot);
  return { slot, predicate: predicates.length === 1 ? predicates[0]! : { kind: 'and', operands: predicates } };
}

export interface DrivingKey {
  /** The key's slot. */
  readonly slot: number;
  /** The conjuncts that constrain that key alone, together. */
  readonly predicate: FilterNode;
}

/** The one slot a predicate tree reads, or undefined when it reads none or several. */
function onlySlot(node: FilterNode, bound: BoundFilter): number | undefined {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const slots = new Set(node.operands.map((operand) => onlySlot(operand, bound)));
      return slots.size === 1 ? [...slots][0] : undefined;
    }
    case 'not':
      return onlySlot(node.operand, bound);
    case 'constant':
      return undefined;
    default:
      return bound.slotOf(node.variable.name);
  }
}

function rankOf(node: FilterNode, bound: BoundFilter): { slot: number; rank: number } | undefined {
  switch (node.kind) {
    case 'compare':
      if (node.op === '!=') return undefined;
      return { slot: bound.slotOf(node.variable.name), rank: node.op === '=' ? 1 : 3 };
    case 'isNull':
      return node.negated ? undefined : { slot: bound.slotOf(node.variable.name), rank: 1 };
    case 'in':
      return node.negated ? undefined : { slot: bound.slotOf(node.variable.name), rank: 2 };
    case 'between':
      return node.negated ? undefined : { slot: bound.slotOf(node.variable.name), rank: 3 };
    case 'like':
      return node.negated || /^[%_]/.test(node.pattern.text) ? undefined : { slot: bound.slotOf(node.variable.name), rank: 4 };
    case 'or': {
      // An OR of equalities on one key is an IN list.
      const slots = node.operands.map((operand) => (operand.kind === 'compare' && operand.op === '=' ? bound.slotOf(operand.variable.name) : -1));
      return slots.every((slot) => slot >= 0 && slot === slots[0]) ? { slot: slots[0]!, rank: 2 } : undefined;
    }
    default:
      return undefined;
  }
}
