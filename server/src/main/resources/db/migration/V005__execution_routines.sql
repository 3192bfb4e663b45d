-- The execution engine's state changes. Each is one call, so one transaction, and every write of a
-- claimed row is fenced by its claim number: an agent that lost its lease cannot overwrite a newer result.

-- Creates an execution pinned to the current version. Idempotent on p_execution_id.
-- Returns the execution id and whether this call created it.
CREATE FUNCTION jobs_internal.start_execution(
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
CREATE FUNCTION jobs_internal.fire_schedule(p_job_id uuid, p_last timestamptz, p_due timestamptz) RETURNS uuid
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

-- Claims executions whose next step needs its target group expanded.
CREATE FUNCTION jobs_internal.claim_expansions(p_owner text, p_max integer, p_lease_seconds integer)
RETURNS TABLE (job_execution_id uuid, job_id uuid, job_name text, job_version integer, step_id integer,
               expansion_claim integer, create_time timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  UPDATE jobs_internal.job_executions e
     SET expansion_owner = p_owner,                                   -- this agent
         expansion_until = now() + make_interval(secs => p_lease_seconds),
         expansion_claim = e.expansion_claim + 1,                     -- fences the step start
         lifecycle = 'InProgress',
         start_time = coalesce(e.start_time, now())
    FROM jobs_internal.jobs j
   WHERE j.job_id = e.job_id
     AND e.job_execution_id IN (
           SELECT c.job_execution_id
             FROM jobs_internal.job_executions c
            WHERE c.next_step_id IS NOT NULL
              AND NOT c.cancel_requested
              AND (c.expansion_until IS NULL OR c.expansion_until < now())
            ORDER BY c.create_time
            LIMIT p_max                                               -- at most this many per call
              FOR UPDATE SKIP LOCKED)
  RETURNING e.job_execution_id, e.job_id, j.job_name, e.job_version, e.next_step_id, e.expansion_claim, e.create_time;
END $$;

-- Starts a claimed step with the targets its group expanded to (a JSON array of
-- {target_type, target_id, engine, server_name, database_name, parallel_group}), or fails it with p_failure.
CREATE FUNCTION jobs_internal.start_step(
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
    ON CONFLICT DO NOTHING;
  END IF;
  PERFORM jobs_internal.settle_step(p_execution_id, v_step.step_id);
  RETURN true;
END $$;

-- When every target of the step is final: records the step's outcome, then starts the next step or
-- ends the execution. Idempotent; a no-op while any target is still active.
CREATE FUNCTION jobs_internal.settle_step(p_execution_id uuid, p_step_id integer) RETURNS void
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
  SELECT count(*) FILTER (WHERE jobs_internal.is_active(t.lifecycle)) AS active,
         count(*) FILTER (WHERE t.lifecycle = 'Failed') AS failed,
         count(*) FILTER (WHERE t.lifecycle = 'TimedOut') AS timed_out,
         count(*) FILTER (WHERE t.lifecycle = 'Canceled') AS canceled,
         count(*) FILTER (WHERE t.lifecycle = 'Skipped') AS skipped,
         count(*) AS total
    INTO v_counts
    FROM jobs_internal.target_executions t
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
CREATE FUNCTION jobs_internal.cancel_execution(p_job_name text, p_execution_id uuid) RETURNS boolean
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

-- Claims ready target work up to the free capacity of the tier, across every agent sharing this database.
-- The tier is read here, inside the claim's transaction, so a change through the API binds every agent at once.
-- It returns what an executor needs, joined inside the function: the rows it claims may belong to a step
-- started a moment ago, which a join outside the function would not yet see, and that claim would be lost.
CREATE FUNCTION jobs_internal.claim_targets(p_owner text, p_max integer, p_lease_seconds integer)
RETURNS TABLE (target_execution_id uuid, claim integer, current_attempts integer, job_execution_id uuid,
               job_id uuid, step_id integer, step_name text, engine text, server_name text, database_name text,
               execution_create_time timestamptz, job_version integer, job_name text, target_group_name text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_free integer;
  v_capacity integer;
BEGIN
  PERFORM 1 FROM jobs_internal.dispatch_semaphore WHERE semaphore_id = 1 FOR UPDATE;
  -- JA100 runs 100 targets at once, JA800 800: the number is in the name, as Tier.java has it.
  SELECT coalesce((SELECT substring(setting_value FROM 3)::integer FROM jobs_internal.agent_settings
                    WHERE setting_name = 'tier'), 100)
    INTO v_capacity;
  SELECT v_capacity - count(*) INTO v_free
    FROM jobs_internal.target_executions
   WHERE lifecycle = 'InProgress' AND lease_until >= now();
  v_free := least(v_free, p_max);
  IF v_free <= 0 THEN
    RETURN;
  END IF;
  -- Overlap, decided under the same lock that starts targets, for the targets next in line: the same step
  -- of the same job still busy on the same database from an earlier execution. The sweep settles the
  -- steps this leaves finished.
  UPDATE jobs_internal.target_executions t
     SET lifecycle = 'Skipped', end_time = now(), next_attempt_start_time = NULL,
         last_message = 'Skipped: an earlier execution of this step was still running on this target.'
   WHERE t.target_execution_id IN (
           SELECT c.target_execution_id
             FROM jobs_internal.target_executions c
            WHERE c.lifecycle = 'Created' AND c.next_attempt_start_time <= now()
            ORDER BY c.next_attempt_start_time, c.target_execution_id
            LIMIT v_free * 4)
     -- An earlier execution that still has the step active there (running, waiting to retry, or queued).
     AND EXISTS (SELECT 1 FROM jobs_internal.target_executions o
                  WHERE o.job_id = t.job_id AND o.step_name = t.step_name AND o.server_name = t.server_name
                    AND o.database_name = t.database_name AND o.job_execution_id <> t.job_execution_id
                    AND o.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry') AND o.create_time < t.create_time);
  RETURN QUERY
  WITH candidates AS (
    SELECT t.target_execution_id, t.job_execution_id, t.step_id, t.parallel_group, t.max_parallelism,
           coalesce(t.next_attempt_start_time, t.lease_until) AS ready_time
      FROM jobs_internal.target_executions t
     WHERE ((t.lifecycle IN ('Created', 'WaitingForRetry') AND t.next_attempt_start_time <= now())
            -- its agent died: run it again, while attempts are left and nobody cancelled it
            OR (t.lifecycle = 'InProgress' AND t.lease_until < now() AND t.current_attempts < t.max_attempts
                AND NOT EXISTS (SELECT 1 FROM jobs_internal.job_executions e
                                 WHERE e.job_execution_id = t.job_execution_id AND e.cancel_requested)))
       -- A group already at its maxParallelism takes no candidate slot, so it cannot starve other work.
       AND (t.max_parallelism IS NULL
            OR (SELECT count(*) FROM jobs_internal.target_executions r
                 WHERE r.job_execution_id = t.job_execution_id AND r.step_id = t.step_id
                   AND r.parallel_group = t.parallel_group AND r.lifecycle = 'InProgress'
                   AND r.lease_until >= now()) < t.max_parallelism)
     ORDER BY 6, 1
     LIMIT v_free * 4                                                 -- headroom for maxParallelism
       FOR UPDATE SKIP LOCKED
  ), ranked AS (
    SELECT c.target_execution_id, c.ready_time, c.max_parallelism,
           row_number() OVER (PARTITION BY c.job_execution_id, c.step_id, c.parallel_group ORDER BY c.ready_time) AS rn,
           (SELECT count(*) FROM jobs_internal.target_executions r
             WHERE r.job_execution_id = c.job_execution_id AND r.step_id = c.step_id
               AND r.parallel_group = c.parallel_group AND r.lifecycle = 'InProgress'
               AND r.lease_until >= now()) AS running
      FROM candidates c
  ), chosen AS (
    SELECT r.target_execution_id
      FROM ranked r
     WHERE r.max_parallelism IS NULL OR r.rn + r.running <= r.max_parallelism
     ORDER BY r.ready_time
     LIMIT v_free
  )
  UPDATE jobs_internal.target_executions t
     SET lifecycle = 'InProgress',
         lease_owner = p_owner,                                        -- this agent
         lease_until = now() + make_interval(secs => p_lease_seconds),  -- renewed while it runs
         claim = t.claim + 1,                                          -- the fencing number of this attempt
         current_attempts = t.current_attempts + 1,
         current_attempt_start_time = now(),
         start_time = coalesce(t.start_time, now()),
         next_attempt_start_time = NULL
    FROM chosen, jobs_internal.job_executions e, jobs_internal.jobs j, jobs_internal.step_executions s
   WHERE t.target_execution_id = chosen.target_execution_id
     AND e.job_execution_id = t.job_execution_id
     AND j.job_id = t.job_id
     AND s.job_execution_id = t.job_execution_id AND s.step_id = t.step_id
  RETURNING t.target_execution_id, t.claim, t.current_attempts, t.job_execution_id, t.job_id, t.step_id,
            t.step_name, t.engine, t.server_name, t.database_name, e.create_time, e.job_version, j.job_name,
            s.target_group_name;
END $$;

-- Records an attempt's result, fenced by its claim. A failure with attempts left waits for a retry with
-- exponential backoff; a final result is counted in the per-minute metrics and may settle the step.
-- Returns the row as it now is, or nothing when the claim was stale.
CREATE FUNCTION jobs_internal.finish_target(
  p_target_execution_id uuid, p_claim integer, p_outcome text, p_message text, p_retryable boolean)
RETURNS SETOF jobs_internal.target_executions
LANGUAGE plpgsql AS $$
DECLARE
  t jobs_internal.target_executions;
  v_step record;
  v_cancel boolean;
  v_delay double precision;
  v_metric text;
BEGIN
  SELECT * INTO t FROM jobs_internal.target_executions
   WHERE target_execution_id = p_target_execution_id AND claim = p_claim AND lifecycle = 'InProgress'
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT e.cancel_requested INTO v_cancel FROM jobs_internal.job_executions e
   WHERE e.job_execution_id = t.job_execution_id;
  -- A cancelled run retries nothing; what really succeeded or timed out stays recorded as such.
  IF v_cancel AND p_outcome = 'Failed' THEN
    p_outcome := 'Canceled';
  END IF;

  IF p_outcome = 'Failed' AND p_retryable AND t.current_attempts < t.max_attempts THEN
    SELECT s.initial_retry_interval_seconds, s.maximum_retry_interval_seconds, s.retry_interval_backoff_multiplier
      INTO v_step
      FROM jobs_internal.jobstep_versions s
      JOIN jobs_internal.job_executions e ON e.job_id = s.job_id AND e.job_version = s.job_version
     WHERE e.job_execution_id = t.job_execution_id AND s.step_id = t.step_id;
    v_delay := least(v_step.maximum_retry_interval_seconds,
                     v_step.initial_retry_interval_seconds
                       * power(v_step.retry_interval_backoff_multiplier, t.current_attempts - 1));
    UPDATE jobs_internal.target_executions
       SET lifecycle = 'WaitingForRetry', next_attempt_start_time = now() + make_interval(secs => v_delay),
           last_message = p_message, lease_owner = NULL, lease_until = NULL
     WHERE target_execution_id = t.target_execution_id
    RETURNING * INTO t;
    RETURN NEXT t;
    RETURN;
  END IF;

  UPDATE jobs_internal.target_executions
     SET lifecycle = p_outcome, end_time = now(), last_message = p_message, lease_owner = NULL, lease_until = NULL
   WHERE target_execution_id = t.target_execution_id
  RETURNING * INTO t;
  v_metric := CASE p_outcome WHEN 'Succeeded' THEN 'elastic_jobs_successful' WHEN 'Failed' THEN 'elastic_jobs_failed'
                             WHEN 'TimedOut' THEN 'elastic_jobs_timeout' END;
  IF v_metric IS NOT NULL THEN
    INSERT INTO jobs_internal.metric_counts AS m
      (bucket_start, metric_name, job_name, step_name, target_server, target_database, count)
    SELECT date_trunc('minute', now()), v_metric, j.job_name, t.step_name, t.server_name, t.database_name, 1
      FROM jobs_internal.jobs j WHERE j.job_id = t.job_id
    ON CONFLICT (bucket_start, metric_name, job_name, step_name, target_server, target_database)
    DO UPDATE SET count = m.count + 1;
  END IF;
  PERFORM jobs_internal.settle_step(t.job_execution_id, t.step_id);
  RETURN NEXT t;
END $$;

-- Hands a claimed attempt back unspent, for an agent that is stopping: the target waits for the next
-- claim as it was, without using up an attempt. Fenced by the claim.
CREATE FUNCTION jobs_internal.release_target(p_target_execution_id uuid, p_claim integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs_internal.target_executions
     SET lifecycle = CASE WHEN current_attempts > 1 THEN 'WaitingForRetry' ELSE 'Created' END,
         current_attempts = current_attempts - 1, next_attempt_start_time = now(),
         lease_owner = NULL, lease_until = NULL
   WHERE target_execution_id = p_target_execution_id AND claim = p_claim AND lifecycle = 'InProgress';
  RETURN FOUND;
END $$;

-- Housekeeping any agent may run at any time: targets whose agent died with no attempts left, cancelled
-- targets whose agent died, and steps left unsettled (such as those whose targets were all skipped).
-- Returns the target rows it ended, so the agent can publish them; failures are counted in the metrics.
CREATE FUNCTION jobs_internal.sweep() RETURNS SETOF jobs_internal.target_executions
LANGUAGE plpgsql AS $$
DECLARE
  v_step record;
BEGIN
  RETURN QUERY
  WITH ended AS (
    UPDATE jobs_internal.target_executions t
       SET lifecycle = CASE WHEN e.cancel_requested THEN 'Canceled' ELSE 'Failed' END,
           end_time = now(), lease_owner = NULL, lease_until = NULL,
           last_message = CASE WHEN e.cancel_requested THEN 'Canceled.'
             ELSE 'The agent running this target stopped before it finished, and no attempts are left.' END
      FROM jobs_internal.job_executions e
     WHERE e.job_execution_id = t.job_execution_id
       AND t.lifecycle = 'InProgress' AND t.lease_until < now()
       AND (t.current_attempts >= t.max_attempts OR e.cancel_requested)
    RETURNING t.*
  ), counted AS (
    INSERT INTO jobs_internal.metric_counts AS m
      (bucket_start, metric_name, job_name, step_name, target_server, target_database, count)
    SELECT date_trunc('minute', now()), 'elastic_jobs_failed', j.job_name, x.step_name, x.server_name,
           x.database_name, count(*)
      FROM ended x JOIN jobs_internal.jobs j ON j.job_id = x.job_id
     WHERE x.lifecycle = 'Failed'
     GROUP BY j.job_name, x.step_name, x.server_name, x.database_name
    ON CONFLICT (bucket_start, metric_name, job_name, step_name, target_server, target_database)
    DO UPDATE SET count = m.count + excluded.count
  )
  SELECT x.* FROM ended x;

  FOR v_step IN
    SELECT s.job_execution_id, s.step_id
      FROM jobs_internal.step_executions s
     WHERE s.lifecycle = 'InProgress'
       AND NOT EXISTS (SELECT 1 FROM jobs_internal.target_executions t
                        WHERE t.job_execution_id = s.job_execution_id AND t.step_id = s.step_id
                          AND t.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry'))
  LOOP
    PERFORM jobs_internal.settle_step(v_step.job_execution_id, v_step.step_id);
  END LOOP;
END $$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA jobs_internal FROM PUBLIC;
