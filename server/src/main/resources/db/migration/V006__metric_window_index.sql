-- Alert rules read the executions that ended within their window, every second and on every finished
-- target; this keeps that read proportional to the window, not to the 45 days of history.
CREATE INDEX target_executions_by_end_time ON jobs_internal.target_executions (end_time)
  WHERE end_time IS NOT NULL;
