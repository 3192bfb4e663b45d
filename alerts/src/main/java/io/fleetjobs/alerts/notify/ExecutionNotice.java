package io.fleetjobs.alerts.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a notice says about one job execution that ended or paused: rendered once, when it is queued, into the
 * exact bytes every attempt then sends.
 *
 * @param lifecycle     the execution's lifecycle: Succeeded, SucceededWithSkipped, Failed, TimedOut, Canceled
 *                      or Paused
 * @param counts        its targets per lifecycle, over every step so far, most frequent first
 * @param failureGroups its Failed and TimedOut targets grouped by error code and cause, largest first
 * @param duration      from its start (or creation) to its end, or to the pause
 */
public record ExecutionNotice(
  String notificationName,
  UUID jobExecutionId,
  String jobName,
  int jobVersion,
  String lifecycle,
  boolean dryRun,
  Instant startTime,
  Instant endTime,
  Duration duration,
  String lastMessage,
  Map<String, Integer> counts,
  List<FailureGroup> failureGroups) {

  public static final String PAUSED = "Paused";

  /** Targets that failed the same way: the lifecycle, the SQLSTATE (or error number) and the message's cause. */
  public record FailureGroup(String lifecycle, String errorCode, String cause, int count) {
    public JsonObject toJson() {
      return new JsonObject()
        .put("lifecycle", lifecycle)
        .put("errorCode", errorCode)
        .put("cause", cause)
        .put("count", count);
    }

    public String describe() {
      return count + " × " + (errorCode == null ? "" : errorCode + " ") + (cause.isBlank() ? "(no message)" : cause)
        + (lifecycle.equals("Failed") ? "" : " (" + lifecycle + ")");
    }
  }

  public ExecutionNotice {
    counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    failureGroups = List.copyOf(failureGroups);
  }

  /**
   * Reads the summary that the job database's jobs_internal.execution_summary wrote when the execution ended:
   * {jobName, jobVersion, lifecycle, dryRun, startTime, endTime, durationMs, lastMessage, counts: {lifecycle: n},
   * failureGroups: [{lifecycle, errorCode, cause, count}]}.
   */
  public static ExecutionNotice fromSummary(String notificationName, UUID jobExecutionId, JsonObject summary) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    JsonObject countsJson = summary.getJsonObject("counts", new JsonObject());
    countsJson.fieldNames().stream()
      .sorted((a, b) -> Integer.compare(countsJson.getInteger(b), countsJson.getInteger(a)))
      .forEach(lifecycle -> counts.put(lifecycle, countsJson.getInteger(lifecycle)));
    List<FailureGroup> groups = new ArrayList<>();
    for (Object item : summary.getJsonArray("failureGroups", new JsonArray())) {
      JsonObject group = (JsonObject) item;
      groups.add(new FailureGroup(group.getString("lifecycle"), group.getString("errorCode"),
        group.getString("cause", ""), group.getInteger("count")));
    }
    return new ExecutionNotice(notificationName, jobExecutionId, summary.getString("jobName"),
      summary.getInteger("jobVersion"), summary.getString("lifecycle"), summary.getBoolean("dryRun", false),
      instant(summary.getString("startTime")), instant(summary.getString("endTime")),
      Duration.ofMillis(summary.getLong("durationMs", 0L)), summary.getString("lastMessage"), counts, groups);
  }

  private static Instant instant(String text) {
    return text == null ? null : OffsetDateTime.parse(text).toInstant();
  }

  public boolean paused() {
    return PAUSED.equals(lifecycle);
  }

  /** The Standard Webhooks event type. */
  public String eventType() {
    return paused() ? "execution.paused" : "execution.ended";
  }

  public int targets() {
    return counts.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int failedTargets() {
    return counts.getOrDefault("Failed", 0) + counts.getOrDefault("TimedOut", 0);
  }

  /** One line that says it all, for a subject, a header or a fallback text. */
  public String title() {
    return (dryRun ? "[Dry run] " : "") + "Job " + jobName + " (version " + jobVersion + ") "
      + (paused() ? "paused" : "ended " + lifecycle)
      + (targets() == 0 ? "" : ": " + failedTargets() + " of " + targets() + " targets failed");
  }

  /** Counts as "Succeeded 12, Failed 3". */
  public String countsText() {
    if (counts.isEmpty()) {
      return "no targets";
    }
    List<String> parts = new ArrayList<>();
    counts.forEach((lifecycle, count) -> parts.add(lifecycle + " " + count));
    return String.join(", ", parts);
  }

  /** The duration as people read it: 2 h 5 min, 3 min 12 s, 850 ms. */
  public String durationText() {
    long seconds = duration.toSeconds();
    if (seconds == 0) {
      return duration.toMillis() + " ms";
    }
    if (seconds < 60) {
      return seconds + " s";
    }
    if (seconds < 3600) {
      return seconds / 60 + " min " + seconds % 60 + " s";
    }
    return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
  }
}
