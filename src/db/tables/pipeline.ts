/** A declared stream: its definition (JSON) and the collector's counters. `active` is 0 once deleted. */
export interface PipelineStreamTable {
  name: string;
  definition: string;
  active: number;
  accepted: number;
  rejected: number;
  created_at: number;
  updated_at: number;
}

/** The embedded log's head of one partition: the next offset to assign and the bytes still retained. */
export interface PipelineLogHeadTable {
  stream: string;
  partition: number;
  next_offset: number;
  retained_bytes: number;
}

/** One appended batch of the embedded log: offsets first_offset … first_offset + count - 1, NDJSON records. */
export interface PipelineLogBatchTable {
  stream: string;
  partition: number;
  first_offset: number;
  count: number;
  bytes: number;
  appended_at: number;
  records: string;
}

/** A collector request made under an Idempotency-Key; `response` is null while it is being processed. */
export interface PipelineIdempotencyTable {
  stream: string;
  key: string;
  response: string | null;
  created_at: number;
}

/** A sink worker's heartbeat: it is alive while seen_at is recent. */
export interface PipelineSinkWorkerTable {
  id: string;
  seen_at: number;
}

/** The sink worker that reads one partition of a stream's log, until expires_at unless it renews. */
export interface PipelineSinkLeaseTable {
  stream: string;
  partition: number;
  owner: string;
  expires_at: number;
}

export interface PipelineTables {
  pipeline_stream: PipelineStreamTable;
  pipeline_log_head: PipelineLogHeadTable;
  pipeline_log_batch: PipelineLogBatchTable;
  pipeline_idempotency: PipelineIdempotencyTable;
  pipeline_sink_worker: PipelineSinkWorkerTable;
  pipeline_sink_lease: PipelineSinkLeaseTable;
}
