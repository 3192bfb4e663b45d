-- Definitions: credentials, target groups, jobs and their versioned steps.
-- Everything users may change lives in jobs_internal (Flyway creates it); the jobs schema only holds read-only views.
CREATE SCHEMA IF NOT EXISTS jobs;

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
  refresh_credential_id uuid    REFERENCES jobs_internal.credentials
);
CREATE INDEX target_group_members_group ON jobs_internal.target_group_members (target_group_id, member_position);

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
