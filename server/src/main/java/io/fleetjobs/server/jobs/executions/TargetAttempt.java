package io.fleetjobs.server.jobs.executions;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * One attempt of a target: which agent ran it, when, and how it ended (the target's lifecycle after it, or
 * LeaseLost when its agent died; InProgress, without an end, for the attempt running now).
 */
public record TargetAttempt(int attempt, int claim, String agent, Instant startTime, Instant endTime, String outcome,
                            String errorCode, String message) {

  public static final RowMapper<TargetAttempt> ROW_MAPPER = row -> new TargetAttempt(
    row.getInteger("attempt"),
    row.getInteger("claim"),
    row.getString("agent"),
    instant(row, "start_time"),
    instant(row, "end_time"),
    row.getString("outcome"),
    row.getString("error_code"),
    row.getString("message"));

  public JsonObject toJson() {
    return new JsonObject()
      .put("attempt", attempt)
      .put("claim", claim)
      .put("agent", agent)
      .put("startTime", startTime == null ? null : startTime.toString())
      .put("endTime", endTime == null ? null : endTime.toString())
      .put("outcome", outcome)
      .put("errorCode", errorCode)
      .put("message", message);
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
