-- The read-only catalog, with exactly the names and columns of the Elastic Jobs views.
-- Times are UTC timestamps without zone, as datetime2 is in the original.

CREATE VIEW jobs.jobs AS
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

CREATE VIEW jobs.job_versions AS
SELECT j.job_name,
       j.job_id,
       v.job_version
  FROM jobs_internal.job_versions v
  JOIN jobs_internal.jobs j USING (job_id);

CREATE VIEW jobs.jobstep_versions AS
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

CREATE VIEW jobs.jobsteps AS
SELECT v.job_name, v.job_id, v.job_version, v.step_id, v.step_name, v.command_type, v.command_source, v.command,
       v.credential_name, v.target_group_name, v.target_group_id, v.initial_retry_interval_seconds,
       v.maximum_retry_interval_seconds, v.retry_interval_backoff_multiplier, v.retry_attempts,
       v.step_timeout_seconds, v.output_type, v.output_credential_name, v.output_subscription_id,
       v.output_resource_group_name, v.output_server_name, v.output_database_name, v.output_schema_name,
       v.output_table_name, v.max_parallelism
  FROM jobs.jobstep_versions v
  JOIN jobs_internal.jobs j ON j.job_id = v.job_id AND j.job_version = v.job_version;

CREATE VIEW jobs.target_groups AS
SELECT g.target_group_name,
       g.target_group_id
  FROM jobs_internal.target_groups g;

CREATE VIEW jobs.target_group_members AS
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
       NULL::text AS shard_map_name
  FROM jobs_internal.target_group_members m
  JOIN jobs_internal.target_groups g USING (target_group_id)
  LEFT JOIN jobs_internal.credentials c ON c.credential_id = m.refresh_credential_id;

-- Empty until the execution engine records runs; the engine's migration replaces its body.
CREATE VIEW jobs.job_executions AS
SELECT NULL::uuid AS job_execution_id,
       NULL::text AS job_name,
       NULL::uuid AS job_id,
       NULL::integer AS job_version,
       NULL::integer AS step_id,
       NULL::boolean AS is_active,
       NULL::text AS lifecycle,
       NULL::timestamp AS create_time,
       NULL::timestamp AS start_time,
       NULL::timestamp AS end_time,
       NULL::integer AS current_attempts,
       NULL::timestamp AS current_attempt_start_time,
       NULL::timestamp AS next_attempt_start_time,
       NULL::text AS last_message,
       NULL::text AS target_type,
       NULL::uuid AS target_id,
       NULL::text AS target_group_name,
       NULL::text AS target_server_name,
       NULL::text AS target_database_name
 WHERE false;

-- jobs_reader may read the catalog and nothing in jobs_internal. Roles belong to the whole cluster,
-- so another job database on the same server may have made it already; a login without CREATEROLE
-- leaves the grant to the DBA instead of failing the migration.
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
    GRANT SELECT ON ALL TABLES IN SCHEMA jobs TO jobs_reader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA jobs GRANT SELECT ON TABLES TO jobs_reader;
  END IF;
END $$;
