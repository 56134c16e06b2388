import { Type, type Static } from 'typebox';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { DEFAULT_SRM_THRESHOLD } from './statistics/sample-ratio-mismatch.ts';

const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';
const TABLE = '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$';

/** An experiment's name as it appears in paths: letters, digits, dot, dash, underscore. */
export const EXPERIMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const Column = (fallback: string, description: string) =>
  Type.Optional(Type.String({ pattern: IDENTIFIER, maxLength: 128, description: `${description} (default ${fallback})` }));

export const AllocationSchema = Type.Object(
  {
    table: Type.String({ pattern: TABLE, maxLength: 512, description: 'The allocation table, db.table: one row per member allocated to a cell' }),
    memberColumn: Column('member', 'Column naming the member'),
    experimentColumn: Column('experiment', 'Column naming the experiment'),
    cellColumn: Column('cell', 'Column naming the cell'),
    timeColumn: Column('allocated_at', 'Column holding the allocation time (a timestamp); a member allocated twice counts from the first'),
    experimentValue: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: "The experiment column's value for this experiment (default: the experiment's name)" })),
  },
  { additionalProperties: false },
);

export const MetricSchema = Type.Object(
  {
    name: Type.String({ pattern: IDENTIFIER, maxLength: 128 }),
    kind: Type.Union([Type.Literal('mean'), Type.Literal('rate')], {
      description: "mean: a continuous value per member, compared by Welch's t-test; rate: 0 or 1 per member, compared by the two-proportion z-test",
    }),
    table: Type.String({ pattern: TABLE, maxLength: 512, description: 'The events table, db.table' }),
    memberColumn: Column('member', "Events table's column naming the member"),
    timeColumn: Column('ts', "Events table's event time column (a timestamp)"),
    value: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: "SQL aggregate over one member's events in the window, e.g. sum(hours) or max(CASE WHEN kind = 'play' THEN 1 ELSE 0 END); a member without events counts 0",
    }),
    windowDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'Events from allocation time up to this many days after it count' }),
    cuped: Type.Optional(
      Type.Object(
        { preWindowDays: Type.Integer({ minimum: 1, maximum: 3650, description: 'The covariate: the same aggregate over this many days before allocation' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CellSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    share: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Intended share of members (any positive weights; default: equal)' })),
  },
  { additionalProperties: false },
);

export const ExperimentDefinitionSchema = Type.Object(
  {
    allocation: AllocationSchema,
    control: Type.String({ minLength: 1, maxLength: 256, description: 'The cell the others are compared with' }),
    cells: Type.Array(CellSchema, { minItems: 2, maxItems: 100 }),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 0.5, description: 'Significance level after the Holm correction; intervals are (1 − alpha) (default 0.05)' })),
    srmThreshold: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1, description: `Sample-ratio mismatch is flagged when the chi-square p-value is below this (default ${DEFAULT_SRM_THRESHOLD})` }),
    ),
    metrics: Type.Array(MetricSchema, { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

export type ExperimentDefinitionInput = Static<typeof ExperimentDefinitionSchema>;
export type MetricDefinition = Required<Omit<Static<typeof MetricSchema>, 'cuped'>> & Pick<Static<typeof MetricSchema>, 'cuped'>;

/** A declared experiment with every default filled in. */
export interface ExperimentDefinition {
  allocation: Required<Static<typeof AllocationSchema>>;
  control: string;
  cells: { name: string; share: number }[];
  alpha: number;
  srmThreshold: number;
  metrics: MetricDefinition[];
}

/**
 * Checks what the schema cannot (names unique, control among the cells, shares all given or none)
 * and fills in the defaults. The input has passed ExperimentDefinitionSchema.
 */
export function normalizeDefinition(name: string, input: ExperimentDefinitionInput): ExperimentDefinition {
  if (!EXPERIMENT_NAME.test(name)) throw new InvalidInputError(`Experiment name ${JSON.stringify(name)} must be letters, digits, '.', '-' or '_' (at most 200)`, 'name');
  const cellNames = input.cells.map((c) => c.name);
  const repeated = cellNames.find((c, i) => cellNames.indexOf(c) !== i);
  if (repeated !== undefined) throw new InvalidInputError(`Cell ${JSON.stringify(repeated)} is listed twice in cells`, 'cells');
  if (!cellNames.includes(input.control)) throw new InvalidInputError(`Control cell ${JSON.stringify(input.control)} is not among the cells (${cellNames.join(', ')})`, 'control');
  const withShare = input.cells.filter((c) => c.share !== undefined).length;
  if (withShare !== 0 && withShare !== input.cells.length) throw new InvalidInputError('Give every cell a share, or none (then the split is equal)', 'cells');
  const metricNames = input.metrics.map((m) => m.name);
  const twice = metricNames.find((m, i) => metricNames.indexOf(m) !== i);
  if (twice !== undefined) throw new InvalidInputError(`Metric ${JSON.stringify(twice)} is listed twice in metrics`, 'metrics');
  return {
    allocation: {
      table: input.allocation.table,
      memberColumn: input.allocation.memberColumn ?? 'member',
      experimentColumn: input.allocation.experimentColumn ?? 'experiment',
      cellColumn: input.allocation.cellColumn ?? 'cell',
      timeColumn: input.allocation.timeColumn ?? 'allocated_at',
      experimentValue: input.allocation.experimentValue ?? name,
    },
    control: input.control,
    cells: input.cells.map((c) => ({ name: c.name, share: c.share ?? 1 })),
    alpha: input.alpha ?? 0.05,
    srmThreshold: input.srmThreshold ?? DEFAULT_SRM_THRESHOLD,
    metrics: input.metrics.map((m) => ({
      name: m.name,
      kind: m.kind,
      table: m.table,
      memberColumn: m.memberColumn ?? 'member',
      timeColumn: m.timeColumn ?? 'ts',
      value: m.value,
      windowDays: m.windowDays,
      ...(m.cuped ? { cuped: { preWindowDays: m.cuped.preWindowDays } } : {}),
    })),
  };
}
