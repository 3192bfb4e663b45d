package io.fleetjobs.server.config;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * What operators read from the agent besides the API: which target labels the execution counters carry on
 * /metrics, and how log lines are written.
 *
 * @param metricsTargetLabels {@code server} (the default), {@code database} or {@code none}: one series per
 *   database per job and step does not scale to fleets of thousands; the job database keeps the full
 *   per-database counts for alerts and charts whatever this says
 * @param logFormat {@code text} (the default, for people) or {@code json} (one object per line, for log stores)
 */
public record TelemetrySettings(TargetLabels metricsTargetLabels, LogFormat logFormat) {

  /** Which target labels the Elastic Jobs counters carry besides job_name and step_name. */
  public enum TargetLabels {
    SERVER,
    DATABASE,
    NONE
  }

  public enum LogFormat {
    TEXT,
    JSON
  }

  static TelemetrySettings fromJson(JsonObject json) {
    return new TelemetrySettings(
      parse(TargetLabels.class, json, "metricsTargetLabels", TargetLabels.SERVER),
      parse(LogFormat.class, json, "logFormat", LogFormat.TEXT));
  }

  void putInto(JsonObject json) {
    json.put("metricsTargetLabels", metricsTargetLabels.name().toLowerCase(Locale.ROOT))
      .put("logFormat", logFormat.name().toLowerCase(Locale.ROOT));
  }

  private static <E extends Enum<E>> E parse(Class<E> type, JsonObject json, String key, E defaultValue) {
    String value = json.getString(key);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E constant : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
      }
      throw new IllegalArgumentException(key + " must be one of " + allowed + ", not " + value);
    }
  }
}
