package io.fleetjobs.server.jobs.fleet;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a database stands with a job, one value each, in the order "who is behind" lists them:
 * <ul>
 * <li>Failing: the last run of some step of the job there Failed or TimedOut;</li>
 * <li>Behind: the job's current version has not succeeded there (an older one did, or none yet);</li>
 * <li>NotTargeted: the job reached it in its retained history, but its steps' groups no longer expand to it;</li>
 * <li>Current: the current version succeeded there, on every step that runs there.</li>
 * </ul>
 */
public enum FleetState {
  FAILING("Failing"),
  BEHIND("Behind"),
  NOT_TARGETED("NotTargeted"),
  CURRENT("Current");

  private final String value;

  FleetState(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }

  public static FleetState of(String value) {
    return Arrays.stream(values())
      .filter(state -> state.value.equals(value))
      .findFirst()
      .orElseThrow(() -> new InvalidInput("state", "'" + value + "' is not a fleet state; use one of "
        + Arrays.stream(values()).map(FleetState::value).collect(Collectors.joining(", ")) + "."));
  }

  /** The CASE that ranks states in this order, over a column holding their values. */
  static String rank(String column) {
    StringBuilder rank = new StringBuilder("CASE ").append(column);
    for (FleetState state : values()) {
      rank.append(" WHEN '").append(state.value).append("' THEN ").append(state.ordinal());
    }
    return rank.append(" END").toString();
  }
}
