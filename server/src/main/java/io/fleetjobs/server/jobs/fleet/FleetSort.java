package io.fleetjobs.server.jobs.fleet;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The orders of a fleet state page, as ORDER BY lists over the classified rows aliased c. */
public enum FleetSort {
  /** Behind first: failing, then behind, then no longer targeted, then current; by name within each. */
  STATE("state", FleetState.rank("c.state") + ", c.server_name, c.database_name"),
  NAME("name", "c.server_name, c.database_name"),
  /** The longest since the job last succeeded there first; never first of all. */
  LAST_SUCCEEDED("lastSucceeded", "c.succeeded_time NULLS FIRST, c.server_name, c.database_name");

  private final String value;
  private final String orderBy;

  FleetSort(String value, String orderBy) {
    this.value = value;
    this.orderBy = orderBy;
  }

  String orderBy() {
    return orderBy;
  }

  public String value() {
    return value;
  }

  /** @param value as the API spells it; null for the default, behind first */
  public static FleetSort of(String value) {
    if (value == null) {
      return STATE;
    }
    return Arrays.stream(values())
      .filter(sort -> sort.value.equals(value))
      .findFirst()
      .orElseThrow(() -> new InvalidInput("sort", "'" + value + "' is not a sort order; use one of "
        + Arrays.stream(values()).map(FleetSort::value).collect(Collectors.joining(", ")) + "."));
  }
}
