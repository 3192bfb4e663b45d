-- Slack and Microsoft Teams receivers, and notifications about job executions (execution notifications) in the
-- same outbox as alert notifications, with the same retries, signing, replay and delivery log.

-- A chat receiver's incoming-webhook URL is its secret (the token is in the path): it is sealed in
-- secret_sealed like a webhook's signing secret, and address holds only its scheme and host, for the API, the
-- delivery log and the per-destination limit on attempts in flight.
ALTER TABLE alerts.receivers DROP CONSTRAINT receivers_kind_check;
ALTER TABLE alerts.receivers ADD CONSTRAINT receivers_kind_check
  CHECK (kind IN ('email', 'webhook', 'slack', 'teams'));

ALTER TABLE alerts.notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE alerts.notifications ADD CONSTRAINT notifications_kind_check
  CHECK (kind IN ('email', 'webhook', 'slack', 'teams'));

-- For a notice about a job execution: which execution, and which execution notification asked for it. Such a
-- row has no alert_id, and its monitor_condition holds the execution's lifecycle (Failed, Paused, ...).
ALTER TABLE alerts.notifications
  ADD COLUMN job_execution_id       uuid,
  ADD COLUMN execution_notification text;
CREATE INDEX notifications_by_execution ON alerts.notifications (job_execution_id)
  WHERE job_execution_id IS NOT NULL;
