package io.fleetjobs.alerts.rules;

import java.util.Optional;

/** What a metric sample can be split and filtered by; Azure's job-agent metrics have none of these. */
public enum Dimension {
  JOB_NAME("jobName"),
  STEP_NAME("stepName"),
  TARGET_SERVER("targetServer"),
  TARGET_DATABASE("targetDatabase");

  private final String jsonName;

  Dimension(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  public static Optional<Dimension> parse(String name) {
    for (Dimension dimension : values()) {
      if (dimension.jsonName.equalsIgnoreCase(name)) {
        return Optional.of(dimension);
      }
    }
    return Optional.empty();
  }
}
