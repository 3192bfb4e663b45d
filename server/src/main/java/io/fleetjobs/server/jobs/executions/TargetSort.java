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
  STEP("step", "x.step_id, x.server_name, x.database_name",
    List.of("x.step_id", "x.server_name", "x.database_name"),
    "(x.step_id, x.server_name, x.database_name) > (#{k0}::text::int, #{k1}::text, #{k2}::text)"),
  NAME("name", "x.server_name, x.database_name, x.step_id",
    List.of("x.server_name", "x.database_name", "x.step_id"),
    "(x.server_name, x.database_name, x.step_id) > (#{k0}::text, #{k1}::text, #{k2}::text::int)"),
  /** Failures first: what a DBA looks at first, then what is still moving, then what is done. */
  LIFECYCLE("lifecycle", triageRank() + ", x.server_name, x.database_name, x.step_id",
    List.of(triageRank(), "x.server_name", "x.database_name", "x.step_id"),
    "(" + triageRank() + ", x.server_name, x.database_name, x.step_id)"
      + " > (#{k0}::text::int, #{k1}::text, #{k2}::text, #{k3}::text::int)"),
  /**
   * Longest first; a running target counts to now, a queued one comes last. No index can hold an order that moves
   * with now(), so every page of it reads the execution's targets (a cursor still spares the sort of those before
   * it); a running target's place moves while it runs.
   */
  DURATION("duration", duration() + " DESC NULLS LAST, x.server_name, x.database_name, x.step_id",
    List.of(duration(), "x.server_name", "x.database_name", "x.step_id"),
    "CASE WHEN #{k0}::text IS NULL THEN x.start_time IS NULL AND " + namesAfter()
      + " ELSE " + duration() + " < #{k0}::text::interval OR x.start_time IS NULL OR (" + duration()
      + " = #{k0}::text::interval AND " + namesAfter() + ") END"),
  /**
   * Latest first; targets that have not ended come last (-infinity sorts as NULLS LAST would, and keeps the key
   * one value, so V013's index seeks to a cursor).
   */
  END_TIME("endTime", endKey() + " DESC, x.server_name, x.database_name, x.step_id",
    List.of(endKey(), "x.server_name", "x.database_name", "x.step_id"),
    endKey() + " <= #{k0}::text::timestamptz AND (" + endKey() + " < #{k0}::text::timestamptz OR " + namesAfter()
      + ")");

  private final String value;
  private final String orderBy;
  private final List<String> keys;
  private final String after;

  TargetSort(String value, String orderBy, List<String> keys, String after) {
    this.value = value;
    this.orderBy = orderBy;
    this.keys = keys;
    this.after = after;
  }

  public String value() {
    return value;
  }

  /** The ORDER BY list, over target_executions aliased x. */
  String orderBy() {
    return orderBy;
  }

  /** How many values a cursor of this order holds: the sort keys of the row it continues after. */
  int keyCount() {
    return keys.size();
  }

  /** The sort keys of a row, as text[] named sort_key, which a cursor carries to the next page. */
  String keySelect() {
    return "ARRAY[" + String.join(", ", keys.stream().map(key -> "(" + key + ")::text").toList()) + "] AS sort_key";
  }

  /**
   * The rows after a cursor, in this order, over parameters k0, k1… (the cursor's keys as text). Each is a row
   * comparison, or a range on the first key, that the order's index seeks to: the last page costs the first's.
   */
  String after() {
    return after;
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

  /** An end time that never is NULL, so the order is one key of one direction; V013 indexes it. */
  private static String endKey() {
    return "coalesce(x.end_time, '-infinity'::timestamptz)";
  }

  private static String duration() {
    return "(coalesce(x.end_time, now()) - x.start_time)";
  }

  private static String namesAfter() {
    return "(x.server_name, x.database_name, x.step_id) > (#{k1}::text, #{k2}::text, #{k3}::text::int)";
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
