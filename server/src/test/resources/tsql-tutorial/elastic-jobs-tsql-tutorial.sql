-- Microsoft's tutorial "Create and manage elastic jobs by using T-SQL" (MicrosoftDocs/sql-docs,
-- azure-sql/database/elastic-jobs-tsql-create-manage.md, revision of 11/13/2023), translated mechanically for
-- fleetjobs. TsqlTutorialTest runs it with psql against a job database, one "-- ##" section at a time, in order,
-- and checks each section's documented effect in the jobs.* views and through the REST API.
--
-- How it was translated:
--   * EXEC jobs.sp_x @a = 1, @b = N'v' is CALL jobs.sp_x(a => 1, b => 'v'); a positional argument stays
--     positional; [jobs] is jobs; N'...' is '...'; GO is left out (psql runs each statement as it comes).
--   * An OUTPUT variable is read from the row the CALL returns: \gset keeps it in a psql variable.
--   * Credentials: CREATE DATABASE SCOPED CREDENTIAL is PUT /api/v1/credentials/{name} (the agent seals the
--     password with its master key), and CREATE LOGIN/USER on the targets is CREATE ROLE ... LOGIN; the test does
--     both before the first section. With credentials, the tutorial says, the parameters it comments out for
--     Microsoft Entra are given: refresh_credential_name on server and pool members, credential_name on steps,
--     output_credential_name on outputs.
--   * Servers: server1.database.windows.net, London.database.windows.net and server2.database.windows.net are the
--     psql variables :'server1', :'london' and :'server2' (host:port). server1 holds an elastic pool, so it is a SQL
--     Server: its members say engine => 'sqlserver' (an SqlElasticPool member needs not) and outputs to it
--     output_engine => 'sqlserver'. Its master database is called postgres here.
--   * Step commands are rewritten from T-SQL into PostgreSQL. $(job_execution_id) is quoted: the variables are
--     substituted as plain text.
--   * WHERE is_active = 1 is WHERE is_active: the column is a boolean.
--   * The tutorial's own slips are mended: ResultPoolsJob is ResultsPoolsJob; "the steps of all versions" are in
--     jobs.jobstep_versions; the placeholders <resultsdb> and <resultstable> are resultsdb and db_resource_stats
--     (ResultsPoolsJob writes another shape to resultsdb.resultstable); "Cancel a job" stops the execution its
--     query finds instead of the placeholder id, and starts one first, since nothing else runs ResultsPoolsJob.

-- ## Define target servers and databases
CALL jobs.sp_add_target_group('ServerGroup1');

CALL jobs.sp_add_target_group_member(
  target_group_name => 'ServerGroup1',
  target_type => 'SqlServer',
  refresh_credential_name => 'refresh_credential',
  server_name => :'server1',
  engine => 'sqlserver');

SELECT * FROM jobs.target_groups WHERE target_group_name = 'ServerGroup1';
SELECT * FROM jobs.target_group_members WHERE target_group_name = 'ServerGroup1';

-- ## Exclude an individual database
CALL jobs.sp_add_target_group('ServerGroup');

CALL jobs.sp_add_target_group_member(
  target_group_name => 'ServerGroup',
  target_type => 'SqlServer',
  refresh_credential_name => 'refresh_credential',
  server_name => :'london');

CALL jobs.sp_add_target_group_member(
  target_group_name => 'ServerGroup',
  target_type => 'SqlServer',
  refresh_credential_name => 'refresh_credential',
  server_name => :'server2');

CALL jobs.sp_add_target_group_member(
  target_group_name => 'ServerGroup',
  membership_type => 'Exclude',
  target_type => 'SqlDatabase',
  server_name => :'server1',
  database_name => 'MappingDB',
  engine => 'sqlserver');

SELECT * FROM jobs.target_groups WHERE target_group_name = 'ServerGroup';
SELECT * FROM jobs.target_group_members WHERE target_group_name = 'ServerGroup';

-- ## Create a target group (pools)
CALL jobs.sp_add_target_group('PoolGroup');

CALL jobs.sp_add_target_group_member(
  target_group_name => 'PoolGroup',
  target_type => 'SqlElasticPool',
  refresh_credential_name => 'refresh_credential',
  server_name => :'server1',
  elastic_pool_name => 'ElasticPool-1');

SELECT * FROM jobs.target_groups WHERE target_group_name = 'PoolGroup';
SELECT * FROM jobs.target_group_members WHERE target_group_name = 'PoolGroup';

-- ## Deploy new schema to many databases
CALL jobs.sp_add_job(job_name => 'CreateTableTest', description => 'Create Table Test');

