-- The roles of the T-SQL procedures: jobs_admin may call every jobs.sp_* procedure, jobs_operator only
-- sp_start_job and sp_stop_job (R__procedures.sql grants them). Both read the views, as members of jobs_reader, and
-- neither reaches jobs_internal but through the procedures. Roles belong to the whole cluster, so another job
-- database on the same server may have made them already; as in V001, a login without CREATEROLE leaves them to
-- the DBA instead of failing the migration.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_admin') THEN
    CREATE ROLE jobs_admin NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_operator') THEN
    CREATE ROLE jobs_operator NOLOGIN;
  END IF;
  GRANT USAGE ON SCHEMA jobs TO jobs_admin, jobs_operator;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobs_reader') THEN
    GRANT jobs_reader TO jobs_admin, jobs_operator;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'Cannot create roles jobs_admin and jobs_operator; create them, make them members of jobs_reader and '
    'grant EXECUTE on the jobs.sp_* procedures by hand (see "T-SQL procedures" in README.md).';
END $$;
