package io.fleetjobs.alerts.source;

import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.MetricSnapshot;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where the three metrics come from. The server implements it over its execution history; alerts
 * only read through it, so this module never depends on the server's tables or classes.
 */
public interface MetricSource {

  /** Counts of target executions that ended within {@code window} of the job database's clock. */
  Future<MetricSnapshot> snapshot(Duration window);

  /**
   * The newest executions that ended with one of these outcomes since {@code since}, newest first.
   *
   * @param on where to read: the evaluating rule's own transaction, so the read never waits for a second
   *           connection of a pool that the rules evaluated side by side may all hold
   */
  Future<List<RecentExecution>> recent(SqlClient on, List<AlertMetric> metrics, Instant since, int limit);
}
