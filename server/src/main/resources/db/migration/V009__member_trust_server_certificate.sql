-- A sqlserver member may say to trust its server's TLS certificate, as the agent's configuration can for
-- every server: connections stay encrypted, but a self-signed certificate is accepted. The flag is not part
-- of what a member selects, so changing it keeps the member's target_id. The jobs.target_group_members view
-- keeps the Elastic Jobs columns and does not show it.

ALTER TABLE jobs_internal.target_group_members
  ADD COLUMN trust_server_certificate boolean NOT NULL DEFAULT false;

ALTER TYPE jobs_internal.member_definition ADD ATTRIBUTE trust_server_certificate boolean;

-- Copied from the member when the step starts, as the server and database are, so a run connects as its
-- group said when it was expanded.
ALTER TABLE jobs_internal.target_executions
  ADD COLUMN trust_server_certificate boolean NOT NULL DEFAULT false;

-- member_of as in V002, with the flag: false by default, and only for the sqlserver engine.
DROP FUNCTION jobs_internal.member_of(text, text, text, text, text, text, text, text);

CREATE FUNCTION jobs_internal.member_of(
  p_prefix text, p_membership_type text, p_target_type text, p_engine text, p_server_name text,
  p_database_name text, p_elastic_pool_name text, p_refresh_credential_name text,
  p_trust_server_certificate boolean DEFAULT NULL)
RETURNS jobs_internal.member_definition
LANGUAGE plpgsql AS $$
DECLARE m jobs_internal.member_definition;
BEGIN
  m.membership_type := coalesce(p_membership_type, 'Include');
  m.engine := coalesce(p_engine, 'postgresql');
  PERFORM jobs_internal.check_one_of(p_prefix || 'membership_type', m.membership_type, ARRAY['Include', 'Exclude']);
  PERFORM jobs_internal.check_one_of(p_prefix || 'target_type', p_target_type,
                                     ARRAY['SqlServer', 'SqlElasticPool', 'SqlDatabase']);
  PERFORM jobs_internal.check_one_of(p_prefix || 'engine', m.engine, ARRAY['postgresql', 'sqlserver']);
  m.trust_server_certificate := coalesce(p_trust_server_certificate, false);
  -- The postgresql engine has no such setting: refusing the flag says so, where ignoring it would not.
  IF m.trust_server_certificate AND m.engine <> 'sqlserver' THEN
    PERFORM jobs_internal.fail('FJ400', p_prefix || 'trust_server_certificate',
      'Only a sqlserver member can trust its server''s certificate.');
  END IF;
  PERFORM jobs_internal.check_server_name(p_prefix || 'server_name', p_server_name);
  PERFORM jobs_internal.check_optional_name(p_prefix || 'database_name', p_database_name);
  PERFORM jobs_internal.check_optional_name(p_prefix || 'elastic_pool_name', p_elastic_pool_name);
  m.target_type := p_target_type;
  m.server_name := p_server_name;
  m.database_name := p_database_name;
  m.elastic_pool_name := p_elastic_pool_name;

  IF p_target_type = 'SqlDatabase' THEN
    IF p_database_name IS NULL THEN
      PERFORM jobs_internal.fail('FJ400', p_prefix || 'database_name', 'A SqlDatabase member needs a database name.');
    END IF;
  ELSIF p_database_name IS NOT NULL THEN
    PERFORM jobs_internal.fail('FJ400', p_prefix || 'database_name',
      format('A %s member takes no database name; use a SqlDatabase member for one database.', p_target_type));
  END IF;

  IF p_target_type = 'SqlElasticPool' THEN
    IF m.engine <> 'sqlserver' THEN
      PERFORM jobs_internal.fail('FJ400', p_prefix || 'engine', 'Elastic pools exist only on the sqlserver engine.');
    END IF;
    IF p_elastic_pool_name IS NULL THEN
      PERFORM jobs_internal.fail('FJ400', p_prefix || 'elastic_pool_name',
        'A SqlElasticPool member needs an elastic pool name.');
    END IF;
  ELSIF p_elastic_pool_name IS NOT NULL THEN
    PERFORM jobs_internal.fail('FJ400', p_prefix || 'elastic_pool_name',
      format('A %s member takes no elastic pool name.', p_target_type));
  END IF;

  IF p_refresh_credential_name IS NOT NULL AND p_target_type = 'SqlDatabase' THEN
    PERFORM jobs_internal.fail('FJ400', p_prefix || 'refresh_credential_name',
      'A refresh credential enumerates a server or pool; a SqlDatabase member takes none.');
  END IF;
  -- PostgreSQL servers have no agent identity to fall back on, so listing their databases needs a login.
  IF p_refresh_credential_name IS NULL AND m.engine = 'postgresql'
     AND p_target_type = 'SqlServer' AND m.membership_type = 'Include' THEN
    PERFORM jobs_internal.fail('FJ400', p_prefix || 'refresh_credential_name',
      'An included postgresql SqlServer member needs a refresh credential to enumerate its databases.');
  END IF;
  m.refresh_credential_id := jobs_internal.credential_id_of(p_prefix || 'refresh_credential_name',
                                                           p_refresh_credential_name);
  RETURN m;
