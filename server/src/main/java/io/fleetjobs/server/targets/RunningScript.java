package io.fleetjobs.server.targets;

import io.vertx.core.Future;

/** A script in flight on one target. */
public interface RunningScript {
  /** Completes with the first result set, or fails with the database's own error. */
  Future<ScriptResult> result();

  /** Asks the target to cancel the running statement (a PostgreSQL cancel request, a JDBC cancel). */
  Future<Void> cancel();

  /** A script that could not start (a GO line with a count of 0): nothing runs, so nothing needs cancelling. */
  static RunningScript failed(Throwable failure) {
    return new RunningScript() {
      @Override
      public Future<ScriptResult> result() {
        return Future.failedFuture(failure);
      }

      @Override
      public Future<Void> cancel() {
        return Future.succeededFuture();
      }
    };
  }
}
