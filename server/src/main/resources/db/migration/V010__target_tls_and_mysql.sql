-- Targets as they run in production: TLS modes and sign-in per member, MySQL and MariaDB members, and passwords
-- given by reference to the platform's secrets.

-- The mysql engine (MySQL 8, MariaDB 10.6+) joins postgresql and sqlserver.
ALTER TABLE jobs_internal.target_group_members DROP CONSTRAINT target_group_members_engine_check;
ALTER TABLE jobs_internal.target_group_members
  ADD CONSTRAINT target_group_members_engine_check CHECK (engine IN ('postgresql', 'sqlserver', 'mysql'));

-- A postgresql or mysql member's TLS mode, in its engine's own words (libpq's sslmode, MySQL's --ssl-mode); NULL
-- takes the agent's default for the engine. Like trust_server_certificate, not part of what a member selects.
ALTER TABLE jobs_internal.target_group_members ADD COLUMN ssl_mode text;
-- How the member's connections sign in: NULL with the step's stored credential; 'Entra' (postgresql members) with
-- the agent's Microsoft Entra token as the password of the credential's user.
ALTER TABLE jobs_internal.target_group_members ADD COLUMN authentication text
  CHECK (authentication IN ('Entra'));
ALTER TYPE jobs_internal.member_definition ADD ATTRIBUTE ssl_mode text;
ALTER TYPE jobs_internal.member_definition ADD ATTRIBUTE authentication text;

-- Copied from the member when the step starts, as trust_server_certificate is. ssl_mode is the mode in force (the
-- member's, or the agent's default then), so a target row shows how it connected.
ALTER TABLE jobs_internal.target_executions ADD COLUMN ssl_mode text;
ALTER TABLE jobs_internal.target_executions ADD COLUMN authentication text;

-- The output server's TLS mode; NULL takes the agent's default for the output engine.
ALTER TABLE jobs_internal.jobstep_versions ADD COLUMN output_ssl_mode text;

-- A password given by reference ({"file": …} or {"env": …}) is read when used and never stored; a credential has
-- either a sealed password or a reference.
ALTER TABLE jobs_internal.credentials ADD COLUMN password_from jsonb;
ALTER TABLE jobs_internal.credentials ALTER COLUMN password_sealed DROP NOT NULL;
ALTER TABLE jobs_internal.credentials
  ADD CONSTRAINT credentials_one_password CHECK ((password_sealed IS NULL) <> (password_from IS NULL));
