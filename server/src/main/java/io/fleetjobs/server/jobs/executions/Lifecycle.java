package io.fleetjobs.server.jobs.executions;

import java.util.Arrays;
import java.util.Optional;

/**
 * The lifecycle values of Elastic Jobs, verbatim, with what the engine derives from each. The job database
 * holds the same facts in jobs_internal.lifecycles (V001__baseline.sql); LifecycleTest checks that the two
 * agree, value by value.
 */
public enum Lifecycle {
  CREATED("Created", true, null),
  IN_PROGRESS("InProgress", true, null),
  WAITING_FOR_RETRY("WaitingForRetry", true, null),
  WAITING_FOR_CHILD_JOB_EXECUTIONS("WaitingForChildJobExecutions", true, null),
  SUCCEEDED("Succeeded", false, "elastic_jobs_successful"),
  SUCCEEDED_WITH_SKIPPED("SucceededWithSkipped", false, null),
  FAILED("Failed", false, "elastic_jobs_failed"),
  TIMED_OUT("TimedOut", false, "elastic_jobs_timeout"),
  CANCELED("Canceled", false, null),
  SKIPPED("Skipped", false, null),
  /** fleetjobs' own: a rollout's error budget or manual gate holds the step until someone resumes or aborts it. */
  PAUSED("Paused", true, null);

  private final String value;
  private final boolean active;
  private final String metricName;

  Lifecycle(String value, boolean active, String metricName) {
    this.value = value;
    this.active = active;
    this.metricName = metricName;
  }

  /** The value as Elastic Jobs spells it, in the API, the views and the job database. */
  public String value() {
    return value;
  }

  /** Still running or waiting to: the views' is_active. */
  public boolean isActive() {
    return active;
  }

  /** The Elastic Jobs metric a target that ends this way counts in, if any. */
  public Optional<String> metricName() {
    return Optional.ofNullable(metricName);
  }

  public static Lifecycle of(String value) {
    return Arrays.stream(values())
      .filter(lifecycle -> lifecycle.value.equals(value))
      .findFirst()
      .orElseThrow(() -> new IllegalArgumentException("Unknown lifecycle " + value));
  }
}
