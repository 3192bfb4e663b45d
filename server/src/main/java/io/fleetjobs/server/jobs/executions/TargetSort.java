package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The orders a target list comes in, each as the ORDER BY of a query over target_executions aliased x. Every
 * order ends on a unique key, so pages never repeat or skip a row.
 */
public enum TargetSort {
  /** The default, as the list always came: step by step, then by name. */
  STEP("step", "x.step_id, x.server_name, x.database_name"),
  NAME("name", "x.server_name, x.database_name, x.step_id"),
  /** Failures first: what a DBA looks at first, then what is still moving, then what is done. */
  LIFECYCLE("lifecycle", triageRank() + ", x.server_name, x.database_name, x.step_id"),
  /** Longest first; a running target counts to now, a queued one comes last. */
  DURATION("duration", "coalesce(x.end_time, now()) - x.start_time DESC NULLS LAST, x.server_name, x.database_name, "
    + "x.step_id"),
  /** Latest first; targets that have not ended come last. */
  END_TIME("endTime", "x.end_time DESC NULLS LAST, x.server_name, x.database_name, x.step_id");

  private final String value;
  private final String orderBy;

  TargetSort(String value, String orderBy) {
    this.value = value;
    this.orderBy = orderBy;
  }

  public String value() {
    return value;
  }

  /** The ORDER BY list, over target_executions aliased x. */
  String orderBy() {
    return orderBy;
  }

  /** @param value as the API spells it; null for the default */
  public static TargetSort of(String value) {
    if (value == null) {
      return STEP;
    }
    return Arrays.stream(values())
      .filter(sort -> sort.value.equals(value))
      .findFirst()
      .orElseThrow(() -> new InvalidInput("sort", "'" + value + "' is not a sort order; use one of "
        + Arrays.stream(values()).map(TargetSort::value).collect(Collectors.joining(", ")) + "."));
  }

  /** Lifecycles in the order of a failures-first list. (A method, as enum constants are built before fields.) */
  private static String triageRank() {
    List<Lifecycle> failuresFirst = List.of(Lifecycle.FAILED, Lifecycle.TIMED_OUT, Lifecycle.WAITING_FOR_RETRY,
      Lifecycle.IN_PROGRESS, Lifecycle.CREATED, Lifecycle.CANCELED, Lifecycle.SKIPPED,
      Lifecycle.SUCCEEDED_WITH_SKIPPED, Lifecycle.SUCCEEDED);
    StringBuilder rank = new StringBuilder("CASE x.lifecycle");
    for (int i = 0; i < failuresFirst.size(); i++) {
      rank.append(" WHEN '").append(failuresFirst.get(i).value()).append("' THEN ").append(i);
    }
    return rank.append(" ELSE ").append(failuresFirst.size()).append(" END").toString();
  }
}
