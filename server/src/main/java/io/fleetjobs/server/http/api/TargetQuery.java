package io.fleetjobs.server.http.api;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.jobs.executions.ExecutionFilter;
import io.fleetjobs.server.jobs.executions.Lifecycle;
import io.fleetjobs.server.jobs.executions.TargetCursor;
import io.fleetjobs.server.jobs.executions.TargetFilter;
import io.fleetjobs.server.jobs.executions.TargetSort;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The fleet view's query parameters of a target list: lifecycle (one or a list), search, sort, failureGroup, and
 * $skipToken.
 */
final class TargetQuery {
  private TargetQuery() {
  }

  /** @param base the Azure filters; its one lifecycle gives way to the list read here */
  static TargetFilter filter(RoutingContext ctx, ExecutionFilter base) {
    TargetSort sort = TargetSort.of(Endpoint.queryString(ctx, "sort"));
    return new TargetFilter(new ExecutionFilter(base.jobName(), base.createTimeMin(), base.createTimeMax(),
        base.endTimeMin(), base.endTimeMax(), base.isActive(), null, base.top(), base.skip()),
      list(ctx, "lifecycle", value -> {
        try {
          return Lifecycle.of(value);
        } catch (IllegalArgumentException e) {
          throw new InvalidInput("lifecycle", "'" + value + "' is not a lifecycle.");
        }
      }),
      search(ctx),
      sort,
      Endpoint.queryString(ctx, "failureGroup"),
      cursor(ctx, sort, base.skip()));
  }

  /** The $skipToken of a previous page, which continues it where $skip would count the rows again. */
  private static TargetCursor cursor(RoutingContext ctx, TargetSort sort, int skip) {
    String token = Endpoint.queryString(ctx, TargetCursor.PARAMETER);
    if (token == null) {
      return null;
    }
    if (skip != 0) {
      throw new InvalidInput(TargetCursor.PARAMETER, "Give $skipToken or $skip, not both: the token already says "
        + "where the page starts.");
    }
    return TargetCursor.decode(token, sort);
  }

  /** The search text, trimmed; null when there is none. */
  static String search(RoutingContext ctx) {
    String search = Endpoint.queryString(ctx, "search");
    return search == null || search.isBlank() ? null : search.trim();
  }

  /**
   * A parameter given as one value, a comma-separated list (lifecycle=Failed,TimedOut) or repeated
   * (lifecycle=Failed&amp;lifecycle=TimedOut); null when absent.
   */
  static <T> List<T> list(RoutingContext ctx, String name, Function<String, T> parse) {
    List<String> given = ctx.queryParam(name);
    if (given.isEmpty()) {
      return null;
    }
    return given.stream()
      .flatMap(value -> Arrays.stream(value.split(",")))
      .map(String::trim)
      .filter(value -> !value.isEmpty())
      .distinct()
      .map(parse)
      .toList();
  }
}
