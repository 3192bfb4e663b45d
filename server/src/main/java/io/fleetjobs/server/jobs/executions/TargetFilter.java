package io.fleetjobs.server.jobs.executions;

import java.util.List;

/**
 * What a target list of an execution shows: the Azure filters (times, isActive, paging), and the fleet view's
 * own. Null means no bound.
 *
 * @param lifecycles only targets in one of these lifecycles
 * @param search a substring of the server or database name, in any case
 * @param failureGroup only the targets of this failure group (see FailureGroupRepository)
 * @param after the rows after this cursor instead of base's $skip: the fast path to a deep page
 */
public record TargetFilter(ExecutionFilter base, List<Lifecycle> lifecycles, String search, TargetSort sort,
                           String failureGroup, TargetCursor after) {

  String[] lifecycleValues() {
    return lifecycles == null || lifecycles.isEmpty() ? null
      : lifecycles.stream().map(Lifecycle::value).toArray(String[]::new);
  }
}
