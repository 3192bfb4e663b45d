-- The read-only catalog, with exactly the names and columns of the Elastic Jobs views, each defined once.
-- Times are UTC timestamps without zone, as datetime2 is in the original. jobs_reader may read them (the
-- default privilege set in V001 grants it on every view created here) and nothing in jobs_internal.
-- A view whose columns change is dropped first, here: CREATE OR REPLACE VIEW may only add columns at the end.

CREATE OR REPLACE VIEW jobs.jobs AS
SELECT j.job_name,
       j.job_id,
       j.job_version,
       j.description,
       j.enabled,
       j.schedule_interval_type,
       j.schedule_interval_count,
       j.schedule_start_time AT TIME ZONE 'UTC' AS schedule_start_time,
       j.schedule_end_time AT TIME ZONE 'UTC' AS schedule_end_time
  FROM jobs_internal.jobs j;

CREATE OR REPLACE VIEW jobs.job_versions AS
SELECT j.job_name,
       j.job_id,
       v.job_version
  FROM jobs_internal.job_versions v
  JOIN jobs_internal.jobs j USING (job_id);

CREATE OR REPLACE VIEW jobs.jobstep_versions AS
SELECT j.job_name,
       s.job_id,
       s.job_version,
       s.step_id,
       s.step_name,
       s.command_type,
       s.command_source,
       s.command,
       s.credential_name,
       s.target_group_name,
       s.target_group_id,
       s.initial_retry_interval_seconds,
       s.maximum_retry_interval_seconds,
       s.retry_interval_backoff_multiplier,
       s.retry_attempts,
       s.step_timeout_seconds,
       s.output_type,
       s.output_credential_name,
       NULL::uuid AS output_subscription_id,
       NULL::text AS output_resource_group_name,
       s.output_server_name,
       s.output_database_name,
       s.output_schema_name,
       s.output_table_name,
       s.max_parallelism
  FROM jobs_internal.jobstep_versions s
  JOIN jobs_internal.jobs j USING (job_id);

CREATE OR REPLACE VIEW jobs.jobsteps AS
SELECT v.job_name, v.job_id, v.job_version, v.step_id, v.step_name, v.command_type, v.command_source, v.command,
       v.credential_name, v.target_group_name, v.target_group_id, v.initial_retry_interval_seconds,
       v.maximum_retry_interval_seconds, v.retry_interval_backoff_multiplier, v.retry_attempts,
       v.step_timeout_seconds, v.output_type, v.output_credential_name, v.output_subscription_id,
       v.output_resource_group_name, v.output_server_name, v.output_database_name, v.output_schema_name,
       v.output_table_name, v.max_parallelism
  FROM jobs.jobstep_versions v
  JOIN jobs_internal.jobs j ON j.job_id = v.job_id AND j.job_version = v.job_version;

CREATE OR REPLACE VIEW jobs.target_groups AS
SELECT g.target_group_name,
       g.target_group_id
  FROM jobs_internal.target_groups g;

CREATE OR REPLACE VIEW jobs.target_group_members AS
SELECT g.target_group_name,
       g.target_group_id,
       m.membership_type,
       m.target_type,
       m.target_id,
       c.credential_name AS refresh_credential_name,
       NULL::uuid AS subscription_id,
       NULL::text AS resource_group_name,
       m.server_name,
       m.database_name,
       m.elastic_pool_name,
       NULL::text AS shard_map_name,
       -- Extensions: how the member connects (sslMode NULL takes the agent's default for its engine).
       m.engine,
       m.ssl_mode,
       coalesce(m.authentication, 'SqlLogin') AS authentication
  FROM jobs_internal.target_group_members m
  JOIN jobs_internal.target_groups g USING (target_group_id)
  LEFT JOIN jobs_internal.credentials c ON c.credential_id = m.refresh_credential_id;

-- One row per job execution, per step execution and per target execution, as in Elastic Jobs.
CREATE OR REPLACE VIEW jobs.job_executions AS
SELECT e.job_execution_id,
       j.job_name,
       e.job_id,
       e.job_version,
       NULL::integer AS step_id,
       l.is_active,
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
       NULL::text AS target_database_name,
       e.dry_run,              -- a fleetjobs extension: the execution is a dry run (README "Rollouts")
       -- Extensions: a target's engine and the TLS mode it connected with.
       NULL::text AS target_engine,
       NULL::text AS target_ssl_mode
  FROM jobs_internal.job_executions e
  JOIN jobs_internal.jobs j USING (job_id)
  JOIN jobs_internal.lifecycles l ON l.lifecycle = e.lifecycle
UNION ALL
SELECT s.job_execution_id, j.job_name, e.job_id, e.job_version, s.step_id,
       l.is_active,
       s.lifecycle,
       s.create_time AT TIME ZONE 'UTC', s.start_time AT TIME ZONE 'UTC', s.end_time AT TIME ZONE 'UTC',
       1, NULL::timestamp, NULL::timestamp, s.last_message,
       'TargetGroup', NULL::uuid, s.target_group_name, NULL::text, NULL::text, e.dry_run, NULL::text, NULL::text
  FROM jobs_internal.step_executions s
  JOIN jobs_internal.job_executions e USING (job_execution_id)
  JOIN jobs_internal.jobs j ON j.job_id = e.job_id
  JOIN jobs_internal.lifecycles l ON l.lifecycle = s.lifecycle
UNION ALL
SELECT t.job_execution_id, j.job_name, t.job_id, e.job_version, t.step_id,
       l.is_active,
       t.lifecycle,
       t.create_time AT TIME ZONE 'UTC', t.start_time AT TIME ZONE 'UTC', t.end_time AT TIME ZONE 'UTC',
       t.current_attempts,
       t.current_attempt_start_time AT TIME ZONE 'UTC', t.next_attempt_start_time AT TIME ZONE 'UTC',
       t.last_message, t.target_type, t.target_id, s.target_group_name, t.server_name, t.database_name, e.dry_run,
       t.engine, t.ssl_mode
  FROM jobs_internal.target_executions t
  JOIN jobs_internal.step_executions s USING (job_execution_id, step_id)
  JOIN jobs_internal.job_executions e ON e.job_execution_id = t.job_execution_id
  JOIN jobs_internal.jobs j ON j.job_id = t.job_id
  JOIN jobs_internal.lifecycles l ON l.lifecycle = t.lifecycle;
