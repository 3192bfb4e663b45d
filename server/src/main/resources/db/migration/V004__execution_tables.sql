-- Executions: one parent row per job execution, one row per step, one per (step, target database).
-- All engine state lives here; agents coordinate only through these rows.

CREATE TABLE jobs_internal.job_executions (
  job_execution_id uuid        PRIMARY KEY,
  job_id           uuid        NOT NULL REFERENCES jobs_internal.jobs ON DELETE CASCADE,
  job_version      integer     NOT NULL,
  lifecycle        text        NOT NULL,
  create_time      timestamptz NOT NULL DEFAULT now(),
  start_time       timestamptz,
  end_time         timestamptz,
  last_message     text,
  trigger_type     text        NOT NULL CHECK (trigger_type IN ('Manual', 'Schedule')),
  scheduled_time   timestamptz,
  cancel_requested boolean     NOT NULL DEFAULT false,
  -- The step waiting for its target group to be expanded; NULL while a step runs and once the run ends.
  next_step_id     integer,
  -- Expanding a step is claimed like target work: owner, lease and a fencing number.
  expansion_owner  text,
  expansion_until  timestamptz,
  expansion_claim  integer     NOT NULL DEFAULT 0,
  UNIQUE (job_id, scheduled_time),
  FOREIGN KEY (job_id, job_version) REFERENCES jobs_internal.job_versions ON DELETE CASCADE
);
CREATE INDEX job_executions_by_time ON jobs_internal.job_executions (create_time DESC);
CREATE INDEX job_executions_by_job ON jobs_internal.job_executions (job_id, create_time DESC);
CREATE INDEX job_executions_to_expand ON jobs_internal.job_executions (create_time) WHERE next_step_id IS NOT NULL;

CREATE TABLE jobs_internal.step_executions (
  job_execution_id  uuid        NOT NULL REFERENCES jobs_internal.job_executions ON DELETE CASCADE,
  step_id           integer     NOT NULL,
  step_name         text        NOT NULL,
  target_group_name text        NOT NULL,
  lifecycle         text        NOT NULL,
  create_time       timestamptz NOT NULL DEFAULT now(),
  start_time        timestamptz,
  end_time          timestamptz,
  last_message      text,
  PRIMARY KEY (job_execution_id, step_id)
);

-- The sweep looks only at steps still running.
CREATE INDEX step_executions_running ON jobs_internal.step_executions (job_execution_id, step_id)
  WHERE lifecycle = 'InProgress';

CREATE TABLE jobs_internal.target_executions (
  target_execution_id        uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  job_execution_id           uuid        NOT NULL,
  step_id                    integer     NOT NULL,
  job_id                     uuid        NOT NULL,
  step_name                  text        NOT NULL,
  target_type                text        NOT NULL,
  target_id                  uuid,
  engine                     text        NOT NULL,
  server_name                text        NOT NULL,
  database_name              text        NOT NULL,
  lifecycle                  text        NOT NULL,
  create_time                timestamptz NOT NULL DEFAULT now(),
  start_time                 timestamptz,
  end_time                   timestamptz,
  current_attempts           integer     NOT NULL DEFAULT 0,
  max_attempts               integer     NOT NULL,
  current_attempt_start_time timestamptz,
  next_attempt_start_time    timestamptz,
  last_message               text,
  -- maxParallelism counts running targets per group: the server (the elastic pool on SQL Server).
  parallel_group             text        NOT NULL,
  max_parallelism            integer,
  lease_owner                text,
  lease_until                timestamptz,
  -- Bumped by every claim; a result carrying an older number comes from an agent that lost the lease.
  claim                      integer     NOT NULL DEFAULT 0,
  UNIQUE (job_execution_id, step_id, server_name, database_name),
  FOREIGN KEY (job_execution_id, step_id) REFERENCES jobs_internal.step_executions ON DELETE CASCADE
);
CREATE INDEX target_executions_ready ON jobs_internal.target_executions (next_attempt_start_time)
  WHERE lifecycle IN ('Created', 'WaitingForRetry');
