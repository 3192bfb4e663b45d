-- What the execution page and a job's fleet state read, at 10,000 targets an execution (see "Seeing a fleet" in
-- README.md and the figures in BENCHMARKS.md). Each list order is an index, so a page of 100 reads about 100
-- rows however many the execution has.

-- Failures first (sort=lifecycle, the execution page's default). The CASE is the one TargetSort.LIFECYCLE
-- writes, lifecycle by lifecycle; TargetSortIndexTest checks that the two still match.
CREATE INDEX target_executions_failures_first ON jobs_internal.target_executions
  (job_execution_id,
   (CASE lifecycle WHEN 'Failed' THEN 0 WHEN 'TimedOut' THEN 1 WHEN 'WaitingForRetry' THEN 2 WHEN 'InProgress' THEN 3
                   WHEN 'Created' THEN 4 WHEN 'Canceled' THEN 5 WHEN 'Skipped' THEN 6 WHEN 'SucceededWithSkipped' THEN 7
                   WHEN 'Succeeded' THEN 8 ELSE 9 END),
   server_name, database_name, step_id);
-- By name (sort=name).
CREATE INDEX target_executions_by_name ON jobs_internal.target_executions
  (job_execution_id, server_name, database_name, step_id);
-- The latest ended first (sort=endTime), and a summary's throughput over the last minute.
CREATE INDEX target_executions_by_execution_end ON jobs_internal.target_executions
  (job_execution_id, end_time DESC NULLS LAST);
-- A job's fleet state: each database's last run of each step, in index order.
CREATE INDEX target_executions_by_job_database ON jobs_internal.target_executions
  (job_id, server_key, database_name, step_name, create_time DESC);