CALL jobs.sp_add_jobstep(
  job_name => 'CreateTableTest',
  command => 'CREATE TABLE IF NOT EXISTS dbo."Test" ("TestId" int NOT NULL);',
  credential_name => 'job_credential',
  target_group_name => 'PoolGroup');

-- ## Monitor database performance
CALL jobs.sp_add_job(job_name => 'ResultsJob', description => 'Collection Performance data from all customers');

CALL jobs.sp_add_jobstep(
  job_name => 'ResultsJob',
  command => 'SELECT current_database()::text AS "DatabaseName", ''$(job_execution_id)''::uuid AS job_execution_id,
                     numbackends, xact_commit, xact_rollback, blks_read, blks_hit
                FROM pg_stat_database WHERE datname = current_database();',
  credential_name => 'job_credential',
  target_group_name => 'PoolGroup',
  output_type => 'SqlDatabase',
  output_credential_name => 'job_credential',
  output_server_name => :'server1',
  output_database_name => 'resultsdb',
  output_table_name => 'db_resource_stats',
  output_engine => 'sqlserver');

CALL jobs.sp_add_target_group('ElasticJobGroup');

CALL jobs.sp_add_target_group_member(
  target_group_name => 'ElasticJobGroup',
  target_type => 'SqlDatabase',
  server_name => :'server1',
  database_name => 'postgres',
  engine => 'sqlserver');

CALL jobs.sp_add_job(
  job_name => 'ResultsPoolsJob',
  description => 'Demo: Collection Performance data from all pools',
  schedule_interval_type => 'Minutes',
  schedule_interval_count => 15);

CALL jobs.sp_add_jobstep(
  job_name => 'ResultsPoolsJob',
  command => 'SELECT shobj_description(d.oid, ''pg_database'') AS elastic_pool_name, now() AS end_time,
                     count(*)::int AS databases, sum(pg_database_size(d.oid))::bigint AS storage_bytes
                FROM pg_database d
               WHERE shobj_description(d.oid, ''pg_database'') IS NOT NULL
               GROUP BY 1;',
  credential_name => 'job_credential',
  target_group_name => 'ElasticJobGroup',
  output_type => 'SqlDatabase',
  output_credential_name => 'job_credential',
  output_server_name => :'server1',
  output_database_name => 'resultsdb',
  output_table_name => 'resultstable',
  output_engine => 'sqlserver');

-- ## Run the job
CALL jobs.sp_start_job('CreateTableTest');

CALL jobs.sp_start_job('CreateTableTest', job_execution_id => NULL) \gset
SELECT :'job_execution_id' AS je;

SELECT * FROM jobs.job_executions WHERE job_execution_id = :'job_execution_id';

-- ## Schedule execution of a job
CALL jobs.sp_update_job(
  job_name => 'ResultsJob',
  enabled => 1,
  schedule_interval_type => 'Minutes',
  schedule_interval_count => 15);

-- ## View job definitions
SELECT * FROM jobs.jobs;

SELECT js.* FROM jobs.jobsteps js
  JOIN jobs.jobs j ON j.job_id = js.job_id AND j.job_version = js.job_version;

SELECT * FROM jobs.jobstep_versions;

-- ## Monitor job execution status
SELECT * FROM jobs.job_executions
 WHERE job_name = 'ResultsPoolsJob' AND step_id IS NULL
 ORDER BY start_time DESC;

SELECT * FROM jobs.job_executions WHERE step_id IS NULL
 ORDER BY start_time DESC;

SELECT * FROM jobs.job_executions
 WHERE job_name = 'ResultsPoolsJob'
 ORDER BY start_time DESC;

SELECT * FROM jobs.job_executions
 WHERE is_active
 ORDER BY start_time DESC;

-- ## Cancel a job
CALL jobs.sp_start_job('ResultsPoolsJob');

SELECT * FROM jobs.job_executions
 WHERE is_active AND job_name = 'ResultsPoolsJob'
 ORDER BY start_time DESC;

SELECT job_execution_id FROM jobs.job_executions
 WHERE is_active AND job_name = 'ResultsPoolsJob' AND step_id IS NULL \gset

CALL jobs.sp_stop_job(:'job_execution_id');

-- ## Delete old job history
CALL jobs.sp_purge_jobhistory(job_name => 'ResultsPoolsJob', oldest_date => '2016-07-01 00:00:00');

-- ## Delete a job and all its job history
CALL jobs.sp_delete_job(job_name => 'ResultsPoolsJob');
CALL jobs.sp_purge_jobhistory(job_name => 'ResultsPoolsJob');
