-- Alert rules, action groups, alert instances and the notification outbox. A state change of an alert
-- and the notifications it causes are written in one transaction, so none is lost or sent twice.
-- The alerts module keeps its own Flyway history (alerts.flyway_schema_history) and numbering; Flyway
-- creates the alerts schema.

CREATE TABLE alerts.alert_rules (
  rule_name           text        PRIMARY KEY,
  -- The rule as the API shows it; validated by the agent before it is stored.
  definition          jsonb       NOT NULL,
  enabled             boolean     NOT NULL,
  -- Job-database time of the newest snapshot applied: an agent holding an older one skips its turn.
  last_evaluated_at   timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alerts.action_groups (
  group_name  text        PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alerts.receivers (
  group_name              text        NOT NULL REFERENCES alerts.action_groups ON DELETE CASCADE,
  receiver_name           text        NOT NULL,
  kind                    text        NOT NULL CHECK (kind IN ('email', 'webhook')),
  -- The email address or the webhook's service URI.
  address                 text        NOT NULL,
  use_common_alert_schema boolean     NOT NULL DEFAULT true,
  -- AES-GCM under the master key, bound to the group and receiver names. Webhooks only.
  secret_sealed           bytea,
  position                integer     NOT NULL,
  -- Set when a receiver answered 410 Gone; saving the action group again clears it.
  disabled_at             timestamptz,
  disabled_reason         text,
  PRIMARY KEY (group_name, receiver_name)
);

CREATE TABLE alerts.processing_rules (
  rule_name   text        PRIMARY KEY,
  definition  jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alerts.alerts (
  alert_id           uuid        PRIMARY KEY,
  rule_name          text        NOT NULL,
  instance_key       text        NOT NULL,
  dimensions         jsonb       NOT NULL,
  severity           integer     NOT NULL,
  monitor_condition  text        NOT NULL CHECK (monitor_condition IN ('Fired', 'Resolved')),
  fired_at           timestamptz NOT NULL,
  resolved_at        timestamptz,
  -- Null while the condition breaches; set when it was first seen clear.
  clear_since        timestamptz,
  -- The criteria values at the last notifying transition: [{metricName, value, ...}].
  metric_values      jsonb       NOT NULL,
  -- Grows with every notifying transition, so receivers can order what they get.
  sequence           integer     NOT NULL DEFAULT 1
);
-- An instance fires once at a time, whichever agent evaluates it.
CREATE UNIQUE INDEX alerts_one_open_per_instance ON alerts.alerts (rule_name, instance_key)
  WHERE monitor_condition = 'Fired';
CREATE INDEX alerts_by_time ON alerts.alerts (fired_at DESC);

CREATE TABLE alerts.notifications (
  notification_id  uuid        PRIMARY KEY,
  -- The webhook-id (and the mail's Message-ID): the same on every retry and replay.
  message_id       text        NOT NULL UNIQUE,
  alert_id         uuid        REFERENCES alerts.alerts ON DELETE CASCADE,
  monitor_condition text       NOT NULL,
  is_test          boolean     NOT NULL DEFAULT false,
  group_name       text        NOT NULL,
  receiver_name    text        NOT NULL,
  kind             text        NOT NULL CHECK (kind IN ('email', 'webhook')),
  address          text        NOT NULL,
  -- Email: the subject; webhooks: null.
  subject          text,
  -- The exact bytes sent: the webhook body, or the mail's text. Text, not jsonb, so signatures hold.
  body             text        NOT NULL,
  -- Email threading headers: Message-ID, In-Reply-To, References.
  headers          jsonb       NOT NULL DEFAULT '{}',
  status           text        NOT NULL CHECK (status IN ('Pending', 'Delivering', 'Delivered', 'DeadLettered',
                                 'Suppressed', 'Deferred', 'Summarized', 'ReceiverDisabled')),
  -- Attempts in the current round (a replay starts a new one) and in the notification's whole life.
  attempts         integer     NOT NULL DEFAULT 0,
  total_attempts   integer     NOT NULL DEFAULT 0,
  max_attempts     integer     NOT NULL,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_owner      text,
  lease_until      timestamptz,
  -- Bumped by every claim: a result from an agent that lost its lease is not applied.
  claim            integer     NOT NULL DEFAULT 0,
  -- For Suppressed and Deferred rows: which processing rule, and until when.
  suppressed_by    text,
  deferred_until   timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  last_error       text
);
CREATE INDEX notifications_due ON alerts.notifications (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX notifications_leased ON alerts.notifications (lease_until) WHERE status = 'Delivering';
CREATE INDEX notifications_deferred ON alerts.notifications (deferred_until) WHERE status = 'Deferred';
CREATE INDEX notifications_by_alert ON alerts.notifications (alert_id, created_at);
CREATE INDEX notifications_by_time ON alerts.notifications (created_at DESC);

CREATE TABLE alerts.delivery_attempts (
  notification_id  uuid        NOT NULL REFERENCES alerts.notifications ON DELETE CASCADE,
  -- Counts every attempt of the notification, replays included.
  attempt          integer     NOT NULL,
  started_at       timestamptz NOT NULL,
  latency_ms       integer     NOT NULL,
  outcome          text        NOT NULL,
  response_code    integer,
  error            text,
  agent            text        NOT NULL,
  PRIMARY KEY (notification_id, attempt)
);
