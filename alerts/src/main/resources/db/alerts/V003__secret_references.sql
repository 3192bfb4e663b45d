-- A webhook receiver's signing secret may be given by reference, as a credential's password is: where it is
-- read at each delivery ({"file": "/run/secrets/hook"} or {"env": "FLEETJOBS_SECRET_HOOK"}), never its value.
-- Such a receiver stores no sealed secret.
ALTER TABLE alerts.receivers ADD COLUMN secret_from jsonb;
ALTER TABLE alerts.receivers ADD CONSTRAINT receivers_secret_from_check
  CHECK (secret_from IS NULL OR (kind = 'webhook' AND secret_sealed IS NULL));
