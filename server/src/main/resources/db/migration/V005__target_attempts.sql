-- Every attempt of every target, not only the last one's message as Elastic Jobs keeps: when it started and
-- ended, how, with what message and error code, and which agent ran it. Rows go with their execution.
CREATE TABLE jobs_internal.target_attempts (
  target_execution_id uuid        NOT NULL REFERENCES jobs_internal.target_executions ON DELETE CASCADE,
  -- The claim number of the attempt: unique per target, and what fenced its result.
  claim               integer     NOT NULL,
  attempt             integer     NOT NULL,
  agent               text,
  start_time          timestamptz,
  end_time            timestamptz NOT NULL,
  -- The target's lifecycle after the attempt (WaitingForRetry, Succeeded, Failed, TimedOut, Canceled), or
  -- LeaseLost when its agent died and another ran the target again.
  outcome             text        NOT NULL,
  error_code          text,
  message             text,
  PRIMARY KEY (target_execution_id, claim)
);

-- The SQLSTATE (or SQL Server error number) of the target's last attempt, for grouping failures by cause.
ALTER TABLE jobs_internal.target_executions ADD COLUMN last_error_code text;
