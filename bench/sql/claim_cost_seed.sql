-- The claim's worst case for goal 5 (issue 20): one job whose current execution has :targets Created targets, all
-- ready at the same time, beside :running InProgress targets with live leases (an agent at JA800), and a history of
-- three earlier finished executions of the same databases. claim_cost.sh runs it in a fresh job database, with
-- :maxpar the step's maxParallelism per server (NULL for none; ten servers).
\set ON_ERROR_STOP 1
SET search_path = jobs_internal;
INSERT INTO jobs (job_id, job_name, job_version) VALUES ('00000000-0000-0000-0000-00000000000a', 'bench', 1);
INSERT INTO job_versions (job_id, job_version) VALUES ('00000000-0000-0000-0000-00000000000a', 1);
-- Executions 1 to 3 ended a day apart; execution 4 runs now.
INSERT INTO job_executions (job_execution_id, job_id, job_version, lifecycle, create_time, start_time, end_time,
                            trigger_type)
SELECT ('00000000-0000-0000-0000-00000000000' || n)::uuid, '00000000-0000-0000-0000-00000000000a', 1,
       CASE WHEN n = 4 THEN 'InProgress' ELSE 'Succeeded' END,
       now() - make_interval(days => 4 - n, mins => 10), now() - make_interval(days => 4 - n, mins => 10),
       CASE WHEN n = 4 THEN NULL ELSE now() - make_interval(days => 4 - n) END, 'Manual'
  FROM generate_series(1, 4) n;
INSERT INTO step_executions (job_execution_id, step_id, step_name, target_group_name, lifecycle, create_time)
SELECT job_execution_id, 1, 'deploy', 'fleet', CASE WHEN lifecycle = 'InProgress' THEN 'InProgress' ELSE 'Succeeded' END,
       create_time
  FROM job_executions;
-- Databases 1 to :running run now (live leases); the rest wait, ready since the step started.
INSERT INTO target_executions (job_execution_id, step_id, job_id, step_name, target_type, engine, server_name,
                               server_key, database_name, lifecycle, create_time, start_time, end_time,
                               current_attempts, max_attempts, current_attempt_start_time, next_attempt_start_time,
                               parallel_group, max_parallelism, lease_owner, lease_until, claim)
SELECT e.job_execution_id, 1, e.job_id, 'deploy', 'SqlDatabase', 'postgresql', 'server' || (d % 10),
       'server' || (d % 10), 'db' || d,
       CASE WHEN e.end_time IS NOT NULL THEN 'Succeeded' WHEN d <= :running THEN 'InProgress' ELSE 'Created' END,
       e.create_time,
       CASE WHEN e.end_time IS NOT NULL OR d <= :running THEN e.create_time END,
       e.end_time,
       CASE WHEN e.end_time IS NOT NULL OR d <= :running THEN 1 ELSE 0 END, 3,
       CASE WHEN e.end_time IS NOT NULL OR d <= :running THEN e.create_time END,
       CASE WHEN e.end_time IS NULL AND d > :running THEN e.create_time END,
       'server' || (d % 10), :maxpar,
       CASE WHEN e.end_time IS NULL AND d <= :running THEN 'other-agent' END,
       CASE WHEN e.end_time IS NULL AND d <= :running THEN now() + interval '1 hour' END,
       CASE WHEN e.end_time IS NOT NULL OR d <= :running THEN 1 ELSE 0 END
  FROM job_executions e, generate_series(1, :running + :targets) d;
VACUUM ANALYZE;
