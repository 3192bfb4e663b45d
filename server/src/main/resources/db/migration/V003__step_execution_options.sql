-- Two execution options of a step, fleetjobs extensions to Elastic Jobs' executionOptions:
--   retry_on     'Transient' retries only what can succeed on a retry; 'Any' retries every failure, as Azure does;
--   transaction  'Statement' autocommits each statement, as psql does; 'Script' runs the whole script in one
--                transaction, as psql --single-transaction does.
ALTER TABLE jobs_internal.jobstep_versions
  ADD COLUMN retry_on text NOT NULL DEFAULT 'Transient' CHECK (retry_on IN ('Transient', 'Any')),
  ADD COLUMN transaction text NOT NULL DEFAULT 'Statement' CHECK (transaction IN ('Statement', 'Script'));
