package io.fleetjobs.common.sql;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

/** Small shapes every repository reads results into. */
public final class Rows {
  private Rows() {
  }

  public static <T> List<T> list(Iterable<T> rows) {
    return StreamSupport.stream(rows.spliterator(), false).toList();
  }

  /** The only row, or the failure when there is none. */
  public static <T> Future<T> single(Iterable<T> rows, Supplier<? extends Throwable> whenAbsent) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Future.succeededFuture(iterator.next()) : Future.failedFuture(whenAbsent.get());
  }
}
