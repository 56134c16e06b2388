/** A declared experiment; `definition` is its normalised JSON (src/experiments/experiment-definition.ts). */
export interface ExperimentTable {
  name: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

/** One computed report of an experiment, numbered 1, 2, … per experiment; `report` is its JSON. */
export interface ExperimentReportTable {
  experiment: string;
  number: number;
  computed_at: number;
  report: string;
}

/** One (metric, cell) row of a report's results; treatment cells carry the comparison with control. */
export interface ExperimentResultTable {
  experiment: string;
  number: number;
  metric: string;
  cell: string;
  members: number;
  mean: number | null;
  lift: number | null;
  ci_low: number | null;
  ci_high: number | null;
  relative_lift: number | null;
  p_value: number | null;
  adjusted_p_value: number | null;
  significant: number;
}

export interface ExperimentsTables {
  experiment: ExperimentTable;
  experiment_report: ExperimentReportTable;
  experiment_result: ExperimentResultTable;
}
