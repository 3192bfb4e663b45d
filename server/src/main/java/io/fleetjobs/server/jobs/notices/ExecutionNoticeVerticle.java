package io.fleetjobs.server.jobs.notices;

import io.fleetjobs.alerts.api.ExecutionNoticeOutbox;
import io.fleetjobs.alerts.notify.ExecutionNotice;
import io.fleetjobs.common.async.CoalescedRounds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the notices the job database queued for ended or paused executions into outbox rows: right after a
 * target finishes on this agent (the last one ends its execution), and on a ticker for executions that other
 * agents, a cancel or a pause ended. One round at a time; a request during a round queues one more.
 */
public final class ExecutionNoticeVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionNoticeVerticle.class);
  private static final int PER_ROUND = 50;
  /** Folds a burst of finished targets into one look at the queue. */
  private static final long COALESCE_MS = 50;

  /** What it needs; {@code finishedAddress} is where the engine publishes each finished target. */
  public record Dependencies(ExecutionNoticeRepository notices, ExecutionNoticeOutbox outbox, String finishedAddress,
                             Duration tick) {
  }

  private final Dependencies dependencies;
  private final CoalescedRounds rounds = new CoalescedRounds(this::round);

  public ExecutionNoticeVerticle(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(dependencies.tick().toMillis(), id -> rounds.requestIfIdle());
    return vertx.eventBus()
      .localConsumer(dependencies.finishedAddress(), message -> rounds.requestAfter(() -> vertx.timer(COALESCE_MS)))
      .completion()
      .onSuccess(ready -> rounds.request());
  }

  private Future<?> round() {
    return dependencies.notices()
      .takeDue(PER_ROUND, this::enqueue)
      .onSuccess(taken -> {
        if (taken.rows() > 0) {
          dependencies.outbox().wake();
        }
        if (taken.notices() == PER_ROUND) {
          rounds.request();
        }
      })
      .onFailure(e -> LOG.warn("Could not queue execution notices; the next tick tries again", e));
  }

  /**
   * A notice that cannot be read or rendered is a bug, not an outage: it is logged and dropped, so that it does not
   * hold up every notice queued after it. A failure of the job database fails the round, and the notices stay due.
   */
  private Future<Integer> enqueue(SqlConnection conn, ExecutionNoticeRepository.DueNotice due) {
    ExecutionNotice notice;
    try {
      notice = ExecutionNotice.fromSummary(due.notificationName(), due.jobExecutionId(), due.summary());
    } catch (RuntimeException e) {
      LOG.error("Execution notice {} of notification {} for execution {} cannot be read and is dropped: {}",
        due.id(), due.notificationName(), due.jobExecutionId(), due.summary(), e);
      return Future.succeededFuture(0);
    }
    return dependencies.outbox().enqueue(conn, notice, due.actionGroups());
  }
}
