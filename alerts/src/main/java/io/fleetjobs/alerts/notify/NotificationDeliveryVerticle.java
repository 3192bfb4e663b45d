package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.AlertsAddresses;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.common.async.CoalescedRounds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox: claims due rows (woken by new ones, else polling), attempts each on its own, and
 * closes Defer windows that ended. A receiver may have only a few attempts in flight, so a slow one
 * cannot take every slot; on stop, rows still in flight are handed back for the next claim.
 */
public final class NotificationDeliveryVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationDeliveryVerticle.class);
  private static final long POLL_MS = 500;
  private static final long DEFERRED_MS = 1000;
  private static final long DEPTH_MS = 5000;
  private static final int MAX_IN_FLIGHT = 64;
  /**
   * A quarter of the slots: a slow or dead receiver holds at most this many, while a burst of alerts to one
   * receiver (a fleet-wide failure, often all to one webhook) is not queued four at a time behind each
   * attempt's round trip and its recorded result.
   */
  private static final int PER_ADDRESS_IN_FLIGHT = 16;

  /**
   * What the verticle needs: where the rows are, how to attempt one, who it is to the leases, and the meter of the
   * outbox's depth.
   */
  public record Dependencies(OutboxRepository outbox, NotificationDelivery delivery, String agent, Duration lease,
                             DeliveryMetrics metrics) {
  }

  private final Dependencies dependencies;
  private final Map<String, Integer> inFlightByAddress = new HashMap<>();
  private final Set<ClaimedNotification> inFlight = new HashSet<>();
  private final CoalescedRounds claims = new CoalescedRounds(this::claim);
  private boolean stopping;

  public NotificationDeliveryVerticle(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(POLL_MS, id -> claims.request());
    vertx.setPeriodic(DEFERRED_MS, id -> summarizeDeferred());
    vertx.setPeriodic(DEPTH_MS, id -> dependencies.outbox().depth()
      .onSuccess(depth -> dependencies.metrics().outboxDepth(depth))
      .onFailure(e -> LOG.debug("Could not read the outbox's depth; reading it again in {} ms", DEPTH_MS, e)));
    return vertx.eventBus().consumer(AlertsAddresses.NOTIFICATIONS_WAKE, message -> claims.request()).completion()
      .onSuccess(ready -> claims.request());
  }

  private Future<?> claim() {
    int free = MAX_IN_FLIGHT - inFlight.size();
    if (stopping || free <= 0) {
      return Future.succeededFuture();
    }
    List<String> saturated = inFlightByAddress.entrySet().stream()
      .filter(e -> e.getValue() >= PER_ADDRESS_IN_FLIGHT)
      .map(Map.Entry::getKey)
      .toList();
    return dependencies.outbox().claim(dependencies.agent(), dependencies.lease(), free, saturated)
      .onSuccess(rows -> rows.forEach(this::deliver))
      .onFailure(e -> LOG.warn("Could not claim notifications; retrying at the next poll", e));
  }

  private void deliver(ClaimedNotification row) {
    inFlight.add(row);
    inFlightByAddress.merge(row.address(), 1, Integer::sum);
    dependencies.delivery().deliver(row)
      .onFailure(e -> LOG.warn("Could not record the attempt at notification {}; its lease will expire and it is "
        + "claimed again", row.id(), e))
      .onComplete(done -> {
        inFlight.remove(row);
        inFlightByAddress.computeIfPresent(row.address(), (address, n) -> n == 1 ? null : n - 1);
        claims.request();
      });
  }

  private void summarizeDeferred() {
    dependencies.outbox().summarizeDeferred(DeferredSummary::of)
      .onSuccess(queued -> {
        if (queued > 0) {
          claims.request();
        }
      })
      .onFailure(e -> LOG.warn("Could not close ended Defer windows; retrying", e));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    List<Future<Void>> released = new ArrayList<>();
    inFlight.forEach(row -> released.add(dependencies.outbox().release(row)));
    return Future.join(released);
  }
}
