-- Rollouts: a step may run in waves with an error budget, and an execution may pause (a fleetjobs extension to
-- the Elastic Jobs lifecycle values; it counts as active). Dry runs: an execution whose scripts are rolled back.
INSERT INTO jobs_internal.lifecycles (lifecycle, is_active, metric_name) VALUES ('Paused', true, NULL);

-- {"waves": [1, "5%", "100%"], "errorBudget": {"maxFailedTargets": 2, "maxFailedPercent": 10},
--  "betweenWaves": "PT5M" | "Manual"}, as the API takes it; NULL runs the step all at once.
ALTER TABLE jobs_internal.jobstep_versions ADD COLUMN rollout jsonb;

ALTER TABLE jobs_internal.step_executions
  -- The rollout the step runs with: the version's, with the error budget raised by any resume.
  ADD COLUMN rollout jsonb,
  -- How many waves have been released (1-based); NULL for a step without rollout.
  ADD COLUMN current_wave integer,
  ADD COLUMN wave_count integer,
  -- Why the step paused: the error budget, a manual gate, an alert rule, an operator.
  ADD COLUMN paused_reason text;

-- The wave a target belongs to (NULL without rollout). A target of a wave not yet released waits with
-- next_attempt_start_time 'infinity', so the claim's readiness test alone gates the waves.
ALTER TABLE jobs_internal.target_executions ADD COLUMN wave integer;
-- A member whose databases go first in a rollout's order.
ALTER TABLE jobs_internal.target_group_members ADD COLUMN canary boolean NOT NULL DEFAULT false;
-- Brought in by a member marked canary: such targets go first in a rollout's order.
ALTER TABLE jobs_internal.target_executions ADD COLUMN canary boolean NOT NULL DEFAULT false;

ALTER TABLE jobs_internal.job_executions ADD COLUMN dry_run boolean NOT NULL DEFAULT false;

-- What a dry run saw on a target: each statement's rows, and the first rows of its first result set.
ALTER TABLE jobs_internal.target_executions ADD COLUMN dry_run_result jsonb;
