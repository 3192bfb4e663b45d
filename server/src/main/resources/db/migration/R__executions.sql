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

-- The job's row, held until the caller's transaction ends, so that the starts of one job (new runs and reruns)
-- take turns and two cannot both see no active run (SkipExecution). FOR NO KEY UPDATE, unlike lock_job's
-- FOR UPDATE (which precedes a new version), so rows that reference the job can still be written meanwhile.
CREATE OR REPLACE FUNCTION jobs_internal.lock_job_for_start(p_job_name text) RETURNS jobs_internal.jobs
LANGUAGE plpgsql AS $$
DECLARE
  v_job jobs_internal.jobs;
BEGIN
  SELECT j.* INTO v_job
    FROM jobs_internal.jobs j
   WHERE j.job_name = p_job_name
     FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', p_job_name));
  END IF;
  RETURN v_job;
END $$;

-- An execution of the named job, locked until the caller's transaction ends, or FJ404 on job_execution_id.
CREATE OR REPLACE FUNCTION jobs_internal.lock_execution(p_job_name text, p_execution_id uuid)
RETURNS jobs_internal.job_executions
LANGUAGE plpgsql AS $$
DECLARE
  v_exec jobs_internal.job_executions;
BEGIN
  SELECT e.* INTO v_exec
    FROM jobs_internal.job_executions e
    JOIN jobs_internal.jobs j USING (job_id)
   WHERE e.job_execution_id = p_execution_id AND j.job_name = p_job_name
     FOR UPDATE OF e;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_execution_id',
      format('Job %L has no execution %s.', p_job_name, p_execution_id));
  END IF;
  RETURN v_exec;
END $$;

