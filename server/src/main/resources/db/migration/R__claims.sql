-- The engine's claims: expanding a step, claiming target work within the tier's capacity, recording an
-- attempt's result, handing an attempt back, and the sweep. Every write of a claimed row is fenced by its
-- claim number: an agent that lost its lease cannot overwrite a newer result.
--
-- One clock per decision:
--   * leases (who holds a row, and whether that hold expired) use the job database's now(): it is the one
--     clock every agent sharing the database reads, so agents with skewed clocks still agree on expiry;
--   * readiness (whether a target's next_attempt_start_time has come) uses p_now, the agent's injected clock:
--     the same clock that set that time (start_step, release_target, and the retry policy behind p_retry_at),
--     so tests move time instead of sleeping.
-- Times that are only recorded (start, attempt start, end, the metric minute) are the job database's now().

-- How many times a target may lose its agent (its lease expires) before it ends Failed; until then it runs again
-- each time without spending an attempt. A script that kills the agents running it must not loop forever.
CREATE OR REPLACE FUNCTION jobs_internal.max_lease_losses() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT 3
$$;

-- Counts final results in the per-minute Elastic Jobs metrics, one home for every routine that ends targets.
CREATE OR REPLACE FUNCTION jobs_internal.count_results(p_target_execution_ids uuid[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO jobs_internal.metric_counts AS m
    (bucket_start, metric_name, job_name, step_name, target_server, target_database, count)
  SELECT date_trunc('minute', now()), l.metric_name, j.job_name, t.step_name, t.server_name, t.database_name, count(*)
    FROM jobs_internal.target_executions t
    JOIN jobs_internal.jobs j ON j.job_id = t.job_id
    JOIN jobs_internal.lifecycles l ON l.lifecycle = t.lifecycle
    JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
   -- A dry run counts in no metric meant for real runs.
   WHERE t.target_execution_id = ANY (p_target_execution_ids) AND l.metric_name IS NOT NULL AND NOT e.dry_run
   GROUP BY l.metric_name, j.job_name, t.step_name, t.server_name, t.database_name
  ON CONFLICT (bucket_start, metric_name, job_name, step_name, target_server, target_database)
  DO UPDATE SET count = m.count + excluded.count
$$;

-- Keeps one attempt of a target (see V005's target_attempts), from the row as the attempt ran; once per claim.
CREATE OR REPLACE FUNCTION jobs_internal.record_attempt(
  p_ran jobs_internal.target_executions, p_outcome text, p_error_code text, p_message text) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO jobs_internal.target_attempts
    (target_execution_id, claim, attempt, agent, start_time, end_time, outcome, error_code, message)
  VALUES (p_ran.target_execution_id, p_ran.claim, p_ran.current_attempts, p_ran.lease_owner,
          p_ran.current_attempt_start_time, now(), p_outcome, p_error_code, p_message)
  ON CONFLICT (target_execution_id, claim) DO NOTHING
$$;

-- Claims executions whose next step needs its target group expanded.
CREATE OR REPLACE FUNCTION jobs_internal.claim_expansions(p_owner text, p_max integer, p_lease_seconds integer)
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
              AND c.lifecycle <> 'Paused'
              AND (c.expansion_until IS NULL OR c.expansion_until < now())
            ORDER BY c.create_time
            LIMIT p_max                                               -- at most this many per call
              FOR UPDATE SKIP LOCKED)
  RETURNING e.job_execution_id, e.job_id, j.job_name, e.job_version, e.next_step_id, e.expansion_claim, e.create_time;
END $$;

-- The overlap rule lives in claim_targets, read once per candidate in the claiming statement.
DROP FUNCTION IF EXISTS jobs_internal.kept_off(uuid);

-- Claims ready target work up to p_capacity running at once across every agent sharing this database (the
-- tier's cap, which the agent's Capacity hands in), at most p_share running on this agent (its fair share, from
-- its heartbeat), and at most p_max in this call. The running counts are read under the dispatch semaphore, so
-- concurrent claims from several agents cannot exceed the cap together.
-- It returns what an executor needs, joined inside the function: the rows it claims may belong to a step
-- started a moment ago, which a join outside the function would not yet see, and that claim would be lost.
DROP FUNCTION IF EXISTS jobs_internal.claim_targets(text, integer, integer, integer, integer, timestamptz);
CREATE OR REPLACE FUNCTION jobs_internal.claim_targets(
  p_owner text, p_capacity integer, p_share integer, p_max integer, p_lease_seconds integer, p_now timestamptz)
RETURNS TABLE (target_execution_id uuid, claim integer, current_attempts integer, job_execution_id uuid,
               job_id uuid, step_id integer, step_name text, engine text, server_name text, database_name text,
               execution_create_time timestamptz, job_version integer, job_name text, target_group_name text,
               trust_server_certificate boolean, ssl_mode text, authentication text, dry_run boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_free integer;
BEGIN
  PERFORM 1 FROM jobs_internal.dispatch_semaphore WHERE semaphore_id = 1 FOR UPDATE;
  -- Member rows (a listing retried) take no slot from the databases.
  SELECT least(p_capacity - count(*), p_share - count(*) FILTER (WHERE lease_owner = p_owner)) INTO v_free
    FROM jobs_internal.target_executions
   WHERE lifecycle = 'InProgress' AND lease_until >= now() AND NOT expands_member;
  v_free := least(v_free, p_max);
  IF v_free <= 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
  -- The candidates in the claim's order (the time each became ready, then the id), from two branches that each read
  -- only their first rows from an index in that order: the queue (V014's target_executions_queue) and the rows
  -- whose agent died (target_executions_running). One query over both had to sort every ready target per claim.
  -- A branch's row the merge leaves out stays locked until this claim commits, as claims run one at a time.
  WITH queued AS (
    SELECT t.target_execution_id, t.job_execution_id, t.step_id, t.parallel_group, t.max_parallelism,
           t.next_attempt_start_time AS ready_time, t.lifecycle, t.job_id, t.step_name, t.server_name,
           t.database_name
      FROM jobs_internal.target_executions t
     WHERE t.lifecycle IN ('Created', 'WaitingForRetry') AND NOT t.expands_member
       AND t.next_attempt_start_time <= p_now
       -- A group already at its maxParallelism takes no candidate slot, so it cannot starve other work.
       AND (t.max_parallelism IS NULL
            OR (SELECT count(*) FROM jobs_internal.target_executions r
                 WHERE r.job_execution_id = t.job_execution_id AND r.step_id = t.step_id
                   AND r.parallel_group = t.parallel_group AND r.lifecycle = 'InProgress'
                   AND r.lease_until >= now()) < t.max_parallelism)
     ORDER BY t.next_attempt_start_time, t.target_execution_id
     LIMIT v_free * 4                                                 -- headroom for maxParallelism
       FOR UPDATE SKIP LOCKED
  ), abandoned AS (
    -- its agent died: run it again, as the same attempt, unless that happened too often or the run was cancelled
    -- (the sweep ends those)
    SELECT t.target_execution_id, t.job_execution_id, t.step_id, t.parallel_group, t.max_parallelism,
           coalesce(t.next_attempt_start_time, t.lease_until) AS ready_time, t.lifecycle, t.job_id, t.step_name,
           t.server_name, t.database_name
      FROM jobs_internal.target_executions t
     WHERE t.lifecycle = 'InProgress' AND t.lease_until < now() AND NOT t.expands_member
       AND t.lease_losses + 1 < jobs_internal.max_lease_losses()
       AND NOT EXISTS (SELECT 1 FROM jobs_internal.job_executions e
                        WHERE e.job_execution_id = t.job_execution_id AND e.cancel_requested)
       AND (t.max_parallelism IS NULL
            OR (SELECT count(*) FROM jobs_internal.target_executions r
                 WHERE r.job_execution_id = t.job_execution_id AND r.step_id = t.step_id
                   AND r.parallel_group = t.parallel_group AND r.lifecycle = 'InProgress'
                   AND r.lease_until >= now()) < t.max_parallelism)
     ORDER BY 6, 1
     LIMIT v_free * 4
       FOR UPDATE SKIP LOCKED
  ), candidates AS (
    SELECT * FROM queued
    UNION ALL
    SELECT * FROM abandoned
     ORDER BY 6, 1
     LIMIT v_free * 4
  ), kept_off AS (
    -- Overlap: a queued target another execution keeps off its database, where the same step of the same job runs
    -- now, or is still queued or waiting to retry in an earlier execution. Running wins whatever the order: a
    -- later run's member listing may finish first, and its target must not run beside the one it started.
    -- Earlier is by the executions' own start, ties broken by id: two steps started in one transaction give their
    -- target rows the same create_time. Decided here, in the statement that claims, under the dispatch lock: a
    -- step started after an earlier statement's snapshot is seen too. The sweep settles the steps this finishes.
    SELECT c.target_execution_id
      FROM candidates c
      JOIN jobs_internal.job_executions te ON te.job_execution_id = c.job_execution_id
     WHERE c.lifecycle = 'Created'
       AND EXISTS (SELECT 1 FROM jobs_internal.target_executions o
                     JOIN jobs_internal.job_executions oe ON oe.job_execution_id = o.job_execution_id
                    WHERE o.job_id = c.job_id AND o.step_name = c.step_name AND o.server_name = c.server_name
                      AND o.database_name = c.database_name AND o.job_execution_id <> c.job_execution_id
                      -- implied by the rule below; it lets V014's target_executions_active_target find them in one probe
                      AND o.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry')
                      AND (o.lifecycle = 'InProgress'
                           OR (o.lifecycle IN ('Created', 'WaitingForRetry')
                               AND (oe.create_time, oe.job_execution_id) < (te.create_time, te.job_execution_id))))
  ), skipped AS (
    UPDATE jobs_internal.target_executions t
       SET lifecycle = 'Skipped', end_time = now(), next_attempt_start_time = NULL,
           last_message = 'Skipped: an earlier execution of this step was still running on this target.'
      FROM kept_off k
     WHERE t.target_execution_id = k.target_execution_id
  ), ranked AS (
    SELECT c.target_execution_id, c.ready_time, c.max_parallelism,
           row_number() OVER (PARTITION BY c.job_execution_id, c.step_id, c.parallel_group ORDER BY c.ready_time) AS rn,
           -- Counted only where a maxParallelism reads it, not once per candidate of every claim.
           CASE WHEN c.max_parallelism IS NOT NULL THEN
             (SELECT count(*) FROM jobs_internal.target_executions r
               WHERE r.job_execution_id = c.job_execution_id AND r.step_id = c.step_id
                 AND r.parallel_group = c.parallel_group AND r.lifecycle = 'InProgress'
                 AND r.lease_until >= now()) END AS running
      FROM candidates c
     WHERE c.target_execution_id NOT IN (SELECT k.target_execution_id FROM kept_off k)
  ), chosen AS (
    SELECT r.target_execution_id
      FROM ranked r
     WHERE r.max_parallelism IS NULL OR r.rn + r.running <= r.max_parallelism
     ORDER BY r.ready_time
     LIMIT v_free
  ), lost AS (
    -- The attempts whose agent died: kept in the history before their rows are claimed again.
    INSERT INTO jobs_internal.target_attempts
      (target_execution_id, claim, attempt, agent, start_time, end_time, outcome, message)
    SELECT o.target_execution_id, o.claim, o.current_attempts, o.lease_owner, o.current_attempt_start_time, now(),
           'LeaseLost', 'The agent running this attempt stopped renewing its lease; the target runs again.'
      FROM jobs_internal.target_executions o
      JOIN chosen USING (target_execution_id)
     WHERE o.lifecycle = 'InProgress'
    ON CONFLICT (target_execution_id, claim) DO NOTHING
  )
  UPDATE jobs_internal.target_executions t
     SET lifecycle = 'InProgress',
         lease_owner = p_owner,                                        -- this agent
         lease_until = now() + make_interval(secs => p_lease_seconds),  -- renewed while it runs
         claim = t.claim + 1,                                          -- the fencing number of this attempt
         -- A lease lost with its agent spends no attempt: the same attempt runs again, and counts the loss.
         current_attempts = t.current_attempts + CASE WHEN t.lifecycle = 'InProgress' THEN 0 ELSE 1 END,
         lease_losses = t.lease_losses + CASE WHEN t.lifecycle = 'InProgress' THEN 1 ELSE 0 END,
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
            s.target_group_name, t.trust_server_certificate, t.ssl_mode, t.authentication, e.dry_run;
END $$;

-- Claims member rows due for another listing: members a step could not list, waiting for their retry time,
-- and those whose agent died while listing them. They take no slot from the tier's capacity.
CREATE OR REPLACE FUNCTION jobs_internal.claim_members(
  p_owner text, p_max integer, p_lease_seconds integer, p_now timestamptz)
RETURNS TABLE (target_execution_id uuid, claim integer, current_attempts integer, job_execution_id uuid,
               job_id uuid, job_version integer, job_name text, step_id integer, target_id uuid,
               server_name text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  UPDATE jobs_internal.target_executions t
     SET lifecycle = 'InProgress',
         lease_owner = p_owner,                                        -- this agent
         lease_until = now() + make_interval(secs => p_lease_seconds),  -- renewed by nobody: a listing is short
         claim = t.claim + 1,                                          -- fences the listing's result
         current_attempts = t.current_attempts + CASE WHEN t.lifecycle = 'InProgress' THEN 0 ELSE 1 END,
         lease_losses = t.lease_losses + CASE WHEN t.lifecycle = 'InProgress' THEN 1 ELSE 0 END,
         current_attempt_start_time = p_now,
         next_attempt_start_time = NULL
    FROM jobs_internal.job_executions e, jobs_internal.jobs j
   WHERE e.job_execution_id = t.job_execution_id AND j.job_id = t.job_id
     AND t.target_execution_id IN (
           SELECT c.target_execution_id
             FROM jobs_internal.target_executions c
            WHERE c.expands_member
              AND ((c.lifecycle = 'WaitingForRetry' AND c.next_attempt_start_time <= p_now)
                   OR (c.lifecycle = 'InProgress' AND c.lease_until < now()
                       AND c.lease_losses + 1 < jobs_internal.max_lease_losses()))
              AND NOT EXISTS (SELECT 1 FROM jobs_internal.job_executions x
                               WHERE x.job_execution_id = c.job_execution_id AND x.cancel_requested)
            ORDER BY c.next_attempt_start_time
            LIMIT p_max
              FOR UPDATE SKIP LOCKED)
  RETURNING t.target_execution_id, t.claim, t.current_attempts, t.job_execution_id, t.job_id, e.job_version,
            j.job_name, t.step_id, t.target_id, t.server_name;
END $$;

-- Records a member's successful listing, fenced by its claim: the databases it found join the step (see
-- add_targets), and the member's row ends Succeeded. Returns false when the claim was stale.
CREATE OR REPLACE FUNCTION jobs_internal.finish_member(
  p_target_execution_id uuid, p_claim integer, p_targets jsonb, p_now timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  t jobs_internal.target_executions;
  v_added integer;
BEGIN
  SELECT * INTO t FROM jobs_internal.target_executions
   WHERE target_execution_id = p_target_execution_id AND claim = p_claim AND lifecycle = 'InProgress'
     AND expands_member
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  v_added := jobs_internal.add_targets(t.job_execution_id, t.step_id, p_targets, p_now);
  PERFORM jobs_internal.record_attempt(t, 'Succeeded', NULL,
    format('Listed %s databases.', jsonb_array_length(p_targets)));
  UPDATE jobs_internal.target_executions
     SET lifecycle = 'Succeeded', end_time = now(), lease_owner = NULL, lease_until = NULL,
         last_message = format('Listed server ''%s'' on attempt %s: %s databases, %s of them new to this step, '
                               'which run now.', t.server_name, t.current_attempts, jsonb_array_length(p_targets),
                               v_added)
   WHERE target_execution_id = t.target_execution_id;
  PERFORM jobs_internal.settle_step(t.job_execution_id, t.step_id);
  RETURN true;
END $$;

-- Records the results of attempts, one row of each array per attempt, each fenced by its claim: a stale claim
-- changes nothing and returns no row. A failure or timeout the agent found retryable (its retry time, from the
-- step's retry policy; NULL: not retryable) waits until then while attempts are left; a cancelled run retries
-- nothing, and its failures end Canceled. A final result is counted in the per-minute metrics and may advance a
-- rollout and settle its step. A dry run's attempt also records what it saw (its dry-run result). Returns the
-- rows as they now are. An agent records the results it has ready in one call: the work done once per call
-- (the metrics, each step's rollout and settling) is what a call per result repeated.
CREATE OR REPLACE FUNCTION jobs_internal.finish_targets(
  p_target_execution_ids uuid[], p_claims integer[], p_outcomes text[], p_messages text[],
  p_retry_ats timestamptz[], p_error_codes text[], p_dry_run_results jsonb[], p_now timestamptz)
RETURNS SETOF jobs_internal.target_executions
LANGUAGE plpgsql AS $$
DECLARE
  v_rows jobs_internal.target_executions[];
  v_step record;
BEGIN
  WITH given AS (
    SELECT g.target_execution_id, g.claim, g.outcome, g.message, g.retry_at, g.error_code, g.dry_run_result
      FROM unnest(p_target_execution_ids, p_claims, p_outcomes, p_messages, p_retry_ats, p_error_codes,
                  p_dry_run_results)
           AS g(target_execution_id, claim, outcome, message, retry_at, error_code, dry_run_result)
  ), held AS (
    -- The attempts as they ran (their agent, their start), locked in one order: two calls never deadlock.
    SELECT t.target_execution_id, t.claim, t.current_attempts, t.max_attempts, t.lease_owner,
           t.current_attempt_start_time, g.message, g.retry_at, g.error_code, g.dry_run_result,
           -- A cancelled run retries nothing; what really succeeded or timed out stays recorded as such.
           CASE WHEN g.outcome = 'Failed' AND e.cancel_requested THEN 'Canceled' ELSE g.outcome END AS outcome
      FROM jobs_internal.target_executions t
      JOIN given g ON g.target_execution_id = t.target_execution_id AND g.claim = t.claim
      JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
     WHERE t.lifecycle = 'InProgress'
     ORDER BY t.target_execution_id
       FOR UPDATE OF t
  ), decided AS (
    SELECT h.*,
           h.outcome IN ('Failed', 'TimedOut') AND h.retry_at IS NOT NULL AND h.current_attempts < h.max_attempts
             AS retrying
      FROM held h
  ), attempts AS (
    INSERT INTO jobs_internal.target_attempts
      (target_execution_id, claim, attempt, agent, start_time, end_time, outcome, error_code, message)
    SELECT d.target_execution_id, d.claim, d.current_attempts, d.lease_owner, d.current_attempt_start_time, now(),
           CASE WHEN d.retrying THEN 'WaitingForRetry' ELSE d.outcome END, d.error_code, d.message
      FROM decided d
    ON CONFLICT (target_execution_id, claim) DO NOTHING
  ), updated AS (
    UPDATE jobs_internal.target_executions t
       SET lifecycle = CASE WHEN d.retrying THEN 'WaitingForRetry' ELSE d.outcome END,
           next_attempt_start_time = CASE WHEN d.retrying THEN d.retry_at ELSE t.next_attempt_start_time END,
           end_time = CASE WHEN d.retrying THEN t.end_time ELSE now() END,
           last_message = d.message, last_error_code = d.error_code, lease_owner = NULL, lease_until = NULL,
           dry_run_result = d.dry_run_result
      FROM decided d
     WHERE t.target_execution_id = d.target_execution_id
    RETURNING t AS finished)
  SELECT array_agg(u.finished ORDER BY (u.finished).target_execution_id) INTO v_rows FROM updated u;
  IF v_rows IS NULL THEN
    RETURN;
  END IF;

  -- Statements of their own, so they see the rows as the update left them.
  PERFORM jobs_internal.count_results(ARRAY(
    SELECT r.target_execution_id FROM unnest(v_rows) r WHERE r.lifecycle <> 'WaitingForRetry'));
  FOR v_step IN
    SELECT r.job_execution_id, r.step_id, bool_or(r.wave IS NOT NULL) AS waves
      FROM unnest(v_rows) r
     WHERE r.lifecycle <> 'WaitingForRetry'
     GROUP BY r.job_execution_id, r.step_id
     ORDER BY r.job_execution_id, r.step_id
  LOOP
    IF v_step.waves THEN
      PERFORM jobs_internal.advance_rollout(v_step.job_execution_id, v_step.step_id, p_now);
    END IF;
    PERFORM jobs_internal.settle_step(v_step.job_execution_id, v_step.step_id);
  END LOOP;
  RETURN QUERY SELECT r.* FROM unnest(v_rows) r;
END $$;

-- One attempt's result: finish_targets with one row.
DROP FUNCTION IF EXISTS jobs_internal.finish_target(uuid, integer, text, text, timestamptz, text, timestamptz);
CREATE OR REPLACE FUNCTION jobs_internal.finish_target(
  p_target_execution_id uuid, p_claim integer, p_outcome text, p_message text, p_retry_at timestamptz,
  p_error_code text, p_now timestamptz, p_dry_run_result jsonb DEFAULT NULL)
RETURNS SETOF jobs_internal.target_executions
LANGUAGE sql AS $$
  SELECT r.* FROM jobs_internal.finish_targets(ARRAY[p_target_execution_id], ARRAY[p_claim], ARRAY[p_outcome],
    ARRAY[p_message], ARRAY[p_retry_at], ARRAY[p_error_code], ARRAY[p_dry_run_result], p_now) r
$$;

-- Hands a claimed attempt back unspent, for an agent that is stopping: the target waits for the next
-- claim as it was, without using up an attempt. Fenced by the claim.
CREATE OR REPLACE FUNCTION jobs_internal.release_target(p_target_execution_id uuid, p_claim integer, p_now timestamptz)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs_internal.target_executions
     SET lifecycle = CASE WHEN current_attempts > 1 THEN 'WaitingForRetry' ELSE 'Created' END,
         current_attempts = current_attempts - 1, next_attempt_start_time = p_now,
         lease_owner = NULL, lease_until = NULL
   WHERE target_execution_id = p_target_execution_id AND claim = p_claim AND lifecycle = 'InProgress';
  RETURN FOUND;
END $$;

-- Housekeeping any agent may run at any time: targets whose agent died once too often, cancelled targets
-- whose agent died, and steps left unsettled (such as those whose targets were all skipped).
-- Returns the target rows it ended, so the agent can publish them; failures are counted in the metrics.
CREATE OR REPLACE FUNCTION jobs_internal.sweep(p_now timestamptz) RETURNS SETOF jobs_internal.target_executions
LANGUAGE plpgsql AS $$
DECLARE
  v_step record;
  v_ended uuid[];
BEGIN
  -- The attempts it ends, kept in the history first, as their agents left them.
  INSERT INTO jobs_internal.target_attempts
    (target_execution_id, claim, attempt, agent, start_time, end_time, outcome, message)
  SELECT t.target_execution_id, t.claim, t.current_attempts, t.lease_owner, t.current_attempt_start_time, now(),
         CASE WHEN e.cancel_requested THEN 'Canceled' ELSE 'LeaseLost' END,
         'The agent running this attempt stopped renewing its lease.'
    FROM jobs_internal.target_executions t
    JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
   WHERE t.lifecycle = 'InProgress' AND t.lease_until < now()
     AND (t.lease_losses + 1 >= jobs_internal.max_lease_losses() OR e.cancel_requested)
  ON CONFLICT (target_execution_id, claim) DO NOTHING;
  WITH ended AS (
    UPDATE jobs_internal.target_executions t
       SET lifecycle = CASE WHEN e.cancel_requested THEN 'Canceled' ELSE 'Failed' END,
           end_time = now(), lease_owner = NULL, lease_until = NULL,
           last_message = CASE WHEN e.cancel_requested THEN 'Canceled.'
             ELSE format('The agent running this target stopped before it finished, %s times; it is not run '
                         'again, in case the script itself stops the agents.', t.lease_losses + 1) END,
           lease_losses = t.lease_losses + CASE WHEN e.cancel_requested THEN 0 ELSE 1 END
      FROM jobs_internal.job_executions e
     WHERE e.job_execution_id = t.job_execution_id
       AND t.lifecycle = 'InProgress' AND t.lease_until < now()
       AND (t.lease_losses + 1 >= jobs_internal.max_lease_losses() OR e.cancel_requested)
    RETURNING t.target_execution_id)
  SELECT array_agg(ended.target_execution_id) INTO v_ended FROM ended;
  -- A statement of its own, so it sees the rows as the update left them.
  PERFORM jobs_internal.count_results(v_ended);
  PERFORM jobs_internal.advance_rollout(x.job_execution_id, x.step_id, p_now)
     FROM (SELECT DISTINCT t.job_execution_id, t.step_id FROM jobs_internal.target_executions t
            WHERE t.target_execution_id = ANY (v_ended) AND t.wave IS NOT NULL) x;
  RETURN QUERY SELECT t.* FROM jobs_internal.target_executions t WHERE t.target_execution_id = ANY (v_ended);

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
