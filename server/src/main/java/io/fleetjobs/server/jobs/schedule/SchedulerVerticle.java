package io.fleetjobs.server.jobs.schedule;

import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.logging.LogKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts scheduled runs. Every agent may run one: an occurrence fires once, whoever sees it first.
 * It also purges history past the retention period, like the 45-day purge of Elastic Jobs.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);
  private static final long PURGE_EVERY_MS = Duration.ofHours(1).toMillis();

  private final ScheduleRepository schedules;
  private final Clock clock;
  private final Duration retention;
  private final long tickMs;
  private boolean ticking;

  /** @param tickMs how often it looks for due occurrences */
  public SchedulerVerticle(ScheduleRepository schedules, Clock clock, Duration retention, long tickMs) {
    this.schedules = schedules;
    this.clock = clock;
    this.retention = retention;
    this.tickMs = tickMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(tickMs, id -> tick());
    vertx.setPeriodic(tickMs, PURGE_EVERY_MS, id -> purge());
    return Future.succeededFuture();
  }

  private void tick() {
    if (ticking) {
      return;
    }
    ticking = true;
    Instant now = clock.instant();
    schedules.enabled()
      .compose(jobs -> Future.join(jobs.stream()
        .map(scheduled -> ScheduleCalculator.due(scheduled.job().schedule(), scheduled.lastFired(), now)
          .map(due -> schedules.fire(scheduled.job().jobId(), scheduled.lastFired(), due)
            .onSuccess(execution -> {
              if (execution != null) {
                LogKeys.execution(LOG.atInfo(), scheduled.job().name(), execution)
                  .log("Job {} started by its schedule for {}: execution {}", scheduled.job().name(), due, execution);
                vertx.eventBus().publish(Addresses.DISPATCH_WAKE, null);
              }
            }))
          .orElse(Future.succeededFuture()))
        .toList()))
      .onFailure(e -> LOG.warn("Schedule tick failed; the next one retries: {}", e.getMessage()))
      .onComplete(done -> ticking = false);
  }

  private void purge() {
    schedules.purge(clock.instant().minus(retention))
      .onSuccess(removed -> {
        if (removed > 0) {
          LOG.info("Purged {} job executions that ended more than {} days ago", removed, retention.toDays());
        }
      })
      .onFailure(e -> LOG.warn("History purge failed; it runs again within the hour: {}", e.getMessage()));
  }
}