-- Creates an execution pinned to the current version. Idempotent on p_execution_id.
-- Returns the execution id and whether this call created it.
-- p_dry_run: every script runs inside a transaction that is rolled back (see README "Rollouts"). The
-- signature without it, from before dry runs, is dropped so that calls without it are not ambiguous.
DROP FUNCTION IF EXISTS jobs_internal.start_execution(text, uuid, text, timestamptz);
CREATE OR REPLACE FUNCTION jobs_internal.start_execution(
  p_job_name text, p_execution_id uuid, p_trigger text, p_scheduled_time timestamptz,
  OUT job_execution_id uuid, OUT created boolean, p_dry_run boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
  v_job record;
  v_first_step integer;
  v_existing record;
BEGIN
  v_job := jobs_internal.lock_job_for_start(p_job_name);
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
      (job_execution_id, job_id, job_version, lifecycle, start_time, end_time, last_message, trigger_type, scheduled_time,
       dry_run)
    VALUES (p_execution_id, v_job.job_id, v_job.job_version, 'Skipped', now(), now(),
            'Skipped: another execution of this job is still active and the overlap policy is SkipExecution.',
            p_trigger, p_scheduled_time, p_dry_run)
    ON CONFLICT DO NOTHING;
    created := FOUND;
    RETURN;
  END IF;

  INSERT INTO jobs_internal.job_executions
    (job_execution_id, job_id, job_version, lifecycle, trigger_type, scheduled_time, next_step_id,
     start_time, end_time, last_message, dry_run)
  VALUES (p_execution_id, v_job.job_id, v_job.job_version,
          CASE WHEN v_first_step IS NULL THEN 'Succeeded' ELSE 'Created' END,
          p_trigger, p_scheduled_time, v_first_step,
          CASE WHEN v_first_step IS NULL THEN now() END, CASE WHEN v_first_step IS NULL THEN now() END,
          CASE WHEN v_first_step IS NULL THEN 'The job has no steps.' END, p_dry_run)
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
  v_job := jobs_internal.lock_job_for_start(p_job_name);
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

-- Starts a claimed step with what its group expanded to (see add_targets), or fails it with p_failure (the group
-- itself is gone). Fenced by the expansion claim.
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
  SELECT s.step_id, s.step_name, s.target_group_name, s.rollout INTO v_step
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
    PERFORM jobs_internal.add_targets(p_execution_id, v_step.step_id, p_targets, p_now);
    IF v_step.rollout IS NOT NULL THEN
      PERFORM jobs_internal.plan_waves(p_execution_id, v_step.step_id, v_step.rollout, p_now);
    END IF;
  END IF;
  PERFORM jobs_internal.settle_step(p_execution_id, v_step.step_id);
  RETURN true;
END $$;

-- Adds what a listing found to a running step: a JSON array of {target_type, target_id, engine, server_name,
-- server_key, database_name, parallel_group, trust_server_certificate, ssl_mode, authentication}, each a database
-- ready from p_now, and,
-- for a member that could not be listed, {..., expands_member: true, database_name: '', last_message, retry_at}:
-- a row that waits for another listing at retry_at (NULL: it cannot succeed, it is Failed now). A database the
-- step already has (by server_key) is not added twice. A rerun adds only the databases it is limited to, or
-- every database of a server whose listing had failed. Returns how many rows it added.
CREATE OR REPLACE FUNCTION jobs_internal.add_targets(
  p_execution_id uuid, p_step_id integer, p_targets jsonb, p_now timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_step record;
  v_added integer;
  v_failed uuid[];
BEGIN
  SELECT e.job_id, s.step_name, s.retry_attempts, s.max_parallelism INTO v_step
    FROM jobs_internal.job_executions e
    JOIN jobs_internal.jobstep_versions s ON s.job_id = e.job_id AND s.job_version = e.job_version
   WHERE e.job_execution_id = p_execution_id AND s.step_id = p_step_id;
  WITH added AS (
    INSERT INTO jobs_internal.target_executions
      (job_execution_id, step_id, job_id, step_name, target_type, target_id, engine, server_name, server_key,
       database_name, expands_member, lifecycle, current_attempts, next_attempt_start_time, start_time, end_time,
       last_message, max_attempts, parallel_group, max_parallelism, trust_server_certificate, canary, ssl_mode,
       authentication)
    SELECT p_execution_id, p_step_id, v_step.job_id, v_step.step_name, t.target_type, t.target_id, t.engine,
           t.server_name, t.server_key, t.database_name, m.expands_member,
           CASE WHEN NOT m.expands_member THEN 'Created'
                WHEN t.retry_at IS NOT NULL AND v_step.retry_attempts > 0 THEN 'WaitingForRetry'
                ELSE 'Failed' END,
           -- a failed listing was its member's first attempt
           CASE WHEN m.expands_member THEN 1 ELSE 0 END,
           CASE WHEN NOT m.expands_member THEN p_now
                WHEN v_step.retry_attempts > 0 THEN t.retry_at END,
           CASE WHEN m.expands_member THEN now() END,
           CASE WHEN m.expands_member AND (t.retry_at IS NULL OR v_step.retry_attempts = 0) THEN now() END,
           t.last_message, v_step.retry_attempts + 1, coalesce(t.parallel_group, t.server_name), v_step.max_parallelism,
           coalesce(t.trust_server_certificate, false),
           -- the member that brought the database in says whether it goes first in a rollout
           coalesce(t.canary, (SELECT m.canary FROM jobs_internal.target_group_members m
                                WHERE m.target_id = t.target_id), false),
           t.ssl_mode, t.authentication
      FROM jsonb_to_recordset(p_targets) AS t(target_type text, target_id uuid, engine text, server_name text,
                                              server_key text, database_name text, parallel_group text,
                                              trust_server_certificate boolean, expands_member boolean,
                                              last_message text, retry_at timestamptz, canary boolean,
                                              ssl_mode text, authentication text)
      CROSS JOIN LATERAL (SELECT coalesce(t.expands_member, false) AS expands_member) m
     WHERE NOT EXISTS (SELECT 1 FROM jobs_internal.rerun_targets r WHERE r.job_execution_id = p_execution_id)
        OR EXISTS (SELECT 1 FROM jobs_internal.rerun_targets r
                    WHERE r.job_execution_id = p_execution_id AND r.server_name = t.server_name
                      AND (m.expands_member OR r.database_name IN (t.database_name, '')))
    ON CONFLICT (job_execution_id, step_id, server_key, database_name) DO NOTHING
    RETURNING target_execution_id, lifecycle)
  SELECT count(*), array_agg(target_execution_id) FILTER (WHERE lifecycle = 'Failed') INTO v_added, v_failed
    FROM added;
  PERFORM jobs_internal.count_results(v_failed);
  -- In a rollout already under way, databases a later listing found join its last wave.
  UPDATE jobs_internal.target_executions t
     SET wave = s.wave_count,
         next_attempt_start_time = CASE WHEN s.current_wave >= s.wave_count AND s.lifecycle = 'InProgress'
                                        THEN p_now ELSE 'infinity' END
    FROM jobs_internal.step_executions s
   WHERE s.job_execution_id = p_execution_id AND s.step_id = p_step_id AND s.current_wave IS NOT NULL
     AND t.job_execution_id = p_execution_id AND t.step_id = p_step_id AND t.wave IS NULL AND NOT t.expands_member
     AND t.lifecycle = 'Created';
  -- A member that could not be listed has had its first attempt: the listing.
  INSERT INTO jobs_internal.target_attempts
    (target_execution_id, claim, attempt, start_time, end_time, outcome, message)
  SELECT t.target_execution_id, t.claim, 1, t.start_time, now(), t.lifecycle, t.last_message
    FROM jobs_internal.target_executions t
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id AND t.expands_member
     AND t.current_attempts = 1 AND t.claim = 0
  ON CONFLICT (target_execution_id, claim) DO NOTHING;
  RETURN v_added;
END $$;

-- Splits a step's databases into its rollout's waves, in a stable order (canary members' databases first, then
-- by server and database name, so the same databases go first on every run): each wave size is a cumulative
-- threshold, a count or a percentage of the step's databases rounded up; empty waves are dropped and the last
-- one always reaches every database. Wave 1 is ready now; later ones wait until released.
CREATE OR REPLACE FUNCTION jobs_internal.plan_waves(
  p_execution_id uuid, p_step_id integer, p_rollout jsonb, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_total integer;
  v_thresholds integer[] := '{}';
  v_size text;
  v_threshold integer;
  v_previous integer := 0;
BEGIN
  SELECT count(*) INTO v_total FROM jobs_internal.target_executions t
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id AND NOT t.expands_member;
  FOR v_size IN SELECT value #>> '{}' FROM jsonb_array_elements(p_rollout->'waves') LOOP
    v_threshold := least(v_total, CASE WHEN v_size LIKE '%\%' THEN ceil(v_total * rtrim(v_size, '%')::numeric / 100)
                                       ELSE v_size::numeric END::integer);
    IF v_threshold > v_previous THEN
      v_thresholds := v_thresholds || v_threshold;
      v_previous := v_threshold;
    END IF;
  END LOOP;
  IF v_previous < v_total THEN
    v_thresholds := v_thresholds || v_total;
  END IF;
  UPDATE jobs_internal.target_executions t
     SET wave = w.wave,
         next_attempt_start_time = CASE WHEN w.wave = 1 THEN p_now ELSE 'infinity' END
    FROM (SELECT r.target_execution_id,
                 (SELECT min(i) FROM generate_subscripts(v_thresholds, 1) i WHERE r.rank <= v_thresholds[i]) AS wave
            FROM (SELECT x.target_execution_id,
                         row_number() OVER (ORDER BY x.canary DESC, x.server_name, x.database_name) AS rank
                    FROM jobs_internal.target_executions x
                   WHERE x.job_execution_id = p_execution_id AND x.step_id = p_step_id AND NOT x.expands_member) r) w
   WHERE t.target_execution_id = w.target_execution_id;
  UPDATE jobs_internal.step_executions
     SET rollout = p_rollout, current_wave = 1, wave_count = greatest(cardinality(v_thresholds), 1)
   WHERE job_execution_id = p_execution_id AND step_id = p_step_id;
END $$;

-- What a step's rollout looks like now, for the API and the dashboard: its definition (with any raised budget),
-- the wave released last, the failures against the budget, and each wave: Running or Waiting (not yet
-- released) while any of its targets is active, else Done, or Canceled when none of them ran; with its targets
-- per outcome. NULL for a step without rollout.
CREATE OR REPLACE FUNCTION jobs_internal.rollout_state(p_execution_id uuid, p_step_id integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
           'definition', s.rollout,
           'currentWave', s.current_wave,
           'waveCount', s.wave_count,
           'failedTargets', (SELECT count(*) FROM jobs_internal.target_executions t
                              WHERE t.job_execution_id = s.job_execution_id AND t.step_id = s.step_id
                                AND t.lifecycle IN ('Failed', 'TimedOut')),
           'waves', (SELECT coalesce(jsonb_agg(w ORDER BY (w->>'wave')::integer), '[]')
                       FROM (SELECT jsonb_build_object(
                                      'wave', t.wave,
                                      'state', CASE WHEN bool_or(l.is_active) AND t.wave > s.current_wave THEN 'Waiting'
                                                    WHEN bool_or(l.is_active) THEN 'Running'
                                                    WHEN bool_and(t.lifecycle IN ('Canceled', 'Skipped')) THEN 'Canceled'
                                                    ELSE 'Done' END,
                                      'targets', count(*),
                                      'succeeded', count(*) FILTER (WHERE t.lifecycle IN ('Succeeded', 'SucceededWithSkipped')),
                                      'failed', count(*) FILTER (WHERE t.lifecycle IN ('Failed', 'TimedOut')),
                                      'running', count(*) FILTER (WHERE t.lifecycle = 'InProgress'),
                                      'waiting', count(*) FILTER (WHERE t.lifecycle IN ('Created', 'WaitingForRetry')),
                                      'canceled', count(*) FILTER (WHERE t.lifecycle IN ('Canceled', 'Skipped'))) AS w
                               FROM jobs_internal.target_executions t
                               JOIN jobs_internal.lifecycles l USING (lifecycle)
                              WHERE t.job_execution_id = s.job_execution_id AND t.step_id = s.step_id
                                AND t.wave IS NOT NULL
                              GROUP BY t.wave) waves))
    FROM jobs_internal.step_executions s
   WHERE s.job_execution_id = p_execution_id AND s.step_id = p_step_id AND s.rollout IS NOT NULL
$$;

-- After a target of a rollout ends: pauses the step when its error budget is spent (failed and timed-out
-- targets over the step so far; a percentage is of the targets of the waves released so far, so that it does
-- not depend on which targets happened to finish first, and a failing canary spends it at once), and when the wave running is done, releases the next one (after betweenWaves),
-- or pauses at a Manual gate. The step's row lock makes every decision once, whichever agent records last.
CREATE OR REPLACE FUNCTION jobs_internal.advance_rollout(p_execution_id uuid, p_step_id integer, p_now timestamptz)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_step record;
  v_failed integer;
  v_finished integer;
  v_released integer;
  v_waiting boolean;
  v_gate text;
BEGIN
  SELECT s.lifecycle, s.rollout, s.current_wave, s.wave_count INTO v_step
    FROM jobs_internal.step_executions s
   WHERE s.job_execution_id = p_execution_id AND s.step_id = p_step_id
     FOR UPDATE;
  IF NOT FOUND OR v_step.current_wave IS NULL OR v_step.lifecycle <> 'InProgress' THEN
    RETURN;
  END IF;
  SELECT count(*) FILTER (WHERE t.lifecycle IN ('Failed', 'TimedOut')),
         count(*) FILTER (WHERE NOT l.is_active),
         count(*) FILTER (WHERE t.wave <= v_step.current_wave),
         bool_or(t.lifecycle IN ('Created', 'WaitingForRetry'))
    INTO v_failed, v_finished, v_released, v_waiting
    FROM jobs_internal.target_executions t
    JOIN jobs_internal.lifecycles l USING (lifecycle)
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id;
  IF v_waiting AND (v_failed > (v_step.rollout#>>'{errorBudget,maxFailedTargets}')::integer
      OR (v_released > 0 AND v_failed * 100.0 / v_released > (v_step.rollout#>>'{errorBudget,maxFailedPercent}')::numeric))
  THEN
    PERFORM jobs_internal.pause_step(p_execution_id, p_step_id, format(
      'The error budget is spent: %s of the %s targets released so far (%s finished) failed or timed out (budget: %s).',
      v_failed, v_released, v_finished, coalesce(v_step.rollout#>>'{errorBudget}', 'none')));
    RETURN;
  END IF;
  IF v_step.current_wave >= v_step.wave_count OR EXISTS (
       SELECT 1 FROM jobs_internal.target_executions t
        WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id AND t.wave <= v_step.current_wave
          AND t.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry')) THEN
    RETURN;                             -- the last wave, or the wave is still running
  END IF;
  v_gate := coalesce(v_step.rollout->>'betweenWaves', 'PT0S');
  IF v_gate = 'Manual' THEN
    PERFORM jobs_internal.pause_step(p_execution_id, p_step_id, format(
      'Wave %s of %s is done; the next waits to be resumed (betweenWaves: Manual).', v_step.current_wave,
      v_step.wave_count));
    RETURN;
  END IF;
  PERFORM jobs_internal.release_wave(p_execution_id, p_step_id, p_now + v_gate::interval);
END $$;

-- Releases the step's next wave: its targets become ready at p_ready.
CREATE OR REPLACE FUNCTION jobs_internal.release_wave(p_execution_id uuid, p_step_id integer, p_ready timestamptz)
RETURNS void
LANGUAGE sql AS $$
  WITH released AS (
    UPDATE jobs_internal.step_executions
       SET current_wave = current_wave + 1
     WHERE job_execution_id = p_execution_id AND step_id = p_step_id
    RETURNING current_wave)
  UPDATE jobs_internal.target_executions t
     SET next_attempt_start_time = p_ready
    FROM released
   WHERE t.job_execution_id = p_execution_id AND t.step_id = p_step_id AND t.wave = released.current_wave
     AND t.lifecycle = 'Created'
$$;

-- Pauses a running step and its execution: nothing not yet started starts (those targets wait with
-- next_attempt_start_time 'infinity', holding no slot); what runs finishes and is recorded.
CREATE OR REPLACE FUNCTION jobs_internal.pause_step(p_execution_id uuid, p_step_id integer, p_reason text)
RETURNS void
LANGUAGE sql AS $$
  UPDATE jobs_internal.step_executions
     SET lifecycle = 'Paused', paused_reason = p_reason, last_message = 'Paused: ' || p_reason
   WHERE job_execution_id = p_execution_id AND step_id = p_step_id AND lifecycle = 'InProgress';
  UPDATE jobs_internal.target_executions
     SET next_attempt_start_time = 'infinity'
   WHERE job_execution_id = p_execution_id AND step_id = p_step_id AND lifecycle IN ('Created', 'WaitingForRetry');
  UPDATE jobs_internal.job_executions
     SET lifecycle = 'Paused', last_message = format('Paused at step %s: %s', p_step_id, p_reason)
   WHERE job_execution_id = p_execution_id AND lifecycle IN ('Created', 'InProgress');
$$;

-- Pauses every active execution of the named jobs (NULL: of every job), at the step it runs, or before the next
-- step starts: an alert rule's pause action, or an operator's. Returns the executions it paused.
CREATE OR REPLACE FUNCTION jobs_internal.pause_executions(p_job_names text[], p_reason text)
RETURNS SETOF uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_exec record;
BEGIN
  FOR v_exec IN
    SELECT e.job_execution_id, s.step_id
      FROM jobs_internal.job_executions e
      JOIN jobs_internal.jobs j USING (job_id)
      LEFT JOIN jobs_internal.step_executions s
        ON s.job_execution_id = e.job_execution_id AND s.lifecycle = 'InProgress'
     WHERE e.lifecycle IN ('Created', 'InProgress') AND NOT e.cancel_requested
       AND (p_job_names IS NULL OR j.job_name = ANY (p_job_names))
       FOR UPDATE OF e
  LOOP
    IF v_exec.step_id IS NOT NULL THEN
      PERFORM jobs_internal.pause_step(v_exec.job_execution_id, v_exec.step_id, p_reason);
    ELSE
      UPDATE jobs_internal.job_executions
         SET lifecycle = 'Paused', last_message = 'Paused before its next step: ' || p_reason
       WHERE job_execution_id = v_exec.job_execution_id;
    END IF;
    RETURN NEXT v_exec.job_execution_id;
  END LOOP;
END $$;

-- Resumes a paused execution, optionally with a raised error budget (recorded in its message): the paused step
-- goes on with what it had left, and when its wave was done, with the next wave at once. Returns false when
-- the execution was not paused.
CREATE OR REPLACE FUNCTION jobs_internal.resume_execution(
  p_job_name text, p_execution_id uuid, p_error_budget jsonb, p_resumed_by text, p_now timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_exec record;
  v_step record;
BEGIN
  v_exec := jobs_internal.lock_execution(p_job_name, p_execution_id);
  IF v_exec.lifecycle <> 'Paused' THEN
    RETURN false;
  END IF;
  IF p_error_budget IS NOT NULL THEN
    PERFORM jobs_internal.check_rollout(jsonb_build_object('waves', jsonb_build_array(1),
                                                           'errorBudget', p_error_budget));
  END IF;
  UPDATE jobs_internal.job_executions
     SET lifecycle = 'InProgress',
         last_message = format('Resumed by %s%s.', p_resumed_by, CASE WHEN p_error_budget IS NULL THEN ''
                               ELSE ' with the error budget raised to ' || p_error_budget::text END)
   WHERE job_execution_id = p_execution_id;
  FOR v_step IN
    UPDATE jobs_internal.step_executions s
       SET lifecycle = 'InProgress', paused_reason = NULL,
           -- Each resume stays on the step's record (who, when, what budget), after the execution's message
           -- has moved on; the step's message is cleared, so its outcome is summed up when it settles.
           rollout = CASE WHEN s.rollout IS NULL THEN NULL
                          ELSE jsonb_set(CASE WHEN p_error_budget IS NULL THEN s.rollout
                                              ELSE jsonb_set(s.rollout, '{errorBudget}',
                                                             coalesce(s.rollout->'errorBudget', '{}') || p_error_budget)
                                         END,
                                         '{resumes}', coalesce(s.rollout->'resumes', '[]') || jsonb_build_array(
                                           jsonb_strip_nulls(jsonb_build_object('by', p_resumed_by, 'at', p_now,
                                                                                'errorBudget', p_error_budget)))) END,
           last_message = NULL
     WHERE s.job_execution_id = p_execution_id AND s.lifecycle = 'Paused'
    RETURNING s.step_id, s.current_wave, s.wave_count
  LOOP
    -- What was held back in the waves already released runs now.
    UPDATE jobs_internal.target_executions t
       SET next_attempt_start_time = p_now
     WHERE t.job_execution_id = p_execution_id AND t.step_id = v_step.step_id
       AND t.lifecycle IN ('Created', 'WaitingForRetry')
       AND (t.wave IS NULL OR t.wave <= v_step.current_wave);
    -- A wave that was done opens the next one, without waiting for betweenWaves: the operator decided.
    IF v_step.current_wave IS NOT NULL AND v_step.current_wave < v_step.wave_count AND NOT EXISTS (
         SELECT 1 FROM jobs_internal.target_executions t
          WHERE t.job_execution_id = p_execution_id AND t.step_id = v_step.step_id AND t.wave <= v_step.current_wave
            AND t.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry')) THEN
      PERFORM jobs_internal.release_wave(p_execution_id, v_step.step_id, p_now);
    END IF;
    PERFORM jobs_internal.settle_step(p_execution_id, v_step.step_id);
  END LOOP;
  RETURN true;
END $$;

-- Aborts a paused execution: what was held back ends Canceled, as a cancel ends it ("Canceled before it ran"),
-- and the execution ends Canceled. A running execution is cancelled, not aborted.
CREATE OR REPLACE FUNCTION jobs_internal.abort_execution(p_job_name text, p_execution_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_lifecycle text;
BEGIN
  v_lifecycle := (jobs_internal.lock_execution(p_job_name, p_execution_id)).lifecycle;
  IF v_lifecycle <> 'Paused' THEN
    PERFORM jobs_internal.fail('FJ409', 'job_execution_id',
      format('The execution is %s, not Paused: abort ends a paused rollout; cancel a running one.', v_lifecycle));
  END IF;
  PERFORM jobs_internal.cancel_execution(p_job_name, p_execution_id);
  UPDATE jobs_internal.job_executions
     SET last_message = 'Job execution was aborted while paused; what had not run was canceled.'
   WHERE job_execution_id = p_execution_id AND lifecycle = 'Canceled';
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
   WHERE s.job_execution_id = p_execution_id AND s.step_id = p_step_id
     AND s.lifecycle IN ('InProgress', 'Failed', 'Paused');
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
  v_exec := jobs_internal.lock_execution(p_job_name, p_execution_id);
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

-- Purges a job's history, as DELETE /jobs/{name}/executions?oldestDate= and sp_purge_jobhistory do: the finished
-- executions (with their steps and targets) that ended before p_oldest, or all of them when it is NULL. An active
-- execution is never purged from under its run. The job is named by p_job_name or by p_job_id, not both. A job
-- deleted within the retention has nothing left to purge (its history went with it); a job never seen is
-- unknown. Returns how many executions went.
CREATE OR REPLACE FUNCTION jobs_internal.purge_job_history(p_job_name text, p_job_id uuid, p_oldest timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_job_id uuid;
  v_purged integer;
BEGIN
  IF p_job_name IS NULL AND p_job_id IS NULL THEN
    PERFORM jobs_internal.fail('FJ400', 'job_name', 'job_name or job_id is required.');
  ELSIF p_job_name IS NOT NULL AND p_job_id IS NOT NULL THEN
    PERFORM jobs_internal.fail('FJ400', 'job_id', 'job_id cannot be given with job_name: name the job by one of them.');
  END IF;
  SELECT j.job_id INTO v_job_id
    FROM jobs_internal.jobs j
   WHERE j.job_name = p_job_name OR j.job_id = p_job_id;
  IF NOT FOUND THEN
    IF EXISTS (SELECT 1 FROM jobs_internal.deleted_jobs d WHERE d.job_name = p_job_name OR d.job_id = p_job_id) THEN
      RETURN 0;
    END IF;
    PERFORM jobs_internal.fail('FJ404', CASE WHEN p_job_name IS NULL THEN 'job_id' ELSE 'job_name' END,
      format('Job %s does not exist.', coalesce(quote_literal(p_job_name), p_job_id::text)));
  END IF;
  DELETE FROM jobs_internal.job_executions e
   WHERE e.job_id = v_job_id
     AND e.lifecycle IN (SELECT l.lifecycle FROM jobs_internal.lifecycles l WHERE NOT l.is_active)
     AND (p_oldest IS NULL OR e.end_time < p_oldest);
  GET DIAGNOSTICS v_purged = ROW_COUNT;
  RETURN v_purged;
END $$;
