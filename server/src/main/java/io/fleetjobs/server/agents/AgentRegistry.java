package io.fleetjobs.server.agents;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** All SQL of the agents registry (R__agents.sql): heartbeats, clean stops, and the list operators read. */
public final class AgentRegistry {
  /** What one heartbeat learned: how many agents are live, and this one's share of the capacity. */
  public record Beat(int liveAgents, int share) {
  }

  private static final RowMapper<JsonObject> AGENT = row -> new JsonObject()
    .put("agentId", row.getString("agent_id"))
    .put("host", row.getString("host"))
    .put("processId", row.getLong("process_id"))
    .put("version", row.getString("version"))
    .put("startTime", time(row, "started_time"))
    .put("lastSeen", time(row, "last_seen"))
    .put("state", row.getString("state"))
    .put("targetsInFlight", row.getInteger("targets_in_flight"))
    .put("share", row.getInteger("share"));

  private final SqlTemplate<Map<String, Object>, RowSet<Beat>> heartbeat;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> stopped;
  private final SqlTemplate<Map<String, Object>, RowSet<JsonObject>> list;

  public AgentRegistry(Pool pool) {
    heartbeat = SqlTemplate.forQuery(pool, """
        SELECT live_agents, share
          FROM jobs_internal.heartbeat(#{id}, #{host}, #{pid}, #{version}, #{started}, #{heartbeatSeconds},
                                       #{capacity}, #{maxTargets})""")
      .mapTo(row -> new Beat(row.getInteger("live_agents"), row.getInteger("share")));
    stopped = SqlTemplate.forQuery(pool, "SELECT jobs_internal.agent_stopped(#{id})");
    list = SqlTemplate.forQuery(pool, """
        SELECT a.agent_id, a.host, a.process_id, a.version, a.started_time, a.last_seen, a.targets_in_flight, a.share,
               CASE WHEN a.stopped_time IS NOT NULL THEN 'Stopped'
                    WHEN jobs_internal.is_live(a.last_seen, a.heartbeat_seconds, a.stopped_time) THEN 'Live'
                    ELSE 'Lost' END AS state
          FROM jobs_internal.agents a
         ORDER BY a.stopped_time NULLS FIRST, a.started_time""")
      .mapTo(AGENT);
  }

  /**
   * @param capacity the tier's cap, which the live agents share
   * @param maxTargets this agent's own cap (FLEETJOBS_AGENT_MAX_TARGETS)
   */
  public Future<Beat> beat(AgentIdentity self, int heartbeatSeconds, int capacity, int maxTargets) {
    return heartbeat.execute(Params.of("id", self.agentId(), "host", self.host(), "pid", self.processId(),
        "version", self.version(), "started", Params.utc(self.startTime()), "heartbeatSeconds", heartbeatSeconds,
        "capacity", capacity, "maxTargets", maxTargets))
      .map(rows -> rows.iterator().next());
  }

  public Future<Void> stopped(AgentIdentity self) {
    return stopped.execute(Params.of("id", self.agentId())).mapEmpty();
  }

  /** Every agent the registry knows: live, lost (three heartbeats missed) or stopped, for a day after. */
  public Future<List<JsonObject>> list() {
    return list.execute(Map.of()).map(Rows::list);
  }

  private static String time(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant().toString();
  }

  /** Who an agent is, as the registry shows it. */
  public record AgentIdentity(String agentId, String host, long processId, String version, Instant startTime) {
  }
}
