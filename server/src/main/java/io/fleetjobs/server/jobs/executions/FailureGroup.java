package io.fleetjobs.server.jobs.executions;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.util.Arrays;
import java.util.List;

/**
 * The Failed or TimedOut targets of an execution that failed for the same cause: the same lifecycle, the same
 * SQLSTATE (or SQL Server error number) and the same message once its target-specific parts are normalized
 * (jobs_internal.failure_cause). {@code failureGroup} is its id, which a target list filters by.
 *
 * @param firstTargets the first few of its targets by name; the rest are a page of the target list away
 */
public record FailureGroup(String failureGroup, String lifecycle, String errorCode, String cause, long targets,
                           String exampleMessage, List<String> stepNames, JsonArray firstTargets) {

  /** How many of a group's targets come with it. */
  public static final int FIRST_TARGETS = 10;

  public static final RowMapper<FailureGroup> ROW_MAPPER = row -> new FailureGroup(
    row.getString("failure_group"),
    row.getString("lifecycle"),
    row.getString("error_code"),
    row.getString("cause"),
    row.getLong("targets"),
    row.getString("example_message"),
    Arrays.asList(row.getArrayOfStrings("step_names")),
    (JsonArray) row.getValue("first_targets"));

  public JsonObject toJson() {
    return new JsonObject()
      .put("failureGroup", failureGroup)
      .put("lifecycle", lifecycle)
      .put("errorCode", errorCode)
      .put("cause", cause)
      .put("targets", targets)
      .put("exampleMessage", exampleMessage)
      .put("stepNames", new JsonArray(stepNames))
      .put("firstTargets", firstTargets);
  }
}
