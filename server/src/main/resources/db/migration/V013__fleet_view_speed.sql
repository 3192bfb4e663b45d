-- Target lists page by cursor ($skipToken): a page starts after the last row of the one before it, by seeking in
-- the index of its order, so the last page of 10,000 targets reads about as many rows as the first (see
-- TargetSort and BENCHMARKS.md). sort=lifecycle and sort=name seek in V011's indexes.

-- sort=endTime: latest first, not ended last, as one key of one direction (TargetSort's end key), then by name.
CREATE INDEX target_executions_by_end_key ON jobs_internal.target_executions
  (job_execution_id, (coalesce(end_time, '-infinity'::timestamptz)) DESC, server_name, database_name, step_id);
-- sort=step (the default): step by step, then by name.
CREATE INDEX target_executions_by_step_name ON jobs_internal.target_executions
  (job_execution_id, step_id, server_name, database_name);
