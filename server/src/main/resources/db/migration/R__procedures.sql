-- The Elastic Jobs T-SQL surface: the 13 jobs.sp_* procedures, each defined once, with Elastic Jobs' parameter
-- names (without @), order and defaults, so that a DBA's script carries over mechanically:
--   EXEC jobs.sp_add_jobstep @job_name = 'J', @command = N'...', @target_group_name = 'G'
--   CALL jobs.sp_add_jobstep(job_name => 'J', command => '...', target_group_name => 'G')
-- They are thin wrappers. The definition rules (validation, defaults, versioning, renumbering), starting,
-- cancelling and purging are the jobs_internal routines the REST API calls, so both surfaces accept, refuse and
-- store the same things. What is here is the T-SQL shape alone:
--   * an OUTPUT parameter is INOUT ... DEFAULT NULL: a CALL may leave it out and still gets it in its row;
--   * a bit is an integer, 0 or 1 (bit_of), so that enabled => 1 resolves;
--   * a datetime2 is a timestamp read as UTC (AT TIME ZONE 'UTC'), whatever the session's TimeZone;
--   * a parameter T-SQL requires after an optional one is DEFAULT NULL and refused in the body when missing;
--   * an update leaves what it is not given (NULL) as it is.
-- Errors are the routines' (FJ400 invalid, FJ404 not found, FJ409 conflict, FJ422 unknown reference), naming the
-- T-SQL parameter in the message and in COLUMN. An error undoes the whole CALL, so a refused call changes nothing.
-- Each procedure runs as its owner (SECURITY DEFINER) with a fixed search_path: jobs_admin and jobs_operator
-- (V005) reach jobs_internal through the procedures granted to them at the end of this file, and not otherwise.

-- A T-SQL bit: 0 or 1, as a boolean; NULL stays NULL.
CREATE OR REPLACE FUNCTION jobs_internal.bit_of(p_field text, p_value integer) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF p_value IS NOT NULL AND p_value NOT IN (0, 1) THEN
    PERFORM jobs_internal.fail('FJ400', p_field, format('%s must be 0 or 1.', p_field));
  END IF;
  RETURN p_value = 1;
END $$;

-- The six schedule interval types of T-SQL; Cron is the REST API's alone.
CREATE OR REPLACE FUNCTION jobs_internal.check_interval_type(p_value text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.check_one_of('schedule_interval_type', p_value,
                                     ARRAY['Once', 'Minutes', 'Hours', 'Days', 'Weeks', 'Months']);
END $$;

-- The step that sp_update_jobstep and sp_delete_jobstep select, by step_id or by step_name, in a version of a
-- job the caller has locked. Both may be given when they name the same step.
CREATE OR REPLACE FUNCTION jobs_internal.selected_jobstep(
  p_job_name text, p_job_id uuid, p_job_version integer, p_step_id integer, p_step_name text)
RETURNS jobs_internal.jobstep_versions
LANGUAGE plpgsql AS $$
DECLARE s jobs_internal.jobstep_versions;
BEGIN
  IF p_step_id IS NULL AND p_step_name IS NULL THEN
    PERFORM jobs_internal.fail('FJ400', 'step_id', 'step_id or step_name is required.');
  END IF;
  SELECT v.* INTO s
    FROM jobs_internal.jobstep_versions v
   WHERE v.job_id = p_job_id AND v.job_version = p_job_version
     AND (v.step_id = p_step_id OR (p_step_id IS NULL AND v.step_name = p_step_name));
  IF NOT FOUND THEN
    IF p_step_id IS NULL THEN
      PERFORM jobs_internal.fail('FJ404', 'step_name', format('Job %L has no step %L.', p_job_name, p_step_name));
    END IF;
    PERFORM jobs_internal.fail('FJ404', 'step_id', format('Job %L has no step %s.', p_job_name, p_step_id));
  END IF;
  IF p_step_name IS NOT NULL AND p_step_name <> s.step_name THEN
    PERFORM jobs_internal.fail('FJ400', 'step_name',
      format('step_id %s is step %L of job %L, not %L.', p_step_id, s.step_name, p_job_name, p_step_name));
  END IF;
  RETURN s;
END $$;

-- A step's settings as sp_add_jobstep and sp_update_jobstep take them, keyed as save_jobstep reads them, without
-- those not given (NULL). The output settings are apart, in jobstep_outputs, because an update reads '' in them
-- as "reset".
CREATE OR REPLACE FUNCTION jobs_internal.jobstep_settings(
  p_command_type text, p_command_source text, p_command text, p_credential_name text, p_target_group_name text,
  p_initial_retry_interval_seconds integer, p_maximum_retry_interval_seconds integer,
  p_retry_interval_backoff_multiplier real, p_retry_attempts integer, p_step_timeout_seconds integer,
  p_max_parallelism integer)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'command_type', p_command_type,
    'command_source', p_command_source,
    'command', p_command,
    'credential_name', p_credential_name,
    'target_group_name', p_target_group_name,
    'initial_retry_interval_seconds', p_initial_retry_interval_seconds,
    'maximum_retry_interval_seconds', p_maximum_retry_interval_seconds,
    'retry_interval_backoff_multiplier', p_retry_interval_backoff_multiplier,
    'retry_attempts', p_retry_attempts,
    'step_timeout_seconds', p_step_timeout_seconds,
    'max_parallelism', p_max_parallelism))
