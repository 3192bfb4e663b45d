package io.fleetjobs.server.db;

import java.util.List;
import java.util.function.Function;

/** One page of a list, read with one row more than asked for to learn whether another page follows. */
public record Page<T>(List<T> items, boolean hasMore) {

  /** How many rows to ask the database for. */
  public static int probeLimit(int top) {
    return top + 1;
  }

  public static <T> Page<T> of(List<T> rows, int top) {
    return rows.size() > top ? new Page<>(rows.subList(0, top), true) : new Page<>(rows, false);
  }

  public <R> Page<R> map(Function<T, R> mapper) {
    return new Page<>(items.stream().map(mapper).toList(), hasMore);
  }
}
