-- "Rerun the failed targets": a new execution of a finished one's job version, limited to the target
-- databases that Failed or TimedOut in it. Every step runs, each on those databases only (as far as its
-- group still expands to them), because a step failing on a database stops the later steps there too.

ALTER TABLE jobs_internal.job_executions
  ADD COLUMN rerun_of uuid REFERENCES jobs_internal.job_executions ON DELETE SET NULL;

-- The databases a rerun is limited to. An execution without rows here runs on its whole target group.
CREATE TABLE jobs_internal.rerun_targets (
  job_execution_id uuid NOT NULL REFERENCES jobs_internal.job_executions ON DELETE CASCADE,
  server_name      text NOT NULL,
  database_name    text NOT NULL,
  PRIMARY KEY (job_execution_id, server_name, database_name)
);

-- Creates the rerun. It pins the source's version, so the failed targets run the script that failed.
CREATE FUNCTION jobs_internal.rerun_failed_targets(p_job_name text, p_source_id uuid, p_execution_id uuid)
RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_job record;
  v_source record;
  v_first_step integer;
BEGIN
  -- Taking the job's row like start_execution, so a rerun and a start cannot both see no active run.
  SELECT j.job_id, j.overlap_policy INTO v_job
    FROM jobs_internal.jobs j
   WHERE j.job_name = p_job_name
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', p_job_name));
  END IF;
  SELECT e.job_version, e.lifecycle INTO v_source
    FROM jobs_internal.job_executions e
   WHERE e.job_execution_id = p_source_id AND e.job_id = v_job.job_id;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_execution_id',
      format('Job %L has no execution %s.', p_job_name, p_source_id));
  END IF;
  IF jobs_internal.is_active(v_source.lifecycle) THEN
    PERFORM jobs_internal.fail('FJ409', 'job_execution_id',
      'The execution is still active; rerun its failed targets once it has ended.');
  END IF;
  IF v_job.overlap_policy = 'SkipExecution' AND EXISTS (
       SELECT 1 FROM jobs_internal.job_executions e
        WHERE e.job_id = v_job.job_id AND jobs_internal.is_active(e.lifecycle)) THEN
    PERFORM jobs_internal.fail('FJ409', 'job_execution_id',
      'Another execution of this job is active and its overlap policy is SkipExecution.');
  END IF;

  SELECT min(s.step_id) INTO v_first_step
    FROM jobs_internal.jobstep_versions s
   WHERE s.job_id = v_job.job_id AND s.job_version = v_source.job_version;
  INSERT INTO jobs_internal.job_executions
    (job_execution_id, job_id, job_version, lifecycle, trigger_type, next_step_id, rerun_of)
  VALUES (p_execution_id, v_job.job_id, v_source.job_version, 'Created', 'Manual', v_first_step, p_source_id);
  INSERT INTO jobs_internal.rerun_targets (job_execution_id, server_name, database_name)
  SELECT DISTINCT p_execution_id, t.server_name, t.database_name
    FROM jobs_internal.target_executions t
   WHERE t.job_execution_id = p_source_id AND t.lifecycle IN ('Failed', 'TimedOut');
  IF NOT FOUND OR v_first_step IS NULL THEN
    PERFORM jobs_internal.fail('FJ409', 'job_execution_id',
      'The execution has no target that Failed or TimedOut: there is nothing to rerun.');
  END IF;
  RETURN p_execution_id;
END $$;

-- start_step as in V005, but a rerun inserts only the targets it is limited to.
CREATE OR REPLACE FUNCTION jobs_internal.start_step(
  p_execution_id uuid, p_expansion_claim integer, p_targets jsonb, p_failure text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_exec record;
  v_step record;
BEGIN
  SELECT e.job_id, e.job_version, e.next_step_id INTO v_exec
    FROM jobs_internal.job_executions e
   WHERE e.job_execution_id = p_execution_id
     AND e.expansion_claim = p_expansion_claim
     AND e.next_step_id IS NOT NULL
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;                     -- another agent took the expansion over, or the run was canceled
  END IF;
  SELECT s.step_id, s.step_name, s.target_group_name, s.retry_attempts, s.max_parallelism INTO v_step
    FROM jobs_internal.jobstep_versions s
   WHERE s.job_id = v_exec.job_id AND s.job_version = v_exec.job_version AND s.step_id = v_exec.next_step_id;

  INSERT INTO jobs_internal.step_executions
    (job_execution_id, step_id, step_name, target_group_name, lifecycle, start_time, end_time, last_message)
  VALUES (p_execution_id, v_step.step_id, v_step.step_name, v_step.target_group_name,
          CASE WHEN p_failure IS NULL THEN 'InProgress' ELSE 'Failed' END, now(),
          CASE WHEN p_failure IS NULL THEN NULL ELSE now() END, p_failure);
  UPDATE jobs_internal.job_executions
     SET next_step_id = NULL, expansion_owner = NULL, expansion_until = NULL
   WHERE job_execution_id = p_execution_id;

  IF p_failure IS NULL THEN
    INSERT INTO jobs_internal.target_executions
      (job_execution_id, step_id, job_id, step_name, target_type, target_id, engine, server_name, database_name,
       lifecycle, next_attempt_start_time, max_attempts, parallel_group, max_parallelism)
    SELECT p_execution_id, v_step.step_id, v_exec.job_id, v_step.step_name, t.target_type, t.target_id, t.engine,
           t.server_name, t.database_name, 'Created', now(), v_step.retry_attempts + 1,
           coalesce(t.parallel_group, t.server_name), v_step.max_parallelism
      FROM jsonb_to_recordset(p_targets) AS t(target_type text, target_id uuid, engine text, server_name text,
                                              database_name text, parallel_group text)
     WHERE NOT EXISTS (SELECT 1 FROM jobs_internal.rerun_targets r WHERE r.job_execution_id = p_execution_id)
        OR EXISTS (SELECT 1 FROM jobs_internal.rerun_targets r
                    WHERE r.job_execution_id = p_execution_id
                      AND r.server_name = t.server_name AND r.database_name = t.database_name)
    ON CONFLICT DO NOTHING;
  END IF;
  PERFORM jobs_internal.settle_step(p_execution_id, v_step.step_id);
  RETURN true;
END $$;

-- When every target of the step is final: records the step's outcome, then starts the next step or

-- Live pages ask every few seconds which executions are active, or were created or ended lately.
CREATE INDEX job_executions_active ON jobs_internal.job_executions (job_execution_id)
  WHERE lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions');
CREATE INDEX job_executions_by_end_time ON jobs_internal.job_executions (end_time);
