package io.fleetjobs.server.jobs.executions;

import java.util.Set;

/** The lifecycle values of Elastic Jobs, verbatim. The job database's is_active() agrees with this set. */
public final class Lifecycles {
  public static final String CREATED = "Created";
  public static final String IN_PROGRESS = "InProgress";
  public static final String WAITING_FOR_RETRY = "WaitingForRetry";
  public static final String SUCCEEDED = "Succeeded";
  public static final String SUCCEEDED_WITH_SKIPPED = "SucceededWithSkipped";
  public static final String FAILED = "Failed";
  public static final String TIMED_OUT = "TimedOut";
  public static final String CANCELED = "Canceled";
  public static final String SKIPPED = "Skipped";
  public static final String WAITING_FOR_CHILD_JOB_EXECUTIONS = "WaitingForChildJobExecutions";

  private static final Set<String> ACTIVE = Set.of(CREATED, IN_PROGRESS, WAITING_FOR_RETRY,
    WAITING_FOR_CHILD_JOB_EXECUTIONS);

  private Lifecycles() {
  }

  public static boolean isActive(String lifecycle) {
    return ACTIVE.contains(lifecycle);
  }
}
