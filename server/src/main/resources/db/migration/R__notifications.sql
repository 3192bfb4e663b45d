-- Execution notifications: when an execution ends or pauses, a notice is queued for every execution
-- notification that names its job and that lifecycle, in the same transaction, whichever routine ended it
-- (settle_step, cancel_execution, abort_execution, pause_step, pause_executions, or any later one). Agents then
-- take due notices with SKIP LOCKED and turn each into outbox rows in one transaction (ExecutionNoticeRepository),
-- so each action group is told once, even with several agents and across crashes.
--
-- A trigger, rather than a call in each of those routines: the lifecycle column is the one place every end
-- passes through, so an end added later cannot forget to notify.

-- The notice's failure groups are the execution page's (GET …/failureGroups): one rule, jobs_internal.failure_cause
-- in R__triage.sql, says what makes two failures one cause. Flyway creates R__triage.sql after this file on a new
-- database, so the SQL routines here are checked when they first run rather than when they are created (as
-- pg_dump restores routines that call each other); the tests run them on a database migrated from nothing.
SET LOCAL check_function_bodies = off;

-- Replaced by jobs_internal.failure_cause: a second normalization let a notice and the page disagree.
DROP FUNCTION IF EXISTS jobs_internal.notice_cause(text, text, text);

-- The top failure groups of an execution: its Failed and TimedOut targets grouped by lifecycle, error code
-- (SQLSTATE or SQL Server error number) and cause, in the failure-groups API's order (largest first, then by
-- cause, lifecycle and code).
CREATE OR REPLACE FUNCTION jobs_internal.notice_failure_groups(p_execution_id uuid, p_limit integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(jsonb_agg(jsonb_build_object('lifecycle', g.lifecycle, 'errorCode', g.error_code,
                                               'cause', g.cause, 'count', g.n)
                            ORDER BY g.n DESC, g.cause, g.lifecycle, g.error_code), '[]'::jsonb)
    FROM (SELECT c.lifecycle, c.error_code, c.cause, count(*) AS n
            FROM (SELECT t.lifecycle, t.last_error_code AS error_code,
                         jobs_internal.failure_cause(t.last_message, t.server_name, t.database_name) AS cause
                    FROM jobs_internal.target_executions t
                   WHERE t.job_execution_id = p_execution_id AND t.lifecycle IN ('Failed', 'TimedOut')) c
           GROUP BY c.lifecycle, c.error_code, c.cause
           ORDER BY count(*) DESC, c.cause, c.lifecycle, c.error_code
           LIMIT p_limit) g
$$;

-- What a notice says about an execution, read as it ends: its job and version, lifecycle, dry run or not, times
-- and duration (to the end, or to now for a pause), message, targets per lifecycle over every step, and the top
-- failure groups. ExecutionNotice.fromSummary reads this shape.
CREATE OR REPLACE FUNCTION jobs_internal.execution_summary(p_execution_id uuid)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
           'jobName', j.job_name,
           'jobVersion', e.job_version,
           'lifecycle', e.lifecycle,
           'dryRun', e.dry_run,
           'createTime', e.create_time,
           'startTime', e.start_time,
           'endTime', e.end_time,
           'durationMs', floor(extract(epoch FROM coalesce(e.end_time, now()) - coalesce(e.start_time, e.create_time))
                               * 1000)::bigint,
           'lastMessage', e.last_message,
           'counts', coalesce((SELECT jsonb_object_agg(c.lifecycle, c.n)
                                 FROM (SELECT t.lifecycle, count(*) AS n
                                         FROM jobs_internal.target_executions t
                                        WHERE t.job_execution_id = p_execution_id
                                        GROUP BY t.lifecycle) c), '{}'::jsonb),
           'failureGroups', jobs_internal.notice_failure_groups(p_execution_id, 5))
    FROM jobs_internal.job_executions e
    JOIN jobs_internal.jobs j USING (job_id)
   WHERE e.job_execution_id = p_execution_id
$$;

-- Queues a notice per matching execution notification for the execution NEW that just ended or paused. Cheap
-- when none matches: one look at a small table.
CREATE OR REPLACE FUNCTION jobs_internal.queue_execution_notices() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_job_name text;
  v_summary jsonb;
BEGIN
  SELECT j.job_name INTO v_job_name FROM jobs_internal.jobs j WHERE j.job_id = NEW.job_id;
  IF NOT EXISTS (SELECT 1 FROM jobs_internal.execution_notifications n
                  WHERE ('*' = ANY (n.job_names) OR v_job_name = ANY (n.job_names))
                    AND (NEW.lifecycle = ANY (n.end_states)
                         OR (NEW.lifecycle = 'SucceededWithSkipped' AND 'Succeeded' = ANY (n.end_states)))) THEN
    RETURN NULL;
  END IF;
  v_summary := jobs_internal.execution_summary(NEW.job_execution_id);
  INSERT INTO jobs_internal.execution_notices (job_execution_id, notification_name, action_groups, lifecycle, summary)
  SELECT NEW.job_execution_id, n.notification_name, n.action_groups, NEW.lifecycle, v_summary
    FROM jobs_internal.execution_notifications n
   WHERE ('*' = ANY (n.job_names) OR v_job_name = ANY (n.job_names))
     AND (NEW.lifecycle = ANY (n.end_states)
          OR (NEW.lifecycle = 'SucceededWithSkipped' AND 'Succeeded' = ANY (n.end_states)));
  RETURN NULL;
END $$;

-- Fires once per change of an execution's lifecycle into a final value or Paused; a Paused execution that is
-- resumed and pauses again notifies again.
CREATE OR REPLACE TRIGGER job_execution_ends
  AFTER UPDATE OF lifecycle ON jobs_internal.job_executions
  FOR EACH ROW
  WHEN (OLD.lifecycle IS DISTINCT FROM NEW.lifecycle
        AND NEW.lifecycle IN ('Succeeded', 'SucceededWithSkipped', 'Failed', 'TimedOut', 'Canceled', 'Paused'))
  EXECUTE FUNCTION jobs_internal.queue_execution_notices();
