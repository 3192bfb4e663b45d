package io.fleetjobs.server.targets;

import io.vertx.core.Future;
import java.util.function.Supplier;

/** A script in flight on one target. */
public interface RunningScript {
  /** Completes with the first result set, or fails with the database's own error. */
  Future<ScriptResult> result();

  /** Asks the target to cancel the running statement (a PostgreSQL cancel request, a JDBC cancel). */
  Future<Void> cancel();

  /** A script in flight, cancelled the driver's way. */
  static RunningScript of(Future<ScriptResult> result, Supplier<Future<Void>> cancel) {
    return new RunningScript() {
      @Override
      public Future<ScriptResult> result() {
        return result;
      }

      @Override
      public Future<Void> cancel() {
        return cancel.get();
      }
    };
  }

  /** A script that could not start (a GO line with a count of 0): nothing runs, so nothing needs cancelling. */
  static RunningScript failed(Throwable failure) {
    return of(Future.failedFuture(failure), Future::succeededFuture);
  }
}