CREATE INDEX target_executions_running ON jobs_internal.target_executions (lease_until)
  WHERE lifecycle = 'InProgress';
CREATE INDEX target_executions_same_target ON jobs_internal.target_executions
  (job_id, step_name, server_name, database_name) WHERE lifecycle IN ('InProgress', 'WaitingForRetry');
CREATE INDEX target_executions_by_execution ON jobs_internal.target_executions (job_execution_id, step_id, lifecycle);

-- Claims serialize on this row, so the tier cap is checked against a count no other claim can change.
CREATE TABLE jobs_internal.dispatch_semaphore (
  semaphore_id integer PRIMARY KEY CHECK (semaphore_id = 1)
);
INSERT INTO jobs_internal.dispatch_semaphore VALUES (1);

-- The three Elastic Jobs metrics, per minute and per dimension combination.
CREATE TABLE jobs_internal.metric_counts (
  bucket_start    timestamptz NOT NULL,
  metric_name     text        NOT NULL CHECK (metric_name IN ('elastic_jobs_successful', 'elastic_jobs_failed',
                                                              'elastic_jobs_timeout')),
  job_name        text        NOT NULL,
  step_name       text        NOT NULL,
  target_server   text        NOT NULL,
  target_database text        NOT NULL,
  count           bigint      NOT NULL,
  PRIMARY KEY (bucket_start, metric_name, job_name, step_name, target_server, target_database)
);

CREATE OR REPLACE VIEW jobs.job_executions AS
SELECT e.job_execution_id,
       j.job_name,
       e.job_id,
       e.job_version,
       NULL::integer AS step_id,
       e.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions') AS is_active,
       e.lifecycle,
       e.create_time AT TIME ZONE 'UTC' AS create_time,
       e.start_time AT TIME ZONE 'UTC' AS start_time,
       e.end_time AT TIME ZONE 'UTC' AS end_time,
       0 AS current_attempts,
       NULL::timestamp AS current_attempt_start_time,
       NULL::timestamp AS next_attempt_start_time,
       e.last_message,
       NULL::text AS target_type,
       NULL::uuid AS target_id,
       NULL::text AS target_group_name,
       NULL::text AS target_server_name,
       NULL::text AS target_database_name
  FROM jobs_internal.job_executions e
  JOIN jobs_internal.jobs j USING (job_id)
UNION ALL
SELECT s.job_execution_id, j.job_name, e.job_id, e.job_version, s.step_id,
       s.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions'),
       s.lifecycle,
       s.create_time AT TIME ZONE 'UTC', s.start_time AT TIME ZONE 'UTC', s.end_time AT TIME ZONE 'UTC',
       1, NULL::timestamp, NULL::timestamp, s.last_message,
       'TargetGroup', NULL::uuid, s.target_group_name, NULL::text, NULL::text
  FROM jobs_internal.step_executions s
  JOIN jobs_internal.job_executions e USING (job_execution_id)
  JOIN jobs_internal.jobs j ON j.job_id = e.job_id
UNION ALL
SELECT t.job_execution_id, j.job_name, t.job_id, e.job_version, t.step_id,
       t.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions'),
       t.lifecycle,
       t.create_time AT TIME ZONE 'UTC', t.start_time AT TIME ZONE 'UTC', t.end_time AT TIME ZONE 'UTC',
       t.current_attempts,
       t.current_attempt_start_time AT TIME ZONE 'UTC', t.next_attempt_start_time AT TIME ZONE 'UTC',
       t.last_message, t.target_type, t.target_id, s.target_group_name, t.server_name, t.database_name
  FROM jobs_internal.target_executions t
  JOIN jobs_internal.step_executions s USING (job_execution_id, step_id)
  JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
  JOIN jobs_internal.jobs j ON j.job_id = t.job_id;
