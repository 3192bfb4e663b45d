-- A member that could not be listed (its server down, its login refused) gets a row of its own in the step:
-- expands_member marks it. Claimed apart from the tier's capacity, it is retried under the step's retry
-- policy by listing the member again; the databases a later listing finds join the step then.
ALTER TABLE jobs_internal.target_executions ADD COLUMN expands_member boolean NOT NULL DEFAULT false;

-- The server as resolved (address and port), so one database reached under two spellings of its server
-- ("localhost:5432", "127.0.0.1:5432") is one target. server_name keeps the first spelling, for display.
ALTER TABLE jobs_internal.target_executions ADD COLUMN server_key text;
UPDATE jobs_internal.target_executions SET server_key = lower(server_name);
ALTER TABLE jobs_internal.target_executions ALTER COLUMN server_key SET NOT NULL;
ALTER TABLE jobs_internal.target_executions
  DROP CONSTRAINT target_executions_job_execution_id_step_id_server_name_data_key;
ALTER TABLE jobs_internal.target_executions
  ADD CONSTRAINT target_executions_one_per_database UNIQUE (job_execution_id, step_id, server_key, database_name);

-- Member rows due for another listing.
CREATE INDEX target_executions_members_ready ON jobs_internal.target_executions (next_attempt_start_time)
  WHERE expands_member AND lifecycle IN ('WaitingForRetry', 'InProgress');
