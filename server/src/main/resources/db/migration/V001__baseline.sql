-- The job database's tables, indexes and fixed data. Routines and views are in the repeatable migrations
-- (R__*.sql), each defined once; see "The job database's schema" in README.md for where a change goes.
-- Everything users may change lives in jobs_internal (Flyway creates it); the jobs schema holds the
-- read-only Elastic Jobs views.
CREATE SCHEMA IF NOT EXISTS jobs;

-- Routines are for the agent's own login: no routine this role creates, now or in a later migration,
-- is executable by PUBLIC. (Per-schema default privileges can only add to the global ones, so this is global
-- for the migrating role.) Roles that may call something, such as the T-SQL procedures, are granted it.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE ALL ON SCHEMA jobs_internal FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Definitions: credentials, target groups, jobs and their versioned steps.

CREATE TABLE jobs_internal.agent_settings (
  setting_name  text PRIMARY KEY,
  setting_value text NOT NULL
);

CREATE TABLE jobs_internal.credentials (
  credential_id   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  credential_name text        NOT NULL UNIQUE,
  username        text        NOT NULL,
  -- AES-256-GCM sealed by the agent (nonce || ciphertext || tag); the database never sees the plaintext.
  password_sealed bytea       NOT NULL,
  created_time    timestamptz NOT NULL DEFAULT now(),
  updated_time    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs_internal.target_groups (
  target_group_id   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  target_group_name text        NOT NULL UNIQUE,
  created_time      timestamptz NOT NULL DEFAULT now(),
  updated_time      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs_internal.target_group_members (
  target_id             uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
  target_group_id       uuid    NOT NULL REFERENCES jobs_internal.target_groups ON DELETE CASCADE,
  member_position       integer NOT NULL,
  membership_type       text    NOT NULL CHECK (membership_type IN ('Include', 'Exclude')),
  target_type           text    NOT NULL CHECK (target_type IN ('SqlServer', 'SqlElasticPool', 'SqlDatabase')),
  engine                text    NOT NULL CHECK (engine IN ('postgresql', 'sqlserver')),
  server_name           text    NOT NULL,
  database_name         text,
  elastic_pool_name     text,
  refresh_credential_id uuid    REFERENCES jobs_internal.credentials,
  -- A sqlserver member may trust its server's certificate (TLS stays on). Not part of what a member selects,
  -- so changing it keeps the member's target_id.
  trust_server_certificate boolean NOT NULL DEFAULT false
);
CREATE INDEX target_group_members_group ON jobs_internal.target_group_members (target_group_id, member_position);

-- One validated member, as jobs_internal.member_of returns it.
CREATE TYPE jobs_internal.member_definition AS (
  membership_type          text,
  target_type              text,
  engine                   text,
  server_name              text,
  database_name            text,
  elastic_pool_name        text,
  refresh_credential_id    uuid,
  trust_server_certificate boolean
);

CREATE TABLE jobs_internal.jobs (
  job_id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  job_name                text        NOT NULL UNIQUE,
  description             text        NOT NULL DEFAULT '',
  enabled                 boolean     NOT NULL DEFAULT false,
  schedule_interval_type  text        NOT NULL DEFAULT 'Once'
    CHECK (schedule_interval_type IN ('Once', 'Minutes', 'Hours', 'Days', 'Weeks', 'Months', 'Cron')),
  schedule_interval_count integer     NOT NULL DEFAULT 1 CHECK (schedule_interval_count >= 1),
  schedule_start_time     timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00+00',
  schedule_end_time       timestamptz NOT NULL DEFAULT '9999-12-31 11:59:59+00',
  schedule_cron           text,
  schedule_time_zone      text,
  -- The schedule occurrence last fired; with the unique (job_id, scheduled_time) of executions, each fires once.
  last_scheduled_time     timestamptz,
  overlap_policy          text        NOT NULL DEFAULT 'SkipTargets' CHECK (overlap_policy IN ('SkipTargets', 'SkipExecution')),
  job_version             integer     NOT NULL DEFAULT 0,
  created_time            timestamptz NOT NULL DEFAULT now(),
  updated_time            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE jobs_internal.job_versions (
  job_id       uuid        NOT NULL REFERENCES jobs_internal.jobs ON DELETE CASCADE,
  job_version  integer     NOT NULL,
  created_time timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, job_version)
);

-- One row per step per job version: a version is an immutable snapshot of all steps.
-- Referenced objects are kept by id (what an execution pins) and by name (what history shows).
CREATE TABLE jobs_internal.jobstep_versions (
  job_id                            uuid    NOT NULL,
  job_version                       integer NOT NULL,
  step_id                           integer NOT NULL CHECK (step_id >= 1),
  step_name                         text    NOT NULL,
  command_type                      text    NOT NULL,
  command_source                    text    NOT NULL,
  command                           text    NOT NULL,
  credential_id                     uuid,
  credential_name                   text,
  target_group_id                   uuid    NOT NULL,
  target_group_name                 text    NOT NULL,
  initial_retry_interval_seconds    integer NOT NULL,
  maximum_retry_interval_seconds    integer NOT NULL,
  retry_interval_backoff_multiplier real    NOT NULL,
  retry_attempts                    integer NOT NULL,
  step_timeout_seconds              integer NOT NULL,
  output_type                       text,
  output_credential_id              uuid,
  output_credential_name            text,
  output_server_name                text,
  output_database_name              text,
  output_schema_name                text,
  output_table_name                 text,
  output_engine                     text,
  max_parallelism                   integer,
  PRIMARY KEY (job_id, job_version, step_id),
  UNIQUE (job_id, job_version, step_name),
  FOREIGN KEY (job_id, job_version) REFERENCES jobs_internal.job_versions ON DELETE CASCADE
);
CREATE INDEX jobstep_versions_target_group ON jobs_internal.jobstep_versions (target_group_id);
CREATE INDEX jobstep_versions_credential ON jobs_internal.jobstep_versions (credential_id);
CREATE INDEX jobstep_versions_output_credential ON jobs_internal.jobstep_versions (output_credential_id);

CREATE TABLE jobs_internal.access_tokens (
  token_id     uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  token_name   text        NOT NULL UNIQUE,
  token_role   text        NOT NULL CHECK (token_role IN ('reader', 'operator', 'admin')),
  -- SHA-256 of the secret: tokens are 256-bit random values, so a fast hash cannot be brute-forced.
  token_hash   bytea       NOT NULL UNIQUE,
  created_time timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
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
  -- "Rerun the failed targets": the execution whose Failed and TimedOut databases this one is limited to.
  rerun_of         uuid        REFERENCES jobs_internal.job_executions ON DELETE SET NULL,
  UNIQUE (job_id, scheduled_time),
  FOREIGN KEY (job_id, job_version) REFERENCES jobs_internal.job_versions ON DELETE CASCADE
);
CREATE INDEX job_executions_by_time ON jobs_internal.job_executions (create_time DESC);
CREATE INDEX job_executions_by_job ON jobs_internal.job_executions (job_id, create_time DESC);
CREATE INDEX job_executions_to_expand ON jobs_internal.job_executions (create_time) WHERE next_step_id IS NOT NULL;
-- Live pages ask every few seconds which executions are active, or were created or ended lately. (An index
-- predicate cannot read jobs_internal.lifecycles, so the active set is spelled out here.)
CREATE INDEX job_executions_active ON jobs_internal.job_executions (job_execution_id)
  WHERE lifecycle IN ('Created', 'InProgress', 'WaitingForRetry', 'WaitingForChildJobExecutions');
CREATE INDEX job_executions_by_end_time ON jobs_internal.job_executions (end_time);

-- The databases a rerun is limited to. An execution without rows here runs on its whole target group.
CREATE TABLE jobs_internal.rerun_targets (
  job_execution_id uuid NOT NULL REFERENCES jobs_internal.job_executions ON DELETE CASCADE,
  server_name      text NOT NULL,
  database_name    text NOT NULL,
  PRIMARY KEY (job_execution_id, server_name, database_name)
);

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
  -- Copied from the member when the step starts, as the server and database are, so a run connects as its
  -- group said when it was expanded.
  trust_server_certificate   boolean     NOT NULL DEFAULT false,
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
-- Alert rules read the executions that ended within their window, every second and on every finished
-- target; this keeps that read proportional to the window, not to the 45 days of history.
CREATE INDEX target_executions_by_end_time ON jobs_internal.target_executions (end_time)
  WHERE end_time IS NOT NULL;

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

-- The lifecycle values of Elastic Jobs, verbatim, with what the engine derives from each: whether it is
-- still active (the views' is_active) and the Elastic Jobs metric a final target result counts in.
-- The one SQL home of these facts; io.fleetjobs.server.jobs.executions.Lifecycle is the Java one, and
-- LifecycleTest checks that the two agree.
CREATE TABLE jobs_internal.lifecycles (
  lifecycle   text    PRIMARY KEY,
  is_active   boolean NOT NULL,
  metric_name text
);
INSERT INTO jobs_internal.lifecycles (lifecycle, is_active, metric_name) VALUES
  ('Created', true, NULL),
  ('InProgress', true, NULL),
  ('WaitingForRetry', true, NULL),
  ('WaitingForChildJobExecutions', true, NULL),
  ('Succeeded', false, 'elastic_jobs_successful'),
  ('SucceededWithSkipped', false, NULL),
  ('Failed', false, 'elastic_jobs_failed'),
  ('TimedOut', false, 'elastic_jobs_timeout'),
  ('Canceled', false, NULL),
  ('Skipped', false, NULL);

-- jobs_reader may read the catalog and nothing in jobs_internal. Roles belong to the whole cluster,
-- so another job database on the same server may have made it already; a login without CREATEROLE
-- leaves the grant to the DBA instead of failing the migration. The default privilege covers the views
-- the repeatable migrations (re)create.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_reader') THEN
    CREATE ROLE jobs_reader NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'Cannot create role jobs_reader; create it and grant SELECT on schema jobs by hand.';
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_reader') THEN
    GRANT USAGE ON SCHEMA jobs TO jobs_reader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA jobs GRANT SELECT ON TABLES TO jobs_reader;
  END IF;
END $$;
