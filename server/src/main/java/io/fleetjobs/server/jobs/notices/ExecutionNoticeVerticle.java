package io.fleetjobs.server.jobs.notices;

import io.fleetjobs.alerts.api.ExecutionNoticeOutbox;
import io.fleetjobs.alerts.notify.ExecutionNotice;
import io.fleetjobs.common.async.CoalescedRounds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
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
      .takeDue(PER_ROUND, (conn, due) -> dependencies.outbox().enqueue(conn,
        ExecutionNotice.fromSummary(due.notificationName(), due.jobExecutionId(), due.summary()), due.actionGroups()))
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
}