END $$;

-- save_target_group as in V002; a kept member takes the new flag like its new refresh credential.
CREATE OR REPLACE FUNCTION jobs_internal.save_target_group(p_target_group_name text, p_members jsonb) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_group_id uuid;
  v_created boolean;
  v_kept uuid[] := '{}';
  v_identities text[] := '{}';
  v_identity text;
  v_item record;
  v_member jobs_internal.member_definition;
  v_target_id uuid;
  v_prefix text;
BEGIN
  PERFORM jobs_internal.check_name('target_group_name', p_target_group_name);
  IF p_members IS NOT NULL AND jsonb_typeof(p_members) <> 'array' THEN
    PERFORM jobs_internal.fail('FJ400', 'members', 'members must be an array.');
  END IF;
  INSERT INTO jobs_internal.target_groups AS g (target_group_name)
  VALUES (p_target_group_name)
  ON CONFLICT (target_group_name) DO UPDATE SET updated_time = now()
  RETURNING target_group_id, (xmax = 0) INTO v_group_id, v_created;

  FOR v_item IN
    SELECT e.value AS member, e.ordinality - 1 AS position
      FROM jsonb_array_elements(coalesce(p_members, '[]')) WITH ORDINALITY AS e
  LOOP
    v_prefix := format('members[%s].', v_item.position);
    IF jsonb_typeof(v_item.member->'trust_server_certificate') NOT IN ('boolean', 'null') THEN
      PERFORM jobs_internal.fail('FJ400', v_prefix || 'trust_server_certificate',
        v_prefix || 'trust_server_certificate must be true or false.');
    END IF;
    v_member := jobs_internal.member_of(v_prefix,
      v_item.member->>'membership_type', v_item.member->>'target_type', v_item.member->>'engine',
      v_item.member->>'server_name', v_item.member->>'database_name', v_item.member->>'elastic_pool_name',
      v_item.member->>'refresh_credential_name', (v_item.member->>'trust_server_certificate')::boolean);
    v_identity := jobs_internal.member_identity(v_member.target_type, v_member.engine, v_member.server_name,
                                                v_member.database_name, v_member.elastic_pool_name);
    IF v_identity = ANY (v_identities) THEN
      PERFORM jobs_internal.fail('FJ400', format('members[%s]', v_item.position),
        'This member selects the same databases as an earlier member; a database is either included or excluded.');
    END IF;
    v_identities := v_identities || v_identity;

    SELECT m.target_id INTO v_target_id
      FROM jobs_internal.target_group_members m
     WHERE m.target_group_id = v_group_id
       AND jobs_internal.member_identity(m.target_type, m.engine, m.server_name, m.database_name,
                                         m.elastic_pool_name) = v_identity;
    IF v_target_id IS NULL THEN
      v_target_id := gen_random_uuid();
      INSERT INTO jobs_internal.target_group_members
        (target_id, target_group_id, member_position, membership_type, target_type, engine, server_name,
         database_name, elastic_pool_name, refresh_credential_id, trust_server_certificate)
      VALUES (v_target_id, v_group_id, v_item.position, v_member.membership_type, v_member.target_type,
              v_member.engine, v_member.server_name, v_member.database_name, v_member.elastic_pool_name,
              v_member.refresh_credential_id, v_member.trust_server_certificate);
    ELSE
      UPDATE jobs_internal.target_group_members
         SET member_position = v_item.position, membership_type = v_member.membership_type,
             server_name = v_member.server_name, refresh_credential_id = v_member.refresh_credential_id,
             trust_server_certificate = v_member.trust_server_certificate
       WHERE target_id = v_target_id;
    END IF;
    v_kept := v_kept || v_target_id;
  END LOOP;

  DELETE FROM jobs_internal.target_group_members
   WHERE target_group_id = v_group_id AND NOT target_id = ANY (v_kept);
  RETURN v_created;
END $$;

