-- The jobs deleted within the history retention, so that purging a deleted job's history (which went with the
-- job, and which Microsoft's tutorial purges right after sp_delete_job) finds nothing left to purge, while a
-- name that never was a job stays unknown. The scheduler's history purge removes the older ones.
CREATE TABLE jobs_internal.deleted_jobs (
  job_id       uuid        PRIMARY KEY,
  job_name     text        NOT NULL,
  deleted_time timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deleted_jobs_by_name ON jobs_internal.deleted_jobs (job_name);
CREATE INDEX deleted_jobs_by_time ON jobs_internal.deleted_jobs (deleted_time);
