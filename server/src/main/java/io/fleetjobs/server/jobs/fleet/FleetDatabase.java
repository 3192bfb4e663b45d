package io.fleetjobs.server.jobs.fleet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * One database of a job's fleet: its state, the last version of the job that succeeded there and when, and the
 * last run of each step of the current version there ({"stepName", "lifecycle", "jobExecutionId", "endTime"}).
 *
 * @param targeted whether the job's step groups expand to it now (or its server could not be listed now)
 * @param lastError the message of its last failed step run, when it is Failing
 */
public record FleetDatabase(String serverName, String databaseName, FleetState state, boolean targeted,
                            Integer lastSucceededVersion, Instant lastSucceededTime, UUID lastSucceededExecutionId,
                            JsonArray steps, String lastError) {

  /**
   * @param row a row of FleetStateRepository's query, whose last_runs is {stepName: {"lifecycle",
   *     "jobExecutionId", "endTime", "message"}}, the message only for a failed run
   * @param steps the current version's steps in order, which the database's step runs are listed in
   */
  static FleetDatabase of(Row row, List<String> steps) {
    JsonObject lastRuns = (JsonObject) row.getValue("last_runs");
    JsonArray runs = new JsonArray();
    String lastError = null;
    String lastErrorTime = null;
    for (String step : steps) {
      JsonObject run = lastRuns.getJsonObject(step);
      if (run == null) {
        continue;
      }
      String message = (String) run.remove("message");
      String ended = run.getString("endTime");
      if (message != null && (lastErrorTime == null || (ended != null && ended.compareTo(lastErrorTime) > 0))) {
        lastError = message;
        lastErrorTime = ended;
      }
      runs.add(run.put("stepName", step));
    }
    return new FleetDatabase(row.getString("server_name"), row.getString("database_name"),
      FleetState.of(row.getString("state")), row.getBoolean("targeted"), row.getInteger("succeeded_version"),
      instant(row, "succeeded_time"), row.getUUID("succeeded_execution"), runs, lastError);
  }

  /** @param currentVersion the job's version now, which isCurrentVersion compares with */
  public JsonObject toJson(int currentVersion) {
    return new JsonObject()
      .put("serverName", serverName)
      .put("databaseName", databaseName)
      .put("state", state.value())
      .put("targeted", targeted)
      .put("lastSucceededVersion", lastSucceededVersion)
      .put("lastSucceededTime", lastSucceededTime == null ? null : lastSucceededTime.toString())
      .put("lastSucceededExecutionId", lastSucceededExecutionId == null ? null : lastSucceededExecutionId.toString())
      .put("isCurrentVersion", lastSucceededVersion != null && lastSucceededVersion == currentVersion)
      .put("steps", steps)
      .put("lastError", lastError);
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
