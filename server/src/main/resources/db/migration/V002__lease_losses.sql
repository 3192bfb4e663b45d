-- How many times the agent running a target died (its lease expired) before the target finished. A lost
-- lease spends no attempt; this counter bounds how often that may happen (jobs_internal.max_lease_losses()).
ALTER TABLE jobs_internal.target_executions ADD COLUMN lease_losses integer NOT NULL DEFAULT 0;
