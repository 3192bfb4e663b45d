-- The agents registry (V006): heartbeats, fair shares and clean stops. All on the job database's clock.

-- An agent is live while its last heartbeat is less than three heartbeats old and it has not stopped.
CREATE OR REPLACE FUNCTION jobs_internal.is_live(p_last_seen timestamptz, p_heartbeat_seconds integer,
                                                 p_stopped_time timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_stopped_time IS NULL AND p_last_seen >= now() - make_interval(secs => 3 * p_heartbeat_seconds)
$$;

-- Records one heartbeat and returns this agent's share of the capacity: the capacity split evenly over the
-- live agents (rounded up, so the shares cover it), at most p_max_targets (an agent on a small machine), and
-- the whole capacity for a single agent. Agents lost or stopped more than a day ago are dropped here.
CREATE OR REPLACE FUNCTION jobs_internal.heartbeat(
  p_agent_id text, p_host text, p_process_id bigint, p_version text, p_started_time timestamptz,
  p_heartbeat_seconds integer, p_capacity integer, p_max_targets integer,
  OUT live_agents integer, OUT share integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_in_flight integer;
BEGIN
  SELECT count(*) INTO v_in_flight
    FROM jobs_internal.target_executions t
   WHERE t.lifecycle = 'InProgress' AND t.lease_owner = p_agent_id AND t.lease_until >= now();
  INSERT INTO jobs_internal.agents AS a
    (agent_id, host, process_id, version, started_time, last_seen, heartbeat_seconds, targets_in_flight, share)
  VALUES (p_agent_id, p_host, p_process_id, p_version, p_started_time, now(), p_heartbeat_seconds, v_in_flight,
          least(p_capacity, p_max_targets))
  ON CONFLICT (agent_id) DO UPDATE
     SET last_seen = now(), heartbeat_seconds = excluded.heartbeat_seconds,
         targets_in_flight = excluded.targets_in_flight, stopped_time = NULL;
  SELECT count(*) INTO live_agents
    FROM jobs_internal.agents a
   WHERE jobs_internal.is_live(a.last_seen, a.heartbeat_seconds, a.stopped_time);
  live_agents := greatest(live_agents, 1);
  share := least(p_max_targets, ceil(p_capacity::numeric / live_agents)::integer);
  UPDATE jobs_internal.agents SET share = heartbeat.share WHERE agent_id = p_agent_id;
  DELETE FROM jobs_internal.agents a
   WHERE coalesce(a.stopped_time, a.last_seen) < now() - interval '1 day';
END $$;

-- A clean stop: the agent leaves the live set at once, so the others take its share on their next heartbeat.
CREATE OR REPLACE FUNCTION jobs_internal.agent_stopped(p_agent_id text) RETURNS void
LANGUAGE sql AS $$
  UPDATE jobs_internal.agents SET stopped_time = now(), targets_in_flight = 0 WHERE agent_id = p_agent_id
$$;
