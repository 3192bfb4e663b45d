-- Execution notifications: which jobs' executions, ending (or pausing) in which lifecycles, notify which action
-- groups of the alerts feature; and the queue of notices due, written by the job database in the transaction
-- that ends or pauses the execution (see R__notifications.sql), so no notice depends on an agent staying alive.

CREATE TABLE jobs_internal.execution_notifications (
  notification_name text        PRIMARY KEY,
  -- Job names, or '{*}' for every job (jobs made later included).
  job_names         text[]      NOT NULL,
  -- Among Succeeded, SucceededWithSkipped, Failed, TimedOut, Canceled, Paused. Succeeded covers SucceededWithSkipped.
  end_states        text[]      NOT NULL,
  -- Names of alerts.action_groups; checked, and the groups locked, when saved.
  action_groups     text[]      NOT NULL,
  description       text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs_internal.execution_notices (
  notice_id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_execution_id  uuid        NOT NULL REFERENCES jobs_internal.job_executions ON DELETE CASCADE,
  notification_name text        NOT NULL,
  -- The notification's groups when the execution ended: a later edit does not change a notice already due.
  action_groups     text[]      NOT NULL,
  lifecycle         text        NOT NULL,
  -- What the notice says, read when the execution ended (jobs_internal.execution_summary).
  summary           jsonb       NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- Set by the agent that wrote the notice's outbox rows, in the same transaction; NULL while due.
  enqueued_at       timestamptz
);
CREATE INDEX execution_notices_due ON jobs_internal.execution_notices (notice_id) WHERE enqueued_at IS NULL;
CREATE INDEX execution_notices_by_execution ON jobs_internal.execution_notices (job_execution_id);
