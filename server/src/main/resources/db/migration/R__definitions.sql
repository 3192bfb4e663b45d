-- The definition rules (validation, defaults, versioning, step renumbering), each defined once. The REST API
-- calls these routines, and the Elastic Jobs procedures (jobs.sp_*) wrap the same ones, so both surfaces
-- accept and refuse exactly the same things. None of them decides by time except save_job, which takes
-- p_now from the agent's clock.
--
-- Errors carry a SQLSTATE the agent maps to HTTP, and the offending parameter in COLUMN:
--   FJ400 invalid value (400) · FJ422 unknown reference (400) · FJ404 not found (404) · FJ409 conflict (409)

CREATE OR REPLACE FUNCTION jobs_internal.fail(p_code text, p_field text, p_message text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = p_code, MESSAGE = p_message, COLUMN = p_field;
END $$;

-- Fails with an invalid value (FJ400) when a *_problem function found one: p_problem is {field, message}.
CREATE OR REPLACE FUNCTION jobs_internal.fail_on(p_problem text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_problem IS NOT NULL THEN
    PERFORM jobs_internal.fail('FJ400', p_problem[1], p_problem[2]);
  END IF;
END $$;

-- Each check_* fails with the problem its *_problem twin finds: {field, message}, or NULL when the value is
-- fine. One definition of each rule, which a routine checking one value raises at once, and which
-- save_target_group evaluates over many rows in one query. The *_problem functions are plain SQL
-- expressions, so PostgreSQL inlines them into such a query.

-- Names follow nvarchar(128) object names: required, at most 128 characters, no control characters.
CREATE OR REPLACE FUNCTION jobs_internal.name_problem(p_field text, p_value text, p_max integer DEFAULT 128)
RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE
           WHEN p_value IS NULL OR p_value = '' THEN ARRAY[p_field, format('%s is required.', p_field)]
           WHEN length(p_value) > p_max THEN
             ARRAY[p_field, format('%s must be at most %s characters.', p_field, p_max)]
           WHEN p_value ~ '[[:cntrl:]]' THEN ARRAY[p_field, format('%s must not contain control characters.', p_field)]
         END
$$;

CREATE OR REPLACE FUNCTION jobs_internal.check_name(p_field text, p_value text, p_max integer DEFAULT 128) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.fail_on(jobs_internal.name_problem(p_field, p_value, p_max));
END $$;

CREATE OR REPLACE FUNCTION jobs_internal.optional_name_problem(p_field text, p_value text, p_max integer DEFAULT 128)
RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_value IS NOT NULL THEN jobs_internal.name_problem(p_field, p_value, p_max) END
$$;

CREATE OR REPLACE FUNCTION jobs_internal.check_optional_name(p_field text, p_value text, p_max integer DEFAULT 128) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.fail_on(jobs_internal.optional_name_problem(p_field, p_value, p_max));
END $$;

CREATE OR REPLACE FUNCTION jobs_internal.one_of_problem(p_field text, p_value text, p_allowed text[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT CASE
           WHEN p_value IS NULL OR NOT p_value = ANY (p_allowed)
             THEN ARRAY[p_field, format('%s must be one of %s.', p_field, array_to_string(p_allowed, ', '))]
         END
$$;

CREATE OR REPLACE FUNCTION jobs_internal.check_one_of(p_field text, p_value text, p_allowed text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.fail_on(jobs_internal.one_of_problem(p_field, p_value, p_allowed));
END $$;

-- host, host:port, or [ipv6]:port, the port from 1 to 65535. Once the pattern matched, a port is what follows
-- the last colon unless the value ends with the bracket of an address: a host name has no colon. (CASE tests
-- in order, so the port is read only from a value that matched; a second pattern to read it cost twice as
-- much as the first, for each member of a group of 10,000.)
CREATE OR REPLACE FUNCTION jobs_internal.server_name_problem(p_field text, p_value text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    jobs_internal.name_problem(p_field, p_value, 256),
    CASE
      WHEN p_value !~ '^([A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$'
        THEN ARRAY[p_field, format('%s must be a host name or address, optionally followed by :port.', p_field)]
      WHEN right(p_value, 1) <> ']' AND strpos(p_value, ':') > 0
           AND split_part(p_value, ':', -1)::integer NOT BETWEEN 1 AND 65535
        THEN ARRAY[p_field, format('%s must be a host name or address, optionally followed by :port.', p_field)]
    END)
$$;

CREATE OR REPLACE FUNCTION jobs_internal.check_server_name(p_field text, p_value text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.fail_on(jobs_internal.server_name_problem(p_field, p_value));
END $$;

-- Resolves a credential reference; FOR KEY SHARE keeps it from being deleted until this transaction ends.
CREATE OR REPLACE FUNCTION jobs_internal.credential_id_of(p_field text, p_credential_name text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE v_id uuid;
BEGIN
  IF p_credential_name IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT credential_id INTO v_id
    FROM jobs_internal.credentials
   WHERE credential_name = p_credential_name
     FOR KEY SHARE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ422', p_field, format('Credential %L does not exist.', p_credential_name));
  END IF;
  RETURN v_id;
END $$;

CREATE OR REPLACE FUNCTION jobs_internal.target_group_id_of(p_field text, p_target_group_name text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE v_id uuid;
BEGIN
  PERFORM jobs_internal.check_name(p_field, p_target_group_name);
  SELECT target_group_id INTO v_id
    FROM jobs_internal.target_groups
   WHERE target_group_name = p_target_group_name
     FOR KEY SHARE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ422', p_field, format('Target group %L does not exist.', p_target_group_name));
  END IF;
  RETURN v_id;
END $$;

-- The action type of a step that names none, fixed when the step is saved: TSql (sqlcmd's GO batches) when
-- the group brings in any sqlserver database, Sql (psql's statements) when it brings in only postgresql ones.
-- TSql honours GO on both engines, so a mixed group runs the same script everywhere.
CREATE OR REPLACE FUNCTION jobs_internal.default_command_type(p_target_group_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN EXISTS (SELECT 1 FROM jobs_internal.target_group_members m
                            WHERE m.target_group_id = p_target_group_id
                              AND m.membership_type = 'Include'
                              AND m.engine = 'sqlserver')
              THEN 'TSql' ELSE 'Sql' END
$$;

-- ---------------------------------------------------------------------------------------------
-- Credentials: the agent seals the password before it reaches the database, or stores where to read it when used
-- (p_password_from: {"file": path} or {"env": name}), never the value.
DROP FUNCTION IF EXISTS jobs_internal.save_credential(text, text, bytea);
CREATE OR REPLACE FUNCTION jobs_internal.save_credential(p_credential_name text, p_username text, p_password_sealed bytea,
                                                         p_password_from jsonb DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE v_created boolean;
BEGIN
  PERFORM jobs_internal.check_name('credential_name', p_credential_name);
  PERFORM jobs_internal.check_name('username', p_username);
  IF (p_password_sealed IS NULL) = (p_password_from IS NULL) THEN
    PERFORM jobs_internal.fail('FJ400', 'password', 'Give either password or passwordFrom.');
  END IF;
  INSERT INTO jobs_internal.credentials AS c (credential_name, username, password_sealed, password_from)
  VALUES (p_credential_name, p_username, p_password_sealed, p_password_from)
  ON CONFLICT (credential_name) DO UPDATE
     SET username = excluded.username, password_sealed = excluded.password_sealed,
         password_from = excluded.password_from, updated_time = now()
  RETURNING (xmax = 0) INTO v_created;
  RETURN v_created;
END $$;

CREATE OR REPLACE FUNCTION jobs_internal.delete_credential(p_credential_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid;
  v_use record;
BEGIN
  SELECT credential_id INTO v_id
    FROM jobs_internal.credentials
   WHERE credential_name = p_credential_name
     FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'credential_name', format('Credential %L does not exist.', p_credential_name));
  END IF;
  SELECT j.job_name, s.step_name INTO v_use
    FROM jobs_internal.jobstep_versions s
    JOIN jobs_internal.jobs j ON j.job_id = s.job_id AND j.job_version = s.job_version
   WHERE s.credential_id = v_id OR s.output_credential_id = v_id
   ORDER BY j.job_name, s.step_id
   LIMIT 1;
  IF FOUND THEN
    PERFORM jobs_internal.fail('FJ409', 'credential_name',
      format('Credential %L is used by step %L of job %L.', p_credential_name, v_use.step_name, v_use.job_name));
  END IF;
  SELECT g.target_group_name INTO v_use
    FROM jobs_internal.target_group_members m
    JOIN jobs_internal.target_groups g USING (target_group_id)
   WHERE m.refresh_credential_id = v_id
   ORDER BY g.target_group_name
   LIMIT 1;
  IF FOUND THEN
    PERFORM jobs_internal.fail('FJ409', 'credential_name',
      format('Credential %L is the refresh credential of a member of target group %L.',
             p_credential_name, v_use.target_group_name));
  END IF;
  DELETE FROM jobs_internal.credentials WHERE credential_id = v_id;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Target groups

-- What a member selects; host names compare without case, as DNS does. STABLE, as concat_ws is, so that
-- PostgreSQL inlines it into the queries that match thousands of members.
CREATE OR REPLACE FUNCTION jobs_internal.member_identity(
  p_target_type text, p_engine text, p_server_name text, p_database_name text, p_elastic_pool_name text)
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT concat_ws('/', p_target_type, p_engine, lower(p_server_name), p_database_name, p_elastic_pool_name)
$$;

-- What is wrong with a member's TLS mode (in its engine's words: libpq's sslmode, MySQL's --ssl-mode) and how it
-- signs in, as {field, message}, or NULL. A Microsoft Entra token is a bearer credential, so it goes only to a
-- server whose certificate is checked.
CREATE OR REPLACE FUNCTION jobs_internal.member_tls_problem(p_prefix text, p_engine text, p_ssl_mode text,
                                                            p_authentication text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    CASE
      WHEN p_ssl_mode IS NOT NULL AND p_engine = 'sqlserver' THEN
        ARRAY[p_prefix || 'ssl_mode',
              'A sqlserver member is always encrypted; trust_server_certificate says whether its certificate is checked.']
    END,
    CASE
      WHEN p_ssl_mode IS NOT NULL THEN
        jobs_internal.one_of_problem(p_prefix || 'ssl_mode', p_ssl_mode, CASE p_engine
          WHEN 'mysql' THEN ARRAY['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY']
          ELSE ARRAY['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] END)
    END,
    CASE
      WHEN p_authentication IS NOT NULL THEN
        jobs_internal.one_of_problem(p_prefix || 'authentication', p_authentication, ARRAY['SqlLogin', 'Entra'])
    END,
    CASE
      WHEN p_authentication = 'Entra' AND p_engine = 'sqlserver' THEN
        ARRAY[p_prefix || 'authentication',
              'A sqlserver member signs in with the agent''s Entra identity once FLEETJOBS_ENTRA_MODE is set.']
      WHEN p_authentication = 'Entra' AND p_engine <> 'postgresql' THEN
        ARRAY[p_prefix || 'authentication', format('A %s member signs in with stored credentials only.', p_engine)]
      WHEN p_authentication = 'Entra' AND p_ssl_mode IS NOT NULL AND p_ssl_mode NOT IN ('verify-ca', 'verify-full') THEN
        ARRAY[p_prefix || 'ssl_mode',
              'An Entra member sends a token as its password, so its sslMode must be verify-ca or verify-full.']
    END)
$$;

CREATE OR REPLACE FUNCTION jobs_internal.check_member_tls(p_prefix text, p_engine text, p_ssl_mode text,
                                                          p_authentication text)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.fail_on(jobs_internal.member_tls_problem(p_prefix, p_engine, p_ssl_mode, p_authentication));
END $$;

-- The first thing wrong with one member, as {field, message}, or NULL when it is valid; its fields are
-- checked in this order. p_prefix names the member in error fields. Whether its refresh credential exists,
-- and whether an earlier member selects the same databases, save_target_group checks after these.
DROP FUNCTION IF EXISTS jobs_internal.member_of(text, text, text, text, text, text, text, text, boolean);
DROP FUNCTION IF EXISTS jobs_internal.member_of(text, text, text, text, text, text, text, text, boolean, text, text);
CREATE OR REPLACE FUNCTION jobs_internal.member_problem(p_prefix text, p_member jsonb) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    CASE
      WHEN jsonb_typeof(p_member->'trust_server_certificate') NOT IN ('boolean', 'null') THEN
        ARRAY[p_prefix || 'trust_server_certificate', p_prefix || 'trust_server_certificate must be true or false.']
    END,
    jobs_internal.one_of_problem(p_prefix || 'membership_type', coalesce(p_member->>'membership_type', 'Include'),
                                 ARRAY['Include', 'Exclude']),
    jobs_internal.one_of_problem(p_prefix || 'target_type', p_member->>'target_type',
                                 ARRAY['SqlServer', 'SqlElasticPool', 'SqlDatabase']),
    jobs_internal.one_of_problem(p_prefix || 'engine', coalesce(p_member->>'engine', 'postgresql'),
                                 ARRAY['postgresql', 'sqlserver', 'mysql']),
    -- The postgresql engine has no such setting: refusing the flag says so, where ignoring it would not.
    CASE
      WHEN (p_member->>'trust_server_certificate')::boolean AND coalesce(p_member->>'engine', 'postgresql') <> 'sqlserver'
        THEN ARRAY[p_prefix || 'trust_server_certificate', 'Only a sqlserver member can trust its server''s certificate.']
    END,
    jobs_internal.member_tls_problem(p_prefix, coalesce(p_member->>'engine', 'postgresql'), p_member->>'ssl_mode',
                                     p_member->>'authentication'),
    jobs_internal.server_name_problem(p_prefix || 'server_name', p_member->>'server_name'),
    jobs_internal.optional_name_problem(p_prefix || 'database_name', p_member->>'database_name'),
    jobs_internal.optional_name_problem(p_prefix || 'elastic_pool_name', p_member->>'elastic_pool_name'),
    CASE
      WHEN p_member->>'target_type' = 'SqlDatabase' AND p_member->>'database_name' IS NULL THEN
        ARRAY[p_prefix || 'database_name', 'A SqlDatabase member needs a database name.']
      WHEN p_member->>'target_type' <> 'SqlDatabase' AND p_member->>'database_name' IS NOT NULL THEN
        ARRAY[p_prefix || 'database_name', format(
          'A %s member takes no database name; use a SqlDatabase member for one database.', p_member->>'target_type')]
    END,
    CASE
      WHEN p_member->>'target_type' = 'SqlElasticPool' AND coalesce(p_member->>'engine', 'postgresql') <> 'sqlserver' THEN
        ARRAY[p_prefix || 'engine', 'Elastic pools exist only on the sqlserver engine.']
      WHEN p_member->>'target_type' = 'SqlElasticPool' AND p_member->>'elastic_pool_name' IS NULL THEN
        ARRAY[p_prefix || 'elastic_pool_name', 'A SqlElasticPool member needs an elastic pool name.']
      WHEN p_member->>'target_type' <> 'SqlElasticPool' AND p_member->>'elastic_pool_name' IS NOT NULL THEN
        ARRAY[p_prefix || 'elastic_pool_name',
              format('A %s member takes no elastic pool name.', p_member->>'target_type')]
    END,
    CASE
      WHEN p_member->>'refresh_credential_name' IS NOT NULL AND p_member->>'target_type' = 'SqlDatabase' THEN
        ARRAY[p_prefix || 'refresh_credential_name',
              'A refresh credential enumerates a server or pool; a SqlDatabase member takes none.']
      -- PostgreSQL servers have no agent identity to fall back on, so listing their databases needs a login.
      WHEN p_member->>'refresh_credential_name' IS NULL AND coalesce(p_member->>'engine', 'postgresql') = 'postgresql'
           AND p_member->>'target_type' = 'SqlServer'
           AND coalesce(p_member->>'membership_type', 'Include') = 'Include' THEN
        ARRAY[p_prefix || 'refresh_credential_name',
              'An included postgresql SqlServer member needs a refresh credential to enumerate its databases.']
    END)
$$;

-- Create-or-replace a whole group. A member is identified by what it selects (type, engine, server,
-- database, pool): one that selects what an existing member selected keeps its target_id, and takes the
-- new position, membership type, server name spelling, refresh credential, certificate trust, TLS mode and
-- sign-in. Two members that select the same thing are refused.
--
-- Set-based, so a save takes time in proportion to its members (the contract allows 10,000): one query finds
-- the first member with a problem, in member order, as checking them one by one would; one statement then
-- pairs the given members with the stored ones by identity, and deletes, updates (only what changed) and
-- inserts. The planner sees a JSON array as 100 rows and a group's members through statistics that may
-- predate the last save, so nested loops are off here: they made a 10,000-member save quadratic.
CREATE OR REPLACE FUNCTION jobs_internal.save_target_group(p_target_group_name text, p_members jsonb) RETURNS boolean
LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
DECLARE
  v_group_id uuid;
  v_created boolean;
  v_problem text[];
BEGIN
  PERFORM jobs_internal.check_name('target_group_name', p_target_group_name);
  IF p_members IS NOT NULL AND jsonb_typeof(p_members) <> 'array' THEN
    PERFORM jobs_internal.fail('FJ400', 'members', 'members must be an array.');
  END IF;
  INSERT INTO jobs_internal.target_groups AS g (target_group_name)
  VALUES (p_target_group_name)
  ON CONFLICT (target_group_name) DO UPDATE SET updated_time = now()
  RETURNING target_group_id, (xmax = 0) INTO v_group_id, v_created;

  -- The refresh credentials named stay until this transaction ends (FOR KEY SHARE), as a step's do.
  PERFORM 1
     FROM jobs_internal.credentials c
    WHERE c.credential_name IN (SELECT e->>'refresh_credential_name'
                                  FROM jsonb_array_elements(coalesce(p_members, '[]')) e)
    ORDER BY c.credential_name
      FOR KEY SHARE;

  -- {code, field, message} of the first member with a problem: its own fields first, then its refresh
  -- credential, then whether an earlier member selects the same databases.
  SELECT checked.problem INTO v_problem
    FROM (SELECT m.position,
                 CASE
                   WHEN m.problem IS NOT NULL THEN ARRAY['FJ400', m.problem[1], m.problem[2]]
                   WHEN m.credential_name IS NOT NULL AND c.credential_id IS NULL THEN
                     ARRAY['FJ422', m.prefix || 'refresh_credential_name',
                           format('Credential %L does not exist.', m.credential_name)]
                   WHEN row_number() OVER (PARTITION BY m.identity ORDER BY m.position) > 1 THEN
                     ARRAY['FJ400', format('members[%s]', m.position),
                           'This member selects the same databases as an earlier member; a database is either included or excluded.']
                 END AS problem
            FROM (SELECT e.ordinality - 1 AS position, format('members[%s].', e.ordinality - 1) AS prefix,
                         jobs_internal.member_problem(format('members[%s].', e.ordinality - 1), e.value) AS problem,
                         e.value->>'refresh_credential_name' AS credential_name,
                         jobs_internal.member_identity(e.value->>'target_type',
                           coalesce(e.value->>'engine', 'postgresql'), e.value->>'server_name',
                           e.value->>'database_name', e.value->>'elastic_pool_name') AS identity
                    FROM jsonb_array_elements(coalesce(p_members, '[]')) WITH ORDINALITY AS e) m
            LEFT JOIN jobs_internal.credentials c ON c.credential_name = m.credential_name) checked
   WHERE checked.problem IS NOT NULL
   ORDER BY checked.position
   LIMIT 1;
  IF FOUND THEN
    PERFORM jobs_internal.fail(v_problem[1], v_problem[2], v_problem[3]);
  END IF;

  WITH given AS (
    SELECT e.ordinality - 1 AS member_position,
           coalesce(e.value->>'membership_type', 'Include') AS membership_type,
           e.value->>'target_type' AS target_type,
           coalesce(e.value->>'engine', 'postgresql') AS engine,
           e.value->>'server_name' AS server_name,
           e.value->>'database_name' AS database_name,
           e.value->>'elastic_pool_name' AS elastic_pool_name,
           c.credential_id AS refresh_credential_id,
           coalesce((e.value->>'trust_server_certificate')::boolean, false) AS trust_server_certificate,
           e.value->>'ssl_mode' AS ssl_mode,
           nullif(e.value->>'authentication', 'SqlLogin') AS authentication,
           coalesce((e.value->>'canary')::boolean, false) AS canary
      FROM jsonb_array_elements(coalesce(p_members, '[]')) WITH ORDINALITY AS e
      LEFT JOIN jobs_internal.credentials c ON c.credential_name = e.value->>'refresh_credential_name'),
  stored AS (
    SELECT m.target_id, jobs_internal.member_identity(m.target_type, m.engine, m.server_name, m.database_name,
                                                      m.elastic_pool_name) AS identity
      FROM jobs_internal.target_group_members m
     WHERE m.target_group_id = v_group_id),
  -- Every given member with the stored one it keeps (if any), and every stored member no longer given.
  paired AS (
    SELECT g.*, s.target_id
      FROM (SELECT given.*, jobs_internal.member_identity(given.target_type, given.engine, given.server_name,
                                                          given.database_name, given.elastic_pool_name) AS identity
              FROM given) g
      FULL JOIN stored s ON s.identity = g.identity),
  removed AS (
    DELETE FROM jobs_internal.target_group_members m
     USING paired p
     WHERE m.target_id = p.target_id AND p.member_position IS NULL),
  kept AS (
    UPDATE jobs_internal.target_group_members m
       SET member_position = p.member_position, membership_type = p.membership_type, server_name = p.server_name,
           refresh_credential_id = p.refresh_credential_id, trust_server_certificate = p.trust_server_certificate,
           ssl_mode = p.ssl_mode, authentication = p.authentication, canary = p.canary
      FROM paired p
     WHERE m.target_id = p.target_id
       AND p.member_position IS NOT NULL
       AND (m.member_position, m.membership_type, m.server_name, m.refresh_credential_id, m.trust_server_certificate,
            m.ssl_mode, m.authentication, m.canary)
           IS DISTINCT FROM
           (p.member_position, p.membership_type, p.server_name, p.refresh_credential_id, p.trust_server_certificate,
            p.ssl_mode, p.authentication, p.canary))
  INSERT INTO jobs_internal.target_group_members
    (target_id, target_group_id, member_position, membership_type, target_type, engine, server_name,
     database_name, elastic_pool_name, refresh_credential_id, trust_server_certificate, ssl_mode, authentication,
     canary)
  SELECT gen_random_uuid(), v_group_id, p.member_position, p.membership_type, p.target_type, p.engine,
         p.server_name, p.database_name, p.elastic_pool_name, p.refresh_credential_id, p.trust_server_certificate,
         p.ssl_mode, p.authentication, p.canary
    FROM paired p
   WHERE p.target_id IS NULL;
  RETURN v_created;
END $$;

CREATE OR REPLACE FUNCTION jobs_internal.delete_target_group(p_target_group_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid;
  v_use record;
BEGIN
  SELECT target_group_id INTO v_id
    FROM jobs_internal.target_groups
   WHERE target_group_name = p_target_group_name
     FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'target_group_name',
      format('Target group %L does not exist.', p_target_group_name));
  END IF;
  SELECT j.job_name, s.step_name INTO v_use
    FROM jobs_internal.jobstep_versions s
    JOIN jobs_internal.jobs j ON j.job_id = s.job_id AND j.job_version = s.job_version
   WHERE s.target_group_id = v_id
   ORDER BY j.job_name, s.step_id
   LIMIT 1;
  IF FOUND THEN
    PERFORM jobs_internal.fail('FJ409', 'target_group_name',
      format('Target group %L is used by step %L of job %L.', p_target_group_name, v_use.step_name, v_use.job_name));
  END IF;
  DELETE FROM jobs_internal.target_groups WHERE target_group_id = v_id;
END $$;

-- A new, empty group (sp_add_target_group). A name in use is a conflict: PUT /targetGroups/{name} replaces a
-- group, adding one never does.
CREATE OR REPLACE FUNCTION jobs_internal.add_target_group(p_target_group_name text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE v_id uuid;
BEGIN
  PERFORM jobs_internal.check_name('target_group_name', p_target_group_name);
  INSERT INTO jobs_internal.target_groups (target_group_name)
  VALUES (p_target_group_name)
  ON CONFLICT (target_group_name) DO NOTHING
  RETURNING target_group_id INTO v_id;
  IF v_id IS NULL THEN
    PERFORM jobs_internal.fail('FJ409', 'target_group_name',
      format('Target group %L already exists.', p_target_group_name));
  END IF;
  RETURN v_id;
END $$;

-- Locks a group for a change of its members; returns its id.
CREATE OR REPLACE FUNCTION jobs_internal.lock_target_group(p_target_group_name text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE v_id uuid;
BEGIN
  PERFORM jobs_internal.check_name('target_group_name', p_target_group_name);
  SELECT g.target_group_id INTO v_id
    FROM jobs_internal.target_groups g
   WHERE g.target_group_name = p_target_group_name
     FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'target_group_name',
      format('Target group %L does not exist.', p_target_group_name));
  END IF;
  RETURN v_id;
END $$;

-- One member more (sp_add_target_group_member), validated and defaulted by member_of as every member of a saved
-- group is. It gets a target_id of its own and the other members keep theirs. A member that selects what
-- another member selects is a conflict: a database is either included or excluded, once.
CREATE OR REPLACE FUNCTION jobs_internal.add_target_group_member(
  p_target_group_name text, p_membership_type text, p_target_type text, p_engine text, p_server_name text,
  p_database_name text, p_elastic_pool_name text, p_refresh_credential_name text)
RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_group_id uuid := jobs_internal.lock_target_group(p_target_group_name);
  v_given jsonb := jsonb_strip_nulls(jsonb_build_object(
    'membership_type', p_membership_type, 'target_type', p_target_type, 'engine', p_engine,
    'server_name', p_server_name, 'database_name', p_database_name, 'elastic_pool_name', p_elastic_pool_name,
    'refresh_credential_name', p_refresh_credential_name));
  v_problem text[] := jobs_internal.member_problem('', v_given);
  v_member jobs_internal.member_definition;
  v_same uuid;
  v_target_id uuid := gen_random_uuid();
BEGIN
  IF v_problem IS NOT NULL THEN
    PERFORM jobs_internal.fail('FJ400', v_problem[1], v_problem[2]);
  END IF;
  v_member := ROW(coalesce(p_membership_type, 'Include'), p_target_type, coalesce(p_engine, 'postgresql'),
                  p_server_name, p_database_name, p_elastic_pool_name, NULL, false, NULL, NULL);
  IF p_refresh_credential_name IS NOT NULL THEN
    SELECT c.credential_id INTO v_member.refresh_credential_id
      FROM jobs_internal.credentials c WHERE c.credential_name = p_refresh_credential_name
       FOR KEY SHARE;
    IF NOT FOUND THEN
      PERFORM jobs_internal.fail('FJ422', 'refresh_credential_name',
        format('Credential %L does not exist.', p_refresh_credential_name));
    END IF;
  END IF;
  SELECT m.target_id INTO v_same
    FROM jobs_internal.target_group_members m
   WHERE m.target_group_id = v_group_id
     AND jobs_internal.member_identity(m.target_type, m.engine, m.server_name, m.database_name, m.elastic_pool_name)
       = jobs_internal.member_identity(v_member.target_type, v_member.engine, v_member.server_name,
                                       v_member.database_name, v_member.elastic_pool_name);
  IF FOUND THEN
    PERFORM jobs_internal.fail('FJ409',
      CASE v_member.target_type WHEN 'SqlDatabase' THEN 'database_name'
                                WHEN 'SqlElasticPool' THEN 'elastic_pool_name' ELSE 'server_name' END,
      format('Target group %L already has a member that selects the same databases (target_id %s); '
             'a database is either included or excluded.', p_target_group_name, v_same));
  END IF;
  INSERT INTO jobs_internal.target_group_members
    (target_id, target_group_id, member_position, membership_type, target_type, engine, server_name,
     database_name, elastic_pool_name, refresh_credential_id, trust_server_certificate)
  SELECT v_target_id, v_group_id, coalesce(max(m.member_position) + 1, 0), v_member.membership_type,
         v_member.target_type, v_member.engine, v_member.server_name, v_member.database_name,
         v_member.elastic_pool_name, v_member.refresh_credential_id, v_member.trust_server_certificate
    FROM jobs_internal.target_group_members m
   WHERE m.target_group_id = v_group_id;
  UPDATE jobs_internal.target_groups SET updated_time = now() WHERE target_group_id = v_group_id;
  RETURN v_target_id;
END $$;

-- One member less (sp_delete_target_group_member); the other members keep their target_ids.
CREATE OR REPLACE FUNCTION jobs_internal.delete_target_group_member(p_target_group_name text, p_target_id uuid)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_group_id uuid := jobs_internal.lock_target_group(p_target_group_name);
BEGIN
  IF p_target_id IS NULL THEN
    PERFORM jobs_internal.fail('FJ400', 'target_id', 'target_id is required.');
  END IF;
  DELETE FROM jobs_internal.target_group_members m
   WHERE m.target_group_id = v_group_id AND m.target_id = p_target_id;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'target_id',
      format('Target group %L has no member %s.', p_target_group_name, p_target_id));
  END IF;
  UPDATE jobs_internal.target_groups SET updated_time = now() WHERE target_group_id = v_group_id;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Jobs

-- Job names are object names that may not hold the percent sign (sp_add_job's rule).
CREATE OR REPLACE FUNCTION jobs_internal.check_job_name(p_field text, p_value text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.check_name(p_field, p_value);
  IF position('%' IN p_value) > 0 THEN
    PERFORM jobs_internal.fail('FJ400', p_field, format('%s must not contain %%.', p_field));
  END IF;
END $$;

-- p_mode: 'upsert' (create or replace), 'add' (must not exist: sp_add_job), 'replace' (must exist: sp_update_job).
DROP FUNCTION IF EXISTS jobs_internal.save_job(text, text, boolean, text, integer, timestamptz, timestamptz, text, text,
                                               text, timestamptz);
CREATE OR REPLACE FUNCTION jobs_internal.save_job(
  p_job_name text, p_description text, p_enabled boolean, p_schedule_interval_type text,
  p_schedule_interval_count integer, p_schedule_start_time timestamptz, p_schedule_end_time timestamptz,
  p_overlap_policy text, p_schedule_cron text, p_schedule_time_zone text,
  p_now timestamptz,                  -- the agent's clock: where a new or changed cron schedule starts counting
  p_mode text DEFAULT 'upsert')
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_created boolean;
  v_job_id uuid;
  v_type text := coalesce(p_schedule_interval_type, 'Once');
  v_start timestamptz := coalesce(p_schedule_start_time, '0001-01-01 00:00:00+00');
  v_end timestamptz := coalesce(p_schedule_end_time, '9999-12-31 11:59:59+00');
BEGIN
  PERFORM jobs_internal.check_job_name('job_name', p_job_name);
  IF length(coalesce(p_description, '')) > 512 THEN
    PERFORM jobs_internal.fail('FJ400', 'description', 'description must be at most 512 characters.');
  END IF;
  PERFORM jobs_internal.check_one_of('schedule_interval_type', v_type,
                                     ARRAY['Once', 'Minutes', 'Hours', 'Days', 'Weeks', 'Months', 'Cron']);
  IF coalesce(p_schedule_interval_count, 1) < 1 THEN
    PERFORM jobs_internal.fail('FJ400', 'schedule_interval_count', 'schedule_interval_count must be at least 1.');
  END IF;
  IF v_end <= v_start THEN
    PERFORM jobs_internal.fail('FJ400', 'schedule_end_time', 'schedule_end_time must be after schedule_start_time.');
  END IF;
  PERFORM jobs_internal.check_one_of('overlap_policy', coalesce(p_overlap_policy, 'SkipTargets'),
                                     ARRAY['SkipTargets', 'SkipExecution']);
  IF v_type = 'Cron' THEN
    PERFORM jobs_internal.check_name('schedule_cron', p_schedule_cron, 256);
    IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = coalesce(p_schedule_time_zone, 'UTC')) THEN
      PERFORM jobs_internal.fail('FJ400', 'schedule_time_zone',
        format('%L is not an IANA time zone such as Europe/Berlin.', p_schedule_time_zone));
    END IF;
  ELSIF p_schedule_cron IS NOT NULL OR p_schedule_time_zone IS NOT NULL THEN
    PERFORM jobs_internal.fail('FJ400', 'schedule_cron', 'A cron expression and time zone need the Cron schedule type.');
  END IF;

  -- last_scheduled_time is the occurrence fired last, and saving a job keeps it whatever changes: so a schedule
  -- that starts in the past (0001-01-01 by default) fires its latest occurrence as soon as it is enabled, once,
  -- and a job enabled again after it missed occurrences fires once to catch up (ScheduleCalculator.due).
  -- A cron schedule names wall-clock times rather than a start and an interval: a new or changed one counts
  -- from p_now, so saving it never runs it for a time that passed before it existed.
  INSERT INTO jobs_internal.jobs AS j
    (job_name, description, enabled, schedule_interval_type, schedule_interval_count,
     schedule_start_time, schedule_end_time, overlap_policy, schedule_cron, schedule_time_zone, last_scheduled_time)
  VALUES (p_job_name, coalesce(p_description, ''), coalesce(p_enabled, false), v_type,
          coalesce(p_schedule_interval_count, 1), v_start, v_end, coalesce(p_overlap_policy, 'SkipTargets'),
          p_schedule_cron, CASE WHEN v_type = 'Cron' THEN coalesce(p_schedule_time_zone, 'UTC') END,
          CASE WHEN v_type = 'Cron' THEN p_now END)
  ON CONFLICT (job_name) DO UPDATE
     SET description = excluded.description,
         enabled = excluded.enabled,
         schedule_interval_type = excluded.schedule_interval_type,
         schedule_interval_count = excluded.schedule_interval_count,
         schedule_start_time = excluded.schedule_start_time,
         schedule_end_time = excluded.schedule_end_time,
         overlap_policy = excluded.overlap_policy,
         schedule_cron = excluded.schedule_cron,
         schedule_time_zone = excluded.schedule_time_zone,
         last_scheduled_time = CASE
           WHEN excluded.schedule_interval_type = 'Cron'
            AND (j.schedule_interval_type, j.schedule_cron, j.schedule_time_zone)
                IS DISTINCT FROM
                (excluded.schedule_interval_type, excluded.schedule_cron, excluded.schedule_time_zone)
           THEN excluded.last_scheduled_time
           ELSE j.last_scheduled_time END,
         updated_time = now()
  RETURNING job_id, (xmax = 0) INTO v_job_id, v_created;
  -- Checked after the write, so two callers adding one name at once cannot both succeed; raising undoes it.
  IF p_mode = 'add' AND NOT v_created THEN
    PERFORM jobs_internal.fail('FJ409', 'job_name', format('Job %L already exists.', p_job_name));
  ELSIF p_mode = 'replace' AND v_created THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', p_job_name));
  END IF;
  IF v_created THEN
    INSERT INTO jobs_internal.job_versions (job_id, job_version) VALUES (v_job_id, 0);
  END IF;
  RETURN v_created;
END $$;

-- sp_update_job @new_name: the job keeps its id, versions and history, which show the new name.
CREATE OR REPLACE FUNCTION jobs_internal.rename_job(p_job_name text, p_new_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM jobs_internal.check_job_name('new_name', p_new_name);
  PERFORM 1 FROM jobs_internal.lock_job(p_job_name);
  IF p_new_name = p_job_name THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM jobs_internal.jobs j WHERE j.job_name = p_new_name) THEN
    PERFORM jobs_internal.fail('FJ409', 'new_name', format('Job %L already exists.', p_new_name));
  END IF;
  UPDATE jobs_internal.jobs SET job_name = p_new_name, updated_time = now() WHERE job_name = p_job_name;
END $$;

-- p_force: cancel active executions first (sp_delete_job @force = 1); otherwise refuse while one runs.
-- The job's history goes with it; deleted_jobs remembers the job, so that purging its history afterwards (as
-- Microsoft's tutorial does) finds nothing left to purge rather than an unknown job.
CREATE OR REPLACE FUNCTION jobs_internal.delete_job(p_job_name text, p_force boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_job_id uuid;
BEGIN
  SELECT job_id INTO v_job_id FROM jobs_internal.jobs WHERE job_name = p_job_name FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', p_job_name));
  END IF;
  IF NOT p_force AND EXISTS (SELECT 1 FROM jobs_internal.job_executions
                              WHERE job_id = v_job_id AND jobs_internal.is_active(lifecycle)) THEN
    PERFORM jobs_internal.fail('FJ409', 'job_name',
      format('Job %L has an execution in progress; cancel it first, or delete with force.', p_job_name));
  END IF;
  -- Deleting the rows is the cancel: agents holding a lease find them gone and drop their results.
  INSERT INTO jobs_internal.deleted_jobs (job_id, job_name) VALUES (v_job_id, p_job_name);
  DELETE FROM jobs_internal.jobs WHERE job_id = v_job_id;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Steps. Every change writes a whole new version: the steps of the previous version are copied,
-- renumbered to leave no gaps, and the changed step is placed at its position.

-- Validates a step definition (snake_case keys, as the sp_* parameters) and applies the defaults.
CREATE OR REPLACE FUNCTION jobs_internal.step_of(p_def jsonb) RETURNS jobs_internal.jobstep_versions
LANGUAGE plpgsql AS $$
DECLARE
  s jobs_internal.jobstep_versions;
  v_has_output boolean;
BEGIN
  s.command_type := p_def->>'command_type';
  s.command_source := coalesce(p_def->>'command_source', 'Inline');
  s.command := p_def->>'command';
  IF s.command_type IS NOT NULL THEN
    PERFORM jobs_internal.check_one_of('command_type', s.command_type, ARRAY['TSql', 'Sql']);
  END IF;
  PERFORM jobs_internal.check_one_of('command_source', s.command_source, ARRAY['Inline']);
  IF s.command IS NULL OR btrim(s.command) = '' THEN
    PERFORM jobs_internal.fail('FJ400', 'command', 'command is required.');
  END IF;

  s.target_group_name := p_def->>'target_group_name';
  s.target_group_id := jobs_internal.target_group_id_of('target_group_name', s.target_group_name);
  s.command_type := coalesce(s.command_type, jobs_internal.default_command_type(s.target_group_id));
  s.credential_name := p_def->>'credential_name';
  PERFORM jobs_internal.check_optional_name('credential_name', s.credential_name);
  s.credential_id := jobs_internal.credential_id_of('credential_name', s.credential_name);

  s.initial_retry_interval_seconds := coalesce((p_def->>'initial_retry_interval_seconds')::integer, 1);
  s.maximum_retry_interval_seconds := coalesce((p_def->>'maximum_retry_interval_seconds')::integer, 120);
  s.retry_interval_backoff_multiplier := coalesce((p_def->>'retry_interval_backoff_multiplier')::real, 2.0);
  s.retry_attempts := coalesce((p_def->>'retry_attempts')::integer, 10);
  s.step_timeout_seconds := coalesce((p_def->>'step_timeout_seconds')::integer, 43200);
  IF s.initial_retry_interval_seconds < 1 THEN
    PERFORM jobs_internal.fail('FJ400', 'initial_retry_interval_seconds',
      'initial_retry_interval_seconds must be at least 1.');
  END IF;
  IF s.maximum_retry_interval_seconds < s.initial_retry_interval_seconds THEN
    PERFORM jobs_internal.fail('FJ400', 'maximum_retry_interval_seconds',
      'maximum_retry_interval_seconds must not be less than initial_retry_interval_seconds.');
  END IF;
  IF s.retry_interval_backoff_multiplier < 1.0 THEN
    PERFORM jobs_internal.fail('FJ400', 'retry_interval_backoff_multiplier',
      'retry_interval_backoff_multiplier must be at least 1.0.');
  END IF;
  IF s.retry_attempts < 0 THEN
    PERFORM jobs_internal.fail('FJ400', 'retry_attempts', 'retry_attempts must not be negative.');
  END IF;
  IF s.step_timeout_seconds < 1 THEN
    PERFORM jobs_internal.fail('FJ400', 'step_timeout_seconds', 'step_timeout_seconds must be at least 1.');
  END IF;
  s.max_parallelism := (p_def->>'max_parallelism')::integer;
  IF s.max_parallelism IS NOT NULL AND s.max_parallelism < 1 THEN
    PERFORM jobs_internal.fail('FJ400', 'max_parallelism', 'max_parallelism must be at least 1, or absent for no limit.');
  END IF;
  s.rollout := CASE WHEN jsonb_typeof(p_def->'rollout') = 'object' THEN p_def->'rollout' END;
  IF p_def ? 'rollout' AND jsonb_typeof(p_def->'rollout') NOT IN ('object', 'null') THEN
    PERFORM jobs_internal.fail('FJ400', 'rollout', 'rollout must be an object.');
  END IF;
  PERFORM jobs_internal.check_rollout(s.rollout);
  s.retry_on := coalesce(p_def->>'retry_on', 'Transient');
  PERFORM jobs_internal.check_one_of('retry_on', s.retry_on, ARRAY['Transient', 'Any']);
  s.transaction := coalesce(p_def->>'transaction', 'Statement');
  PERFORM jobs_internal.check_one_of('transaction', s.transaction, ARRAY['Statement', 'Script']);

  s.output_type := p_def->>'output_type';
  v_has_output := s.output_type IS NOT NULL;
  IF NOT v_has_output THEN
    IF coalesce(p_def->>'output_server_name', p_def->>'output_database_name', p_def->>'output_table_name',
                p_def->>'output_schema_name', p_def->>'output_credential_name', p_def->>'output_engine',
                p_def->>'output_ssl_mode') IS NOT NULL THEN
      PERFORM jobs_internal.fail('FJ400', 'output_type', 'output_type is required when any output setting is given.');
    END IF;
    RETURN s;
  END IF;
  PERFORM jobs_internal.check_one_of('output_type', s.output_type, ARRAY['SqlDatabase']);
  s.output_engine := coalesce(p_def->>'output_engine', 'postgresql');
  PERFORM jobs_internal.check_one_of('output_engine', s.output_engine, ARRAY['postgresql', 'sqlserver', 'mysql']);
  s.output_ssl_mode := p_def->>'output_ssl_mode';
  PERFORM jobs_internal.check_member_tls('output_', s.output_engine, s.output_ssl_mode, NULL);
  s.output_server_name := p_def->>'output_server_name';
  PERFORM jobs_internal.check_server_name('output_server_name', s.output_server_name);
  s.output_database_name := p_def->>'output_database_name';
  PERFORM jobs_internal.check_name('output_database_name', s.output_database_name);
  s.output_schema_name := coalesce(p_def->>'output_schema_name',
                                   CASE s.output_engine WHEN 'sqlserver' THEN 'dbo'
                                                        WHEN 'mysql' THEN s.output_database_name ELSE 'public' END);
  PERFORM jobs_internal.check_name('output_schema_name', s.output_schema_name);
  s.output_table_name := p_def->>'output_table_name';
  PERFORM jobs_internal.check_name('output_table_name', s.output_table_name);
  s.output_credential_name := p_def->>'output_credential_name';
  PERFORM jobs_internal.check_optional_name('output_credential_name', s.output_credential_name);
  s.output_credential_id := jobs_internal.credential_id_of('output_credential_name', s.output_credential_name);
  RETURN s;
END $$;

-- A step's rollout: waves (counts, or percentages of the step's targets, as cumulative thresholds), an error
-- budget over the step so far, and what happens between waves (a wait, or Manual: pause until resumed).
CREATE OR REPLACE FUNCTION jobs_internal.check_rollout(p_rollout jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_wave jsonb;
  v_index integer := 0;
  v_key text;
  v_percent numeric;
BEGIN
  IF p_rollout IS NULL THEN
    RETURN;
  END IF;
  FOR v_key IN SELECT jsonb_object_keys(p_rollout) LOOP
    IF v_key NOT IN ('waves', 'errorBudget', 'betweenWaves') THEN
      PERFORM jobs_internal.fail('FJ400', 'rollout.' || v_key, format('rollout has no setting %L.', v_key));
    END IF;
  END LOOP;
  IF jsonb_typeof(p_rollout->'waves') IS DISTINCT FROM 'array' OR jsonb_array_length(p_rollout->'waves') = 0
     OR jsonb_array_length(p_rollout->'waves') > 100 THEN
    PERFORM jobs_internal.fail('FJ400', 'rollout.waves', 'rollout.waves must list 1 to 100 wave sizes.');
  END IF;
  FOR v_wave IN SELECT value FROM jsonb_array_elements(p_rollout->'waves') LOOP
    IF jsonb_typeof(v_wave) = 'number' THEN
      IF (v_wave #>> '{}')::numeric < 1 OR (v_wave #>> '{}')::numeric <> trunc((v_wave #>> '{}')::numeric) THEN
        PERFORM jobs_internal.fail('FJ400', format('rollout.waves[%s]', v_index),
          format('rollout.waves[%s] must be a whole number of targets (at least 1) or a percentage such as "5%%".',
                 v_index));
      END IF;
    ELSIF jsonb_typeof(v_wave) = 'string' AND (v_wave #>> '{}') ~ '^[0-9]{1,3}(\.[0-9]{1,2})?%$' THEN
      v_percent := rtrim(v_wave #>> '{}', '%')::numeric;
      IF v_percent <= 0 OR v_percent > 100 THEN
        PERFORM jobs_internal.fail('FJ400', format('rollout.waves[%s]', v_index),
          format('rollout.waves[%s] must be a percentage above 0%% and at most 100%%.', v_index));
      END IF;
    ELSE
      PERFORM jobs_internal.fail('FJ400', format('rollout.waves[%s]', v_index),
        format('rollout.waves[%s] must be a whole number of targets (at least 1) or a percentage such as "5%%".',
               v_index));
    END IF;
    v_index := v_index + 1;
  END LOOP;
  IF p_rollout ? 'errorBudget' THEN
    IF jsonb_typeof(p_rollout->'errorBudget') <> 'object' THEN
      PERFORM jobs_internal.fail('FJ400', 'rollout.errorBudget', 'rollout.errorBudget must be an object.');
    END IF;
    FOR v_key IN SELECT jsonb_object_keys(p_rollout->'errorBudget') LOOP
      IF v_key NOT IN ('maxFailedTargets', 'maxFailedPercent') THEN
        PERFORM jobs_internal.fail('FJ400', 'rollout.errorBudget.' || v_key,
          format('rollout.errorBudget has no setting %L.', v_key));
      END IF;
    END LOOP;
    IF p_rollout->'errorBudget' ? 'maxFailedTargets' AND (jsonb_typeof(p_rollout#>'{errorBudget,maxFailedTargets}')
         <> 'number' OR (p_rollout#>>'{errorBudget,maxFailedTargets}')::numeric < 0
         OR (p_rollout#>>'{errorBudget,maxFailedTargets}')::numeric
            <> trunc((p_rollout#>>'{errorBudget,maxFailedTargets}')::numeric)) THEN
      PERFORM jobs_internal.fail('FJ400', 'rollout.errorBudget.maxFailedTargets',
        'rollout.errorBudget.maxFailedTargets must be a whole number, 0 or more.');
    END IF;
    IF p_rollout->'errorBudget' ? 'maxFailedPercent' AND (jsonb_typeof(p_rollout#>'{errorBudget,maxFailedPercent}')
         <> 'number' OR (p_rollout#>>'{errorBudget,maxFailedPercent}')::numeric NOT BETWEEN 0 AND 100) THEN
      PERFORM jobs_internal.fail('FJ400', 'rollout.errorBudget.maxFailedPercent',
        'rollout.errorBudget.maxFailedPercent must be a number from 0 to 100.');
    END IF;
  END IF;
  IF p_rollout ? 'betweenWaves' AND p_rollout->>'betweenWaves' <> 'Manual' THEN
    BEGIN
      IF jsonb_typeof(p_rollout->'betweenWaves') <> 'string' OR p_rollout->>'betweenWaves' !~ '^P'
         OR (p_rollout->>'betweenWaves')::interval < interval '0' THEN
        RAISE invalid_datetime_format;
      END IF;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
      PERFORM jobs_internal.fail('FJ400', 'rollout.betweenWaves',
        'rollout.betweenWaves must be an ISO-8601 duration such as PT5M, or Manual.');
    END;
  END IF;
END $$;

-- Locks the job and starts a new version; returns (job_id, previous version).
CREATE OR REPLACE FUNCTION jobs_internal.lock_job(p_job_name text, OUT job_id uuid, OUT job_version integer)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT j.job_id, j.job_version INTO job_id, job_version
    FROM jobs_internal.jobs j
   WHERE j.job_name = p_job_name
     FOR UPDATE;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'job_name', format('Job %L does not exist.', p_job_name));
  END IF;
END $$;

-- Copies every step but p_skip_step from one version to the next, numbered 1..n in their order,
-- leaving step id p_gap free (NULL: no gap). Whole rows are copied, so a new column needs no change here.
CREATE OR REPLACE FUNCTION jobs_internal.copy_steps(p_job_id uuid, p_from integer, p_skip_step text, p_gap integer)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO jobs_internal.job_versions (job_id, job_version) VALUES (p_job_id, p_from + 1);
  INSERT INTO jobs_internal.jobstep_versions
  SELECT (jsonb_populate_record(o.step, jsonb_build_object(
            'job_version', p_from + 1,
            'step_id', CASE WHEN p_gap IS NOT NULL AND o.rn >= p_gap THEN o.rn + 1 ELSE o.rn END))).*
    FROM (SELECT s AS step, row_number() OVER (ORDER BY s.step_id) AS rn
            FROM jobs_internal.jobstep_versions s
           WHERE s.job_id = p_job_id AND s.job_version = p_from AND s.step_name IS DISTINCT FROM p_skip_step) o;
  UPDATE jobs_internal.jobs SET job_version = p_from + 1, updated_time = now() WHERE job_id = p_job_id;
END $$;

-- What a step is, for "the same definition": every column but where it sits (job, version, step id, name)
-- and the names of what it references, which are pinned by id.
CREATE OR REPLACE FUNCTION jobs_internal.step_definition(p_step jobs_internal.jobstep_versions) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT to_jsonb(p_step) - ARRAY['job_id', 'job_version', 'step_id', 'step_name', 'credential_name',
                                  'target_group_name', 'output_credential_name']
$$;

-- Script variables are substituted as text, as sqlcmd substitutes them, so a name holding a quote or a semicolon
-- could end the string literal a command wrote around $(job_name) and start a statement of its own. A command
-- may use $(job_name), $(step_name) and $(target_group_name) only while those names hold none of ' " ;. The
-- $(..._literal) forms are quoted for the target's engine and take any name. Names themselves stay free, as in
-- Elastic Jobs: the rule applies only where a name meets a variable.
CREATE OR REPLACE FUNCTION jobs_internal.check_script_variables(
  p_command text, p_job_name text, p_step_name text, p_target_group_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v record;
BEGIN
  FOR v IN
    SELECT n.variable, n.value
      FROM (VALUES ('job_name', p_job_name), ('step_name', p_step_name),
                   ('target_group_name', p_target_group_name)) AS n(variable, value)
  LOOP
    IF position('$(' || v.variable || ')' IN p_command) > 0 AND v.value ~ '[''";]' THEN
      PERFORM jobs_internal.fail('FJ400', 'command', format(
        'command uses $(%s), which is substituted as text, but %s %L holds a quote or a semicolon; '
        'use $(%s_literal), a string literal quoted for the target''s engine.',
        v.variable, v.variable, v.value, v.variable));
    END IF;
  END LOOP;
END $$;

-- p_mode: 'upsert' (create or replace), 'add' (must not exist), 'replace' (must exist).
-- p_step_id NULL keeps an existing step where it is and appends a new one.
-- p_new_name renames an existing step in the same new version (sp_update_jobstep @new_name).
DROP FUNCTION IF EXISTS jobs_internal.save_jobstep(text, text, integer, jsonb, text);
CREATE OR REPLACE FUNCTION jobs_internal.save_jobstep(
  p_job_name text, p_step_name text, p_step_id integer, p_def jsonb, p_mode text DEFAULT 'upsert',
  p_new_name text DEFAULT NULL,
  OUT job_version integer, OUT step_id integer, OUT created boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_job record;
  v_new jobs_internal.jobstep_versions;
  v_old jobs_internal.jobstep_versions;
  v_count integer;
  v_max integer;
BEGIN
  SELECT l.job_id, l.job_version INTO v_job FROM jobs_internal.lock_job(p_job_name) l;
  PERFORM jobs_internal.check_name('step_name', p_step_name);
  v_new := jobs_internal.step_of(p_def);
  PERFORM jobs_internal.check_script_variables(v_new.command, p_job_name, p_step_name, v_new.target_group_name);
  -- Checked once every field is valid. PostgreSQL targets have no agent identity to sign in with: without a
  -- credential the step could only fail on each of them.
  IF v_new.credential_id IS NULL AND EXISTS (
       SELECT 1 FROM jobs_internal.target_group_members m
        WHERE m.target_group_id = v_new.target_group_id AND m.engine = 'postgresql'
          AND m.membership_type = 'Include') THEN
    PERFORM jobs_internal.fail('FJ400', 'credential_name',
      'credential_name is required: the target group has postgresql members, which sign in with a stored credential.');
  END IF;

  SELECT count(*) INTO v_count
    FROM jobs_internal.jobstep_versions s
   WHERE s.job_id = v_job.job_id AND s.job_version = v_job.job_version;
  SELECT s.* INTO v_old
    FROM jobs_internal.jobstep_versions s
   WHERE s.job_id = v_job.job_id AND s.job_version = v_job.job_version AND s.step_name = p_step_name;
  created := NOT FOUND;
  IF NOT created AND p_mode = 'add' THEN
    PERFORM jobs_internal.fail('FJ409', 'step_name', format('Job %L already has a step %L.', p_job_name, p_step_name));
  ELSIF created AND p_mode = 'replace' THEN
    PERFORM jobs_internal.fail('FJ404', 'step_name', format('Job %L has no step %L.', p_job_name, p_step_name));
  END IF;

  IF p_new_name IS NOT NULL AND p_new_name IS DISTINCT FROM p_step_name THEN
    PERFORM jobs_internal.check_name('new_name', p_new_name);
    IF created THEN
      PERFORM jobs_internal.fail('FJ404', 'step_name', format('Job %L has no step %L to rename.', p_job_name, p_step_name));
    END IF;
    PERFORM 1
       FROM jobs_internal.jobstep_versions s
      WHERE s.job_id = v_job.job_id AND s.job_version = v_job.job_version AND s.step_name = p_new_name;
    IF FOUND THEN
      PERFORM jobs_internal.fail('FJ409', 'new_name', format('Job %L already has a step %L.', p_job_name, p_new_name));
    END IF;
  END IF;

  v_max := CASE WHEN created THEN v_count + 1 ELSE v_count END;
  step_id := coalesce(p_step_id, CASE WHEN created THEN v_max ELSE v_old.step_id END);
  IF step_id < 1 OR step_id > v_max THEN
    PERFORM jobs_internal.fail('FJ400', 'step_id',
      format('step_id must be between 1 and %s: step ids start at 1 and leave no gaps.', v_max));
  END IF;

  -- Re-applying an identical definition is a no-op, so automation can converge without new versions.
  IF NOT created AND step_id = v_old.step_id AND coalesce(p_new_name, p_step_name) = p_step_name
     AND jobs_internal.step_definition(v_new) = jobs_internal.step_definition(v_old) THEN
    job_version := v_job.job_version;
    RETURN;
  END IF;

  PERFORM jobs_internal.copy_steps(v_job.job_id, v_job.job_version, p_step_name, step_id);
  job_version := v_job.job_version + 1;
  v_new.job_id := v_job.job_id;
  v_new.job_version := job_version;
  v_new.step_id := step_id;
  v_new.step_name := coalesce(p_new_name, p_step_name);
  INSERT INTO jobs_internal.jobstep_versions SELECT v_new.*;
END $$;

CREATE OR REPLACE FUNCTION jobs_internal.delete_jobstep(p_job_name text, p_step_name text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE v_job record;
BEGIN
  SELECT l.job_id, l.job_version INTO v_job FROM jobs_internal.lock_job(p_job_name) l;
  PERFORM 1
     FROM jobs_internal.jobstep_versions s
    WHERE s.job_id = v_job.job_id AND s.job_version = v_job.job_version AND s.step_name = p_step_name;
  IF NOT FOUND THEN
    PERFORM jobs_internal.fail('FJ404', 'step_name', format('Job %L has no step %L.', p_job_name, p_step_name));
  END IF;
  PERFORM jobs_internal.copy_steps(v_job.job_id, v_job.job_version, p_step_name, NULL);
  RETURN v_job.job_version + 1;
END $$;