$$;

-- A step's output settings as sp_add_jobstep and sp_update_jobstep take them, keyed as save_jobstep reads them;
-- those not given stay, as JSON nulls.
CREATE OR REPLACE FUNCTION jobs_internal.jobstep_outputs(
  p_output_type text, p_output_credential_name text, p_output_server_name text, p_output_database_name text,
  p_output_schema_name text, p_output_table_name text, p_output_engine text)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'output_type', p_output_type,
    'output_credential_name', p_output_credential_name,
    'output_server_name', p_output_server_name,
    'output_database_name', p_output_database_name,
    'output_schema_name', p_output_schema_name,
    'output_table_name', p_output_table_name,
    'output_engine', p_output_engine)
$$;

-- ---------------------------------------------------------------------------------------------
-- Jobs

CREATE OR REPLACE PROCEDURE jobs.sp_add_job(
  job_name text,
  description text DEFAULT NULL,
  enabled integer DEFAULT 0,
  schedule_interval_type text DEFAULT 'Once',
  schedule_interval_count integer DEFAULT 1,
  schedule_start_time timestamp DEFAULT '0001-01-01 00:00:00',
  schedule_end_time timestamp DEFAULT '9999-12-31 11:59:59',
  INOUT job_id uuid DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM jobs_internal.check_interval_type(coalesce(schedule_interval_type, 'Once'));
  PERFORM jobs_internal.save_job(job_name, description, jobs_internal.bit_of('enabled', enabled),
    schedule_interval_type, schedule_interval_count, schedule_start_time AT TIME ZONE 'UTC',
    schedule_end_time AT TIME ZONE 'UTC', NULL, NULL, NULL, now(), 'add');
  SELECT j.job_id INTO sp_add_job.job_id FROM jobs_internal.jobs j WHERE j.job_name = sp_add_job.job_name;
END $$;

-- Does not change job_version: versions are of steps, as in the REST API.
CREATE OR REPLACE PROCEDURE jobs.sp_update_job(
  job_name text,
  new_name text DEFAULT NULL,
  description text DEFAULT NULL,
  enabled integer DEFAULT NULL,
  schedule_interval_type text DEFAULT NULL,
  schedule_interval_count integer DEFAULT NULL,
  schedule_start_time timestamp DEFAULT NULL,
  schedule_end_time timestamp DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_job jobs_internal.jobs;
  v_type text;
BEGIN
  PERFORM jobs_internal.check_name('job_name', job_name);
  SELECT j.* INTO v_job FROM jobs_internal.jobs j WHERE j.job_name = sp_update_job.job_name FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', job_name));
  END IF;
  IF schedule_interval_type IS NOT NULL THEN
    PERFORM jobs_internal.check_interval_type(schedule_interval_type);
  END IF;
  IF new_name IS NOT NULL THEN
    PERFORM jobs_internal.rename_job(job_name, new_name);
  END IF;
  v_type := coalesce(schedule_interval_type, v_job.schedule_interval_type);
  PERFORM jobs_internal.save_job(coalesce(new_name, job_name),
    coalesce(description, v_job.description),
    coalesce(jobs_internal.bit_of('enabled', enabled), v_job.enabled),
    v_type,
    coalesce(schedule_interval_count, v_job.schedule_interval_count),
    coalesce(schedule_start_time AT TIME ZONE 'UTC', v_job.schedule_start_time),
    coalesce(schedule_end_time AT TIME ZONE 'UTC', v_job.schedule_end_time),
    v_job.overlap_policy,
    CASE WHEN v_type = 'Cron' THEN v_job.schedule_cron END,
    CASE WHEN v_type = 'Cron' THEN v_job.schedule_time_zone END,
    now(), 'replace');
END $$;

-- force => 1 cancels the executions in progress (their agents stop the statements) and deletes; force => 0
-- refuses while one is in progress. The history goes with the job.
CREATE OR REPLACE PROCEDURE jobs.sp_delete_job(
  job_name text DEFAULT NULL,
  force integer DEFAULT 0)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM jobs_internal.check_name('job_name', job_name);
  PERFORM jobs_internal.delete_job(job_name, coalesce(jobs_internal.bit_of('force', force), false));
END $$;

-- ---------------------------------------------------------------------------------------------
-- Steps. output_subscription_id and output_resource_group_name are Azure's: accepted and ignored.
-- output_engine, after the documented parameters, says which engine the output server runs (postgresql by
-- default, as in the REST API); it picks the default output_schema_name too (public, or dbo on sqlserver).

CREATE OR REPLACE PROCEDURE jobs.sp_add_jobstep(
  job_name text,
  step_id integer DEFAULT NULL,
  step_name text DEFAULT NULL,
  command_type text DEFAULT 'TSql',
  command_source text DEFAULT 'Inline',
  command text DEFAULT NULL,
  credential_name text DEFAULT NULL,
  target_group_name text DEFAULT NULL,
  initial_retry_interval_seconds integer DEFAULT 1,
  maximum_retry_interval_seconds integer DEFAULT 120,
  retry_interval_backoff_multiplier real DEFAULT 2.0,
  retry_attempts integer DEFAULT 10,
  step_timeout_seconds integer DEFAULT 43200,
  output_type text DEFAULT NULL,
  output_credential_name text DEFAULT NULL,
  output_subscription_id uuid DEFAULT NULL,
  output_resource_group_name text DEFAULT NULL,
  output_server_name text DEFAULT NULL,
  output_database_name text DEFAULT NULL,
  output_schema_name text DEFAULT NULL,
  output_table_name text DEFAULT NULL,
  INOUT job_version integer DEFAULT NULL,
  max_parallelism integer DEFAULT NULL,
  output_engine text DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_job record;
  v_step_name text := step_name;
BEGIN
  SELECT l.job_id, l.job_version INTO v_job FROM jobs_internal.lock_job(sp_add_jobstep.job_name) l;
  IF v_step_name IS NULL THEN
    IF EXISTS (SELECT 1 FROM jobs_internal.jobstep_versions s
                WHERE s.job_id = v_job.job_id AND s.job_version = v_job.job_version) THEN
      PERFORM jobs_internal.fail('FJ400', 'step_name',
        'step_name is required: only the first step of a job may leave it out, and is then named JobStep.');
    END IF;
    v_step_name := 'JobStep';
  END IF;
  SELECT s.job_version INTO sp_add_jobstep.job_version
    FROM jobs_internal.save_jobstep(sp_add_jobstep.job_name, v_step_name, sp_add_jobstep.step_id,
      jobs_internal.jobstep_settings(command_type, command_source, command, credential_name, target_group_name,
        initial_retry_interval_seconds, maximum_retry_interval_seconds, retry_interval_backoff_multiplier,
        retry_attempts, step_timeout_seconds, max_parallelism)
      || jsonb_strip_nulls(jobs_internal.jobstep_outputs(output_type, output_credential_name, output_server_name,
        output_database_name, output_schema_name, output_table_name, output_engine)),
      'add') s;
END $$;

-- Starts from the step as it is: what is not given stays. '' resets an output setting (an output_type of ''
-- removes the output altogether), max_parallelism => -1 removes the limit. new_id moves the step (the others are
-- renumbered), new_name renames it, in one new version.
CREATE OR REPLACE PROCEDURE jobs.sp_update_jobstep(
  job_name text,
  step_id integer DEFAULT NULL,
  step_name text DEFAULT NULL,
  new_id integer DEFAULT NULL,
  new_name text DEFAULT NULL,
  command_type text DEFAULT NULL,
  command_source text DEFAULT NULL,
  command text DEFAULT NULL,
  credential_name text DEFAULT NULL,
  target_group_name text DEFAULT NULL,
  initial_retry_interval_seconds integer DEFAULT NULL,
  maximum_retry_interval_seconds integer DEFAULT NULL,
  retry_interval_backoff_multiplier real DEFAULT NULL,
  retry_attempts integer DEFAULT NULL,
  step_timeout_seconds integer DEFAULT NULL,
  output_type text DEFAULT NULL,
  output_credential_name text DEFAULT NULL,
  output_server_name text DEFAULT NULL,
  output_database_name text DEFAULT NULL,
  output_schema_name text DEFAULT NULL,
  output_table_name text DEFAULT NULL,
  INOUT job_version integer DEFAULT NULL,
  max_parallelism integer DEFAULT NULL,
  output_engine text DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_job record;
  v_step jobs_internal.jobstep_versions;
  v_def jsonb;
  v_outputs jsonb := jobs_internal.jobstep_outputs(output_type, output_credential_name, output_server_name,
    output_database_name, output_schema_name, output_table_name, output_engine);
  v_column text;
  v_message text;
BEGIN
  SELECT l.job_id, l.job_version INTO v_job FROM jobs_internal.lock_job(sp_update_jobstep.job_name) l;
  v_step := jobs_internal.selected_jobstep(sp_update_jobstep.job_name, v_job.job_id, v_job.job_version,
                                           sp_update_jobstep.step_id, sp_update_jobstep.step_name);
  -- The step's definition as step_of reads it; what it references is named, as a caller names it.
  v_def := jsonb_strip_nulls(to_jsonb(v_step) - ARRAY['job_id', 'job_version', 'step_id', 'step_name',
                                                      'credential_id', 'target_group_id', 'output_credential_id']);
  IF output_type = '' THEN
    v_def := v_def - ARRAY(SELECT jsonb_object_keys(v_outputs)) - 'output_ssl_mode';
  END IF;
  v_def := v_def - ARRAY(SELECT o.key FROM jsonb_each_text(v_outputs) o WHERE o.value = '');
  IF max_parallelism = -1 THEN
    v_def := v_def - 'max_parallelism';
  END IF;
  v_def := v_def
    || jobs_internal.jobstep_settings(command_type, command_source, command, credential_name, target_group_name,
         initial_retry_interval_seconds, maximum_retry_interval_seconds, retry_interval_backoff_multiplier,
         retry_attempts, step_timeout_seconds, nullif(max_parallelism, -1))
    || (SELECT coalesce(jsonb_object_agg(o.key, o.value), '{}') FROM jsonb_each(jsonb_strip_nulls(v_outputs)) o
         WHERE o.value <> '""');
  BEGIN
    SELECT s.job_version INTO sp_update_jobstep.job_version
      FROM jobs_internal.save_jobstep(sp_update_jobstep.job_name, v_step.step_name, new_id, v_def, 'replace',
                                      new_name) s;
  EXCEPTION WHEN SQLSTATE 'FJ400' THEN
    GET STACKED DIAGNOSTICS v_column = COLUMN_NAME, v_message = MESSAGE_TEXT;
    -- save_jobstep places the step at new_id: where it says step_id, the caller wrote new_id.
    IF v_column = 'step_id' THEN
      RAISE EXCEPTION USING ERRCODE = 'FJ400', COLUMN = 'new_id',
                            MESSAGE = regexp_replace(v_message, '^step_id', 'new_id');
    END IF;
    RAISE;
  END;
END $$;

-- The other steps are renumbered to fill the gap, in a new version.
CREATE OR REPLACE PROCEDURE jobs.sp_delete_jobstep(
  job_name text,
  step_id integer DEFAULT NULL,
  step_name text DEFAULT NULL,
  INOUT job_version integer DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_job record;
  v_step jobs_internal.jobstep_versions;
BEGIN
  SELECT l.job_id, l.job_version INTO v_job FROM jobs_internal.lock_job(sp_delete_jobstep.job_name) l;
  v_step := jobs_internal.selected_jobstep(sp_delete_jobstep.job_name, v_job.job_id, v_job.job_version,
                                           sp_delete_jobstep.step_id, sp_delete_jobstep.step_name);
  job_version := jobs_internal.delete_jobstep(sp_delete_jobstep.job_name, v_step.step_name);
END $$;

-- ---------------------------------------------------------------------------------------------
-- Executions: what POST /jobs/{name}/start, cancel and DELETE /jobs/{name}/executions do.

-- Starts the current version, enabled or not; the agents pick it up at their next dispatch round.
CREATE OR REPLACE PROCEDURE jobs.sp_start_job(
  job_name text,
  INOUT job_execution_id uuid DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM jobs_internal.check_name('job_name', job_name);
  SELECT s.job_execution_id INTO sp_start_job.job_execution_id
    FROM jobs_internal.start_execution(sp_start_job.job_name, gen_random_uuid(), 'Manual', NULL) s;
END $$;

-- The execution ends Canceled: waiting targets at once, running ones when their agent has stopped the statement.
-- An execution that has already ended is left as it is, as the REST API's cancel leaves it.
CREATE OR REPLACE PROCEDURE jobs.sp_stop_job(
  job_execution_id uuid DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_job_name text;
BEGIN
  IF job_execution_id IS NULL THEN
    PERFORM jobs_internal.fail('FJ400', 'job_execution_id', 'job_execution_id is required.');
  END IF;
  SELECT j.job_name INTO v_job_name
    FROM jobs_internal.job_executions e
    JOIN jobs_internal.jobs j ON j.job_id = e.job_id
   WHERE e.job_execution_id = sp_stop_job.job_execution_id;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_execution_id', format('There is no job execution %s.', job_execution_id));
  END IF;
  IF NOT jobs_internal.cancel_execution(v_job_name, job_execution_id) THEN
    RAISE NOTICE 'Job execution % had already ended; there was nothing to stop.', job_execution_id;
  END IF;
END $$;

-- Removes the job's finished executions that ended before oldest_date (all of them without it). A job deleted
-- lately has nothing left to purge: its history went with it.
CREATE OR REPLACE PROCEDURE jobs.sp_purge_jobhistory(
  job_name text DEFAULT NULL,
  job_id uuid DEFAULT NULL,
  oldest_date timestamp DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM jobs_internal.purge_job_history(job_name, job_id, oldest_date AT TIME ZONE 'UTC');
END $$;

-- ---------------------------------------------------------------------------------------------
-- Target groups

CREATE OR REPLACE PROCEDURE jobs.sp_add_target_group(
  target_group_name text,
  INOUT target_group_id uuid DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  target_group_id := jobs_internal.add_target_group(target_group_name);
END $$;

-- Refused while a step of a job's current version uses the group, as DELETE /targetGroups/{name} is.
CREATE OR REPLACE PROCEDURE jobs.sp_delete_target_group(
  target_group_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM jobs_internal.check_name('target_group_name', target_group_name);
  PERFORM jobs_internal.delete_target_group(target_group_name);
END $$;

-- engine, after the documented parameters, says which engine the member's server runs: postgresql by default,
-- as in the REST API, or sqlserver; an SqlElasticPool member is sqlserver's without it.
CREATE OR REPLACE PROCEDURE jobs.sp_add_target_group_member(
  target_group_name text,
  membership_type text DEFAULT 'Include',
  target_type text DEFAULT NULL,
  refresh_credential_name text DEFAULT NULL,
  server_name text DEFAULT NULL,
  database_name text DEFAULT NULL,
  elastic_pool_name text DEFAULT NULL,
  INOUT target_id uuid DEFAULT NULL,
  engine text DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- nvarchar(128) here, where the REST API takes host names of up to 256 characters.
  PERFORM jobs_internal.check_optional_name('server_name', server_name, 128);
  target_id := jobs_internal.add_target_group_member(target_group_name, membership_type, target_type,
    coalesce(engine, CASE WHEN target_type = 'SqlElasticPool' THEN 'sqlserver' END),
    server_name, database_name, elastic_pool_name, refresh_credential_name);
END $$;

CREATE OR REPLACE PROCEDURE jobs.sp_delete_target_group_member(
  target_group_name text,
  target_id uuid DEFAULT NULL)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM jobs_internal.delete_target_group_member(target_group_name, target_id);
END $$;

-- ---------------------------------------------------------------------------------------------
-- Who may call them. Roles belong to the whole cluster and may be missing where the migrating login could not
-- create them (V005); the DBA then grants by hand.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_admin') THEN
    GRANT EXECUTE ON ALL PROCEDURES IN SCHEMA jobs TO jobs_admin;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_operator') THEN
    GRANT EXECUTE ON PROCEDURE jobs.sp_start_job(text, uuid), jobs.sp_stop_job(uuid) TO jobs_operator;
  END IF;
END $$;
