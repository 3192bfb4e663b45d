package io.fleetjobs.alerts.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** A rule fired that names jobs to pause: the event the engine acts on ("*" names every job). */
public record RulePause(String ruleName, List<String> jobs) {
  public JsonObject toJson() {
    return new JsonObject().put("ruleName", ruleName).put("jobs", new JsonArray(jobs));
  }

  public static RulePause fromJson(JsonObject json) {
    return new RulePause(json.getString("ruleName"),
      json.getJsonArray("jobs").stream().map(String.class::cast).toList());
  }

  public boolean everyJob() {
    return jobs.contains("*");
  }
}
