package io.fleetjobs.server.jobs.notices;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * An execution notification: when an execution of one of {@code jobs} (or of any job, {@code ["*"]}) ends in one
 * of {@code endStates}, or pauses, each of {@code actionGroups} is told. Succeeded covers SucceededWithSkipped.
 */
public record ExecutionNotification(String name, String description, List<String> jobs, List<String> endStates,
                                    List<String> actionGroups) {
  public static final String EVERY_JOB = "*";
  /** The lifecycles an execution can end in, and Paused (a fleetjobs extension: it is still active). */
  public static final List<String> END_STATES = List.of("Succeeded", "SucceededWithSkipped", "Failed", "TimedOut",
    "Canceled", "Paused");
  private static final int MAX_JOBS = 100;
  private static final int MAX_GROUPS = 10;

  public ExecutionNotification {
    jobs = List.copyOf(jobs);
    endStates = List.copyOf(endStates);
    actionGroups = List.copyOf(actionGroups);
  }

  public static ExecutionNotification fromJson(String name, JsonObject body) {
    JsonFields json = JsonFields.named(name, body);
    String description = json.string("description", 2048).orElse(null);
    List<String> jobs = distinct(json.strings("jobs", MAX_JOBS, 128));
    if (jobs.isEmpty()) {
      throw json.invalid("jobs", "is required: job names, or [\"*\"] for every job.");
    }
    for (int i = 0; i < jobs.size(); i++) {
      if (!jobs.get(i).equals(EVERY_JOB)) {
        JsonFields.checkName(jobs.get(i), json.path("jobs", i));
      }
    }
    if (jobs.contains(EVERY_JOB) && jobs.size() > 1) {
      throw json.invalid("jobs", "is either [\"*\"] for every job or a list of job names, not both.");
    }
    List<String> states = distinct(json.strings("endStates", END_STATES.size(), 32));
    if (states.isEmpty()) {
      throw json.invalid("endStates", "is required: some of " + END_STATES + ".");
    }
    for (int i = 0; i < states.size(); i++) {
      if (!END_STATES.contains(states.get(i))) {
        throw new InvalidInput(json.path("endStates", i), json.path("endStates", i) + " is " + states.get(i)
          + ", but must be one of " + END_STATES + ".");
      }
    }
    List<String> groups = distinct(json.strings("actionGroups", MAX_GROUPS, 128));
    if (groups.isEmpty()) {
      throw json.invalid("actionGroups", "is required: the action groups to notify.");
    }
    return new ExecutionNotification(name, description, jobs, states, groups);
  }

  public boolean everyJob() {
    return jobs.equals(List.of(EVERY_JOB));
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", name)
      .put("description", description)
      .put("jobs", new JsonArray(new ArrayList<>(jobs)))
      .put("endStates", new JsonArray(new ArrayList<>(endStates)))
      .put("actionGroups", new JsonArray(new ArrayList<>(actionGroups)));
  }

  private static List<String> distinct(List<String> values) {
    return List.copyOf(new LinkedHashSet<>(values));
  }
}
