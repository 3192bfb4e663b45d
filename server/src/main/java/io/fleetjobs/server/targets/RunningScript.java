package io.fleetjobs.server.targets;

import io.vertx.core.Future;

/** A script in flight on one target. */
public interface RunningScript {
  /** Completes with the first result set, or fails with the database's own error. */
  Future<ScriptResult> result();

  /** Asks the target to cancel the running statement (a PostgreSQL cancel request, a JDBC cancel). */
  Future<Void> cancel();
}
