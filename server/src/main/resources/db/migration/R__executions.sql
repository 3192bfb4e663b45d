-- An execution's life outside the claims: starting one (by hand, by schedule, as a rerun), starting each
-- step with the targets its group expanded to, settling a step when its targets are final, and cancelling.
-- Each is one call, so one transaction.
--
-- Clocks: times these routines record (create, start and end times) are the job database's now(), the clock
-- every agent and every reader of the views shares. The one time that is a decision, when a started target
-- becomes ready to claim, is start_step's p_now: the agent's injected clock, which claim_targets compares
-- readiness with (see R__claims.sql).

-- Whether a lifecycle value is still active, as jobs_internal.lifecycles says. For one value at a time; a query
-- over many rows joins jobs_internal.lifecycles instead.
CREATE OR REPLACE FUNCTION jobs_internal.is_active(p_lifecycle text) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT l.is_active FROM jobs_internal.lifecycles l WHERE l.lifecycle = p_lifecycle
$$;

-- Creates an execution pinned to the current version. Idempotent on p_execution_id.
-- Returns the execution id and whether this call created it.
CREATE OR REPLACE FUNCTION jobs_internal.start_execution(
  p_job_name text, p_execution_id uuid, p_trigger text, p_scheduled_time timestamptz,
  OUT job_execution_id uuid, OUT created boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_job record;
  v_first_step integer;
  v_existing record;
BEGIN
  -- Starts of one job take turns, so two starting together cannot both see no active run (SkipExecution).
  SELECT j.job_id, j.job_version, j.overlap_policy INTO v_job
    FROM jobs_internal.jobs j
   WHERE j.job_name = p_job_name
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', p_job_name));
  END IF;
  SELECT e.job_execution_id, e.job_id INTO v_existing
    FROM jobs_internal.job_executions e
   WHERE e.job_execution_id = p_execution_id;
  IF FOUND THEN
    IF v_existing.job_id <> v_job.job_id THEN
      PERFORM jobs_internal.fail('FJ409', 'job_execution_id', 'That execution id belongs to another job.');
    END IF;
    job_execution_id := p_execution_id;
    created := false;
    RETURN;
  END IF;

  SELECT min(s.step_id) INTO v_first_step
    FROM jobs_internal.jobstep_versions s
   WHERE s.job_id = v_job.job_id AND s.job_version = v_job.job_version;
  job_execution_id := p_execution_id;
  created := true;

  IF v_job.overlap_policy = 'SkipExecution' AND EXISTS (
       SELECT 1 FROM jobs_internal.job_executions e
        WHERE e.job_id = v_job.job_id AND jobs_internal.is_active(e.lifecycle)) THEN
    INSERT INTO jobs_internal.job_executions
      (job_execution_id, job_id, job_version, lifecycle, start_time, end_time, last_message, trigger_type, scheduled_time)
    VALUES (p_execution_id, v_job.job_id, v_job.job_version, 'Skipped', now(), now(),
            'Skipped: another execution of this job is still active and the overlap policy is SkipExecution.',
            p_trigger, p_scheduled_time)
    ON CONFLICT DO NOTHING;
    created := FOUND;
    RETURN;
  END IF;

  INSERT INTO jobs_internal.job_executions
    (job_execution_id, job_id, job_version, lifecycle, trigger_type, scheduled_time, next_step_id,
     start_time, end_time, last_message)
  VALUES (p_execution_id, v_job.job_id, v_job.job_version,
          CASE WHEN v_first_step IS NULL THEN 'Succeeded' ELSE 'Created' END,
          p_trigger, p_scheduled_time, v_first_step,
          CASE WHEN v_first_step IS NULL THEN now() END, CASE WHEN v_first_step IS NULL THEN now() END,
          CASE WHEN v_first_step IS NULL THEN 'The job has no steps.' END)
  ON CONFLICT DO NOTHING;
  created := FOUND;
END $$;

-- Fires one schedule occurrence. The compare-and-set on last_scheduled_time (and the unique
-- (job_id, scheduled_time)) makes it fire once even when several agents see it due at the same moment.
CREATE OR REPLACE FUNCTION jobs_internal.fire_schedule(p_job_id uuid, p_last timestamptz, p_due timestamptz) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_name text;
  v_started record;
BEGIN
  UPDATE jobs_internal.jobs
     SET last_scheduled_time = p_due
   WHERE job_id = p_job_id AND enabled AND last_scheduled_time IS NOT DISTINCT FROM p_last
  RETURNING job_name INTO v_name;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT s.job_execution_id, s.created INTO v_started
    FROM jobs_internal.start_execution(v_name, gen_random_uuid(), 'Schedule', p_due) s;
  RETURN v_started.job_execution_id;
END $$;

-- "Rerun the failed targets": a new execution limited to the target databases that Failed or TimedOut in a
-- finished one. It runs p_job_version, or the job's current version when NULL, so that after a step is fixed
-- the rerun runs the fixed script; the new execution records that version, and names its source in rerun_of.
-- Every step of the version runs, each on those databases only (as far as its group still expands to them),
-- because a step failing on a database stops the later steps there too. Which steps failed in the source does
-- not matter: they may not even exist in the version run.
DROP FUNCTION IF EXISTS jobs_internal.rerun_failed_targets(text, uuid, uuid);
CREATE OR REPLACE FUNCTION jobs_internal.rerun_failed_targets(
  p_job_name text, p_source_id uuid, p_execution_id uuid, p_job_version integer)
RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_job record;
  v_source record;
  v_version integer;
  v_first_step integer;
BEGIN
  -- Taking the job's row like start_execution, so a rerun and a start cannot both see no active run.
  SELECT j.job_id, j.job_version, j.overlap_policy INTO v_job
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
  v_version := coalesce(p_job_version, v_job.job_version);
  IF NOT EXISTS (SELECT 1 FROM jobs_internal.job_versions v
                  WHERE v.job_id = v_job.job_id AND v.job_version = v_version) THEN
    PERFORM jobs_internal.fail('FJ422', 'job_version',
      format('Job %L has no version %s; its current version is %s.', p_job_name, v_version, v_job.job_version));
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
   WHERE s.job_id = v_job.job_id AND s.job_version = v_version;
  INSERT INTO jobs_internal.job_executions
    (job_execution_id, job_id, job_version, lifecycle, trigger_type, next_step_id, rerun_of)
  VALUES (p_execution_id, v_job.job_id, v_version, 'Created', 'Manual', v_first_step, p_source_id);
  INSERT INTO jobs_internal.rerun_targets (job_execution_id, server_name, database_name)
  SELECT DISTINCT p_execution_id, t.server_name, t.database_name
    FROM jobs_internal.target_executions t
   WHERE t.job_execution_id = p_source_id AND t.lifecycle IN ('Failed', 'TimedOut');
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ409', 'job_execution_id',
      'The execution has no target that Failed or TimedOut: there is nothing to rerun.');
  END IF;
  IF v_first_step IS NULL THEN
    PERFORM jobs_internal.fail('FJ409', 'job_version',
      format('Version %s of job %L has no steps: there is nothing to run.', v_version, p_job_name));
  END IF;
  RETURN p_execution_id;
