-- The agents sharing this job database, as each reports itself on every heartbeat. Advisory: correctness rests
-- on leases and fencing, never on this table. It tells operators which agents are alive and what each runs,
-- and gives each agent its fair share of the tier's capacity.
CREATE TABLE jobs_internal.agents (
  agent_id          text        PRIMARY KEY,
  host              text        NOT NULL,
  process_id        bigint      NOT NULL,
  version           text        NOT NULL,
  started_time      timestamptz NOT NULL,
  -- The job database's clock: the one every agent shares, as for leases.
  last_seen         timestamptz NOT NULL,
  heartbeat_seconds integer     NOT NULL,
  targets_in_flight integer     NOT NULL,
  share             integer     NOT NULL,
  stopped_time      timestamptz
);
