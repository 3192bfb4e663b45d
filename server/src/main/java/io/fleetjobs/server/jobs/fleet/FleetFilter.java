package io.fleetjobs.server.jobs.fleet;

import java.util.List;

/**
 * Which databases of a job's fleet a page shows, in which order.
 *
 * @param states only these states; null or empty for all
 * @param search a substring of the server or database name, in any case; null for all
 */
public record FleetFilter(List<FleetState> states, String search, FleetSort sort, int top, int skip) {

  String[] stateValues() {
    return states == null || states.isEmpty() ? null : states.stream().map(FleetState::value).toArray(String[]::new);
  }
}
