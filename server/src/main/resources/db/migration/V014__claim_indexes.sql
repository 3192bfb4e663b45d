-- What jobs_internal.claim_targets reads, so a claim costs about the same at 10,000 queued targets and after months
-- of history as at 100 (issue 20, goal 5; the figures and how to reproduce them are in BENCHMARKS.md).

-- The overlap rule's lookup: the same step on the same database in another execution, still queued, running or
-- waiting to retry. The index it replaces left out Created, so that branch of the rule probed every execution of
-- the job ever run; this one finds the active rows of one database in one probe. The claim was its only reader.
CREATE INDEX target_executions_active_target ON jobs_internal.target_executions
  (job_id, step_name, server_name, database_name) WHERE lifecycle IN ('Created', 'InProgress', 'WaitingForRetry');
DROP INDEX jobs_internal.target_executions_same_target;

-- The queue in the claim's order (the ready time, then the id), so a claim reads the first rows of the index instead
-- of sorting every ready target. It replaces target_executions_ready, whose only reader was the claim.
CREATE INDEX target_executions_queue ON jobs_internal.target_executions (next_attempt_start_time, target_execution_id)
  WHERE lifecycle IN ('Created', 'WaitingForRetry') AND NOT expands_member;
DROP INDEX jobs_internal.target_executions_ready;

-- maxParallelism: the claim counts the running targets of a candidate's group (its step's targets on one server)
-- for each candidate. By lease_until alone that count read every running target of the whole tier.
CREATE INDEX target_executions_running_by_group ON jobs_internal.target_executions
  (job_execution_id, step_id, parallel_group, lease_until) WHERE lifecycle = 'InProgress';