END $$;

-- Starts a claimed step with the targets its group expanded to (a JSON array of {target_type, target_id,
-- engine, server_name, database_name, parallel_group, trust_server_certificate}), or fails it with p_failure.
-- A rerun inserts only the targets it is limited to. Fenced by the expansion claim. The targets are ready to
-- claim from p_now, the agent's clock.
CREATE OR REPLACE FUNCTION jobs_internal.start_step(
  p_execution_id uuid, p_expansion_claim integer, p_targets jsonb, p_failure text, p_now timestamptz)
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
       lifecycle, next_attempt_start_time, max_attempts, parallel_group, max_parallelism, trust_server_certificate)
    SELECT p_execution_id, v_step.step_id, v_exec.job_id, v_step.step_name, t.target_type, t.target_id, t.engine,
           t.server_name, t.database_name, 'Created', p_now, v_step.retry_attempts + 1,
           coalesce(t.parallel_group, t.server_name), v_step.max_parallelism,
           coalesce(t.trust_server_certificate, false)
      FROM jsonb_to_recordset(p_targets) AS t(target_type text, target_id uuid, engine text, server_name text,
                                              database_name text, parallel_group text,
                                              trust_server_certificate boolean)
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
-- ends the execution. Idempotent; a no-op while any target is still active.
CREATE OR REPLACE FUNCTION jobs_internal.settle_step(p_execution_id uuid, p_step_id integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_exec record;
  v_counts record;
  v_outcome text;
  v_next integer;
  v_final text;
  v_message text;
  v_first_failure text;
BEGIN
  -- Most calls come from a target finishing while others still run: answer those from the index alone,
  -- before taking the execution's lock, so concurrent finishers do not queue on it. When the last two
  -- targets finish together, each may still see the other active; the dispatcher's sweep settles the step.
  PERFORM 1 FROM jobs_internal.target_executions t
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id
     AND t.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry')
   LIMIT 1;
  IF FOUND THEN
    RETURN;
  END IF;
  SELECT e.job_id, e.job_version, e.lifecycle, e.cancel_requested INTO v_exec
    FROM jobs_internal.job_executions e
   WHERE e.job_execution_id = p_execution_id
     FOR UPDATE;
  IF NOT FOUND OR NOT jobs_internal.is_active(v_exec.lifecycle) THEN
    RETURN;
  END IF;
  -- Settled already (by a concurrent finisher or the sweep): settling twice would start the next step twice.
  -- A step whose group could not be expanded is born Failed and settles once, ending the execution.
  PERFORM 1 FROM jobs_internal.step_executions s
   WHERE s.job_execution_id = p_execution_id AND s.step_id = p_step_id AND s.lifecycle IN ('InProgress', 'Failed');
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT count(*) FILTER (WHERE l.is_active) AS active,
         count(*) FILTER (WHERE t.lifecycle = 'Failed') AS failed,
         count(*) FILTER (WHERE t.lifecycle = 'TimedOut') AS timed_out,
         count(*) FILTER (WHERE t.lifecycle = 'Canceled') AS canceled,
         count(*) FILTER (WHERE t.lifecycle = 'Skipped') AS skipped,
         count(*) AS total
    INTO v_counts
    FROM jobs_internal.target_executions t
    JOIN jobs_internal.lifecycles l USING (lifecycle)
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id;
  IF v_counts.active > 0 THEN
    RETURN;
  END IF;

  SELECT CASE WHEN s.lifecycle IN ('Failed') THEN 'Failed'            -- the group could not be expanded
              WHEN v_counts.canceled > 0 OR v_exec.cancel_requested THEN 'Canceled'
              WHEN v_counts.failed > 0 THEN 'Failed'
              WHEN v_counts.timed_out > 0 THEN 'TimedOut'
              WHEN v_counts.skipped > 0 THEN 'SucceededWithSkipped'
              ELSE 'Succeeded' END,
         s.last_message
    INTO v_outcome, v_message
    FROM jobs_internal.step_executions s
   WHERE s.job_execution_id = p_execution_id AND s.step_id = p_step_id;
  -- Say which database failed first and why, so the parent row alone tells the operator where to look.
  SELECT t.last_message INTO v_first_failure
    FROM jobs_internal.target_executions t
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id AND t.lifecycle IN ('Failed', 'TimedOut')
   ORDER BY t.end_time
   LIMIT 1;
  v_message := coalesce(v_message, format('Step %s %s: %s of %s targets succeeded%s.%s', p_step_id,
    CASE v_outcome WHEN 'Succeeded' THEN 'succeeded' WHEN 'SucceededWithSkipped' THEN 'succeeded with skipped targets'
                   WHEN 'TimedOut' THEN 'timed out' ELSE lower(v_outcome) END,
    v_counts.total - v_counts.failed - v_counts.timed_out - v_counts.canceled - v_counts.skipped, v_counts.total,
    CASE WHEN v_counts.skipped > 0 THEN format(', %s skipped', v_counts.skipped) ELSE '' END,
    CASE WHEN v_first_failure IS NULL THEN '' ELSE ' First: ' || v_first_failure END));
  UPDATE jobs_internal.step_executions
     SET lifecycle = v_outcome, end_time = coalesce(end_time, now()), last_message = v_message
   WHERE job_execution_id = p_execution_id AND step_id = p_step_id;

  IF v_outcome IN ('Succeeded', 'SucceededWithSkipped') AND NOT v_exec.cancel_requested THEN
    SELECT min(s.step_id) INTO v_next
      FROM jobs_internal.jobstep_versions s
     WHERE s.job_id = v_exec.job_id AND s.job_version = v_exec.job_version AND s.step_id > p_step_id;
    IF v_next IS NOT NULL THEN
      UPDATE jobs_internal.job_executions SET next_step_id = v_next WHERE job_execution_id = p_execution_id;
      RETURN;
    END IF;
  END IF;

  v_final := CASE
    WHEN v_outcome NOT IN ('Succeeded', 'SucceededWithSkipped') THEN v_outcome
    WHEN v_exec.cancel_requested THEN 'Canceled'
    WHEN EXISTS (SELECT 1 FROM jobs_internal.step_executions s
                  WHERE s.job_execution_id = p_execution_id AND s.lifecycle = 'SucceededWithSkipped')
      THEN 'SucceededWithSkipped'
    ELSE 'Succeeded' END;
  UPDATE jobs_internal.job_executions
     SET lifecycle = v_final, end_time = now(), next_step_id = NULL,
         last_message = CASE v_final
           WHEN 'Succeeded' THEN 'Job execution succeeded.'
           WHEN 'SucceededWithSkipped' THEN 'Job execution succeeded; some targets were skipped.'
           WHEN 'Canceled' THEN 'Job execution was canceled.'
           ELSE format('Job execution ended %s at step %s: %s', v_final, p_step_id, v_message) END
   WHERE job_execution_id = p_execution_id;
END $$;

-- Cancels: queued and waiting targets end now; running ones end when their agent has cancelled the
-- statement (or when their lease runs out). Returns false when the execution was no longer active.
CREATE OR REPLACE FUNCTION jobs_internal.cancel_execution(p_job_name text, p_execution_id uuid) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_exec record;
  v_step integer;
BEGIN
  SELECT e.job_execution_id, e.lifecycle INTO v_exec
    FROM jobs_internal.job_executions e
    JOIN jobs_internal.jobs j USING (job_id)
   WHERE e.job_execution_id = p_execution_id AND j.job_name = p_job_name
     FOR UPDATE OF e;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_execution_id',
      format('Job %L has no execution %s.', p_job_name, p_execution_id));
  END IF;
  IF NOT jobs_internal.is_active(v_exec.lifecycle) THEN
    RETURN false;
  END IF;
  UPDATE jobs_internal.job_executions
     SET cancel_requested = true, next_step_id = NULL, expansion_owner = NULL, expansion_until = NULL
   WHERE job_execution_id = p_execution_id;
  UPDATE jobs_internal.target_executions
     SET lifecycle = 'Canceled', end_time = now(), next_attempt_start_time = NULL,
         last_message = 'Canceled before it ran.'
   WHERE job_execution_id = p_execution_id AND lifecycle IN ('Created', 'WaitingForRetry');
  FOR v_step IN SELECT s.step_id FROM jobs_internal.step_executions s
                 WHERE s.job_execution_id = p_execution_id AND jobs_internal.is_active(s.lifecycle) LOOP
    PERFORM jobs_internal.settle_step(p_execution_id, v_step);
  END LOOP;
  -- Canceled between steps: nothing runs, so the execution ends here.
  UPDATE jobs_internal.job_executions
     SET lifecycle = 'Canceled', end_time = now(), last_message = 'Job execution was canceled.'
   WHERE job_execution_id = p_execution_id AND jobs_internal.is_active(lifecycle)
     AND NOT EXISTS (SELECT 1 FROM jobs_internal.step_executions s
                      WHERE s.job_execution_id = p_execution_id AND jobs_internal.is_active(s.lifecycle));
  RETURN true;
END $$;