-- start_step as in V008, copying each target's flag.
CREATE OR REPLACE FUNCTION jobs_internal.start_step(
  p_execution_id uuid, p_expansion_claim integer, p_targets jsonb, p_failure text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_exec record;
  v_step record;
BEGIN
  SELECT e.job_id, e.job_version, e.next_step_id INTO v_exec
    FROM jobs_internal.job_executions e
   WHERE e.job_execution_id = p_execution_id
     AND e.expansion_claim = p_expansion_claim
     AND e.next_step_id IS NOT NULL
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;                     -- another agent took the expansion over, or the run was canceled
  END IF;
  SELECT s.step_id, s.step_name, s.target_group_name, s.retry_attempts, s.max_parallelism INTO v_step
    FROM jobs_internal.jobstep_versions s
   WHERE s.job_id = v_exec.job_id AND s.job_version = v_exec.job_version AND s.step_id = v_exec.next_step_id;

  INSERT INTO jobs_internal.step_executions
    (job_execution_id, step_id, step_name, target_group_name, lifecycle, start_time, end_time, last_message)
  VALUES (p_execution_id, v_step.step_id, v_step.step_name, v_step.target_group_name,
          CASE WHEN p_failure IS NULL THEN 'InProgress' ELSE 'Failed' END, now(),
          CASE WHEN p_failure IS NULL THEN NULL ELSE now() END, p_failure);
  UPDATE jobs_internal.job_executions
     SET next_step_id = NULL, expansion_owner = NULL, expansion_until = NULL
   WHERE job_execution_id = p_execution_id;

  IF p_failure IS NULL THEN
    INSERT INTO jobs_internal.target_executions
      (job_execution_id, step_id, job_id, step_name, target_type, target_id, engine, server_name, database_name,
       lifecycle, next_attempt_start_time, max_attempts, parallel_group, max_parallelism, trust_server_certificate)
    SELECT p_execution_id, v_step.step_id, v_exec.job_id, v_step.step_name, t.target_type, t.target_id, t.engine,
           t.server_name, t.database_name, 'Created', now(), v_step.retry_attempts + 1,
           coalesce(t.parallel_group, t.server_name), v_step.max_parallelism,
           coalesce(t.trust_server_certificate, false)
      FROM jsonb_to_recordset(p_targets) AS t(target_type text, target_id uuid, engine text, server_name text,
                                              database_name text, parallel_group text,
                                              trust_server_certificate boolean)
     WHERE NOT EXISTS (SELECT 1 FROM jobs_internal.rerun_targets r WHERE r.job_execution_id = p_execution_id)
        OR EXISTS (SELECT 1 FROM jobs_internal.rerun_targets r
                    WHERE r.job_execution_id = p_execution_id
                      AND r.server_name = t.server_name AND r.database_name = t.database_name)
    ON CONFLICT DO NOTHING;
  END IF;
  PERFORM jobs_internal.settle_step(p_execution_id, v_step.step_id);
  RETURN true;
END $$;

-- claim_targets as in V005, also returning the flag; a new result column needs the function dropped first.
DROP FUNCTION jobs_internal.claim_targets(text, integer, integer);

-- Claims ready target work up to the free capacity of the tier, across every agent sharing this database.
-- The tier is read here, inside the claim's transaction, so a change through the API binds every agent at once.
-- It returns what an executor needs, joined inside the function: the rows it claims may belong to a step
-- started a moment ago, which a join outside the function would not yet see, and that claim would be lost.
CREATE FUNCTION jobs_internal.claim_targets(p_owner text, p_max integer, p_lease_seconds integer)
RETURNS TABLE (target_execution_id uuid, claim integer, current_attempts integer, job_execution_id uuid,
               job_id uuid, step_id integer, step_name text, engine text, server_name text, database_name text,
               execution_create_time timestamptz, job_version integer, job_name text, target_group_name text,
               trust_server_certificate boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_free integer;
  v_capacity integer;
BEGIN
  PERFORM 1 FROM jobs_internal.dispatch_semaphore WHERE semaphore_id = 1 FOR UPDATE;
  -- JA100 runs 100 targets at once, JA800 800: the number is in the name, as Tier.java has it.
  SELECT coalesce((SELECT substring(setting_value FROM 3)::integer FROM jobs_internal.agent_settings
                    WHERE setting_name = 'tier'), 100)
    INTO v_capacity;
  SELECT v_capacity - count(*) INTO v_free
    FROM jobs_internal.target_executions
   WHERE lifecycle = 'InProgress' AND lease_until >= now();
  v_free := least(v_free, p_max);
  IF v_free <= 0 THEN
    RETURN;
  END IF;
  -- Overlap, decided under the same lock that starts targets, for the targets next in line: the same step
  -- of the same job still busy on the same database from an earlier execution. The sweep settles the
  -- steps this leaves finished.
  UPDATE jobs_internal.target_executions t
     SET lifecycle = 'Skipped', end_time = now(), next_attempt_start_time = NULL,
         last_message = 'Skipped: an earlier execution of this step was still running on this target.'
   WHERE t.target_execution_id IN (
           SELECT c.target_execution_id
             FROM jobs_internal.target_executions c
            WHERE c.lifecycle = 'Created' AND c.next_attempt_start_time <= now()
            ORDER BY c.next_attempt_start_time, c.target_execution_id
            LIMIT v_free * 4)
     -- An earlier execution that still has the step active there (running, waiting to retry, or queued).
     AND EXISTS (SELECT 1 FROM jobs_internal.target_executions o
                  WHERE o.job_id = t.job_id AND o.step_name = t.step_name AND o.server_name = t.server_name
                    AND o.database_name = t.database_name AND o.job_execution_id <> t.job_execution_id
                    AND o.lifecycle IN ('Created', 'InProgress', 'WaitingForRetry') AND o.create_time < t.create_time);
  RETURN QUERY
  WITH candidates AS (
    SELECT t.target_execution_id, t.job_execution_id, t.step_id, t.parallel_group, t.max_parallelism,
           coalesce(t.next_attempt_start_time, t.lease_until) AS ready_time
      FROM jobs_internal.target_executions t
     WHERE ((t.lifecycle IN ('Created', 'WaitingForRetry') AND t.next_attempt_start_time <= now())
            -- its agent died: run it again, while attempts are left and nobody cancelled it
            OR (t.lifecycle = 'InProgress' AND t.lease_until < now() AND t.current_attempts < t.max_attempts
                AND NOT EXISTS (SELECT 1 FROM jobs_internal.job_executions e
                                 WHERE e.job_execution_id = t.job_execution_id AND e.cancel_requested)))
       -- A group already at its maxParallelism takes no candidate slot, so it cannot starve other work.
       AND (t.max_parallelism IS NULL
            OR (SELECT count(*) FROM jobs_internal.target_executions r
                 WHERE r.job_execution_id = t.job_execution_id AND r.step_id = t.step_id
                   AND r.parallel_group = t.parallel_group AND r.lifecycle = 'InProgress'
                   AND r.lease_until >= now()) < t.max_parallelism)
     ORDER BY 6, 1
     LIMIT v_free * 4                                                 -- headroom for maxParallelism
       FOR UPDATE SKIP LOCKED
  ), ranked AS (
    SELECT c.target_execution_id, c.ready_time, c.max_parallelism,
           row_number() OVER (PARTITION BY c.job_execution_id, c.step_id, c.parallel_group ORDER BY c.ready_time) AS rn,
           (SELECT count(*) FROM jobs_internal.target_executions r
             WHERE r.job_execution_id = c.job_execution_id AND r.step_id = c.step_id
               AND r.parallel_group = c.parallel_group AND r.lifecycle = 'InProgress'
               AND r.lease_until >= now()) AS running
      FROM candidates c
  ), chosen AS (
    SELECT r.target_execution_id
      FROM ranked r
     WHERE r.max_parallelism IS NULL OR r.rn + r.running <= r.max_parallelism
     ORDER BY r.ready_time
     LIMIT v_free
  )
  UPDATE jobs_internal.target_executions t
     SET lifecycle = 'InProgress',
         lease_owner = p_owner,                                        -- this agent
         lease_until = now() + make_interval(secs => p_lease_seconds),  -- renewed while it runs
         claim = t.claim + 1,                                          -- the fencing number of this attempt
         current_attempts = t.current_attempts + 1,
         current_attempt_start_time = now(),
         start_time = coalesce(t.start_time, now()),
         next_attempt_start_time = NULL
    FROM chosen, jobs_internal.job_executions e, jobs_internal.jobs j, jobs_internal.step_executions s
   WHERE t.target_execution_id = chosen.target_execution_id
     AND e.job_execution_id = t.job_execution_id
     AND j.job_id = t.job_id
     AND s.job_execution_id = t.job_execution_id AND s.step_id = t.step_id
  RETURNING t.target_execution_id, t.claim, t.current_attempts, t.job_execution_id, t.job_id, t.step_id,
            t.step_name, t.engine, t.server_name, t.database_name, e.create_time, e.job_version, j.job_name,
            s.target_group_name, t.trust_server_certificate;
END $$;

-- As V002 and V005 do: routines created since (here and in V008) are for the agent's own login only.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA jobs_internal FROM PUBLIC;
