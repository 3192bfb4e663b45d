package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.AlertsAddresses;
import io.fleetjobs.alerts.store.AddressSlots;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.fleetjobs.alerts.store.FinishedAttempt;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.common.async.BatchedCalls;
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
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox: claims due rows (woken by new ones, else polling), attempts each on its own, records the
 * attempts in batches, and closes Defer windows that ended. A receiver may have only a few attempts in flight, so
 * a slow one cannot take every slot; on stop, rows still being attempted are handed back for the next claim, and
 * attempts already made are recorded first.
 */
public final class NotificationDeliveryVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationDeliveryVerticle.class);
  private static final long POLL_MS = 500;
  private static final long DEFERRED_MS = 1000;
  private static final long DEPTH_MS = 5000;
  private static final int MAX_IN_FLIGHT = 64;
  /**
   * A quarter of the slots: a slow or dead receiver holds at most this many, while a burst of alerts to one
   * receiver (a fleet-wide failure, often all to one webhook) still has this many requests going at a time. A slot
   * frees when the receiver answers, not when the attempt is recorded. The webhook client keeps as many
   * connections per receiver.
   */
  static final int PER_ADDRESS_IN_FLIGHT = 16;

  /**
   * What the verticle needs: where the rows are, how to attempt one, who it is to the leases, and the meter of the
   * outbox's depth.
   */
  public record Dependencies(OutboxRepository outbox, NotificationDelivery delivery, String agent, Duration lease,
                             DeliveryMetrics metrics) {
  }

  private final Dependencies dependencies;
  /** Rows whose attempt is under way, by address: what the caps count. */
  private final Map<String, Integer> sendingByAddress = new HashMap<>();
  private final Set<ClaimedNotification> sending = new HashSet<>();
  /** Attempts made and not yet recorded; stop waits for them, since their rows must not be handed back. */
  private final Set<Future<?>> unrecorded = new HashSet<>();
  private final CoalescedRounds claims = new CoalescedRounds(this::claim);
  /**
   * Finished attempts, recorded in batches: a burst of deliveries costs a few commits instead of one each, and no
   * attempt waits for more than the write before its own. Each row is fenced by its claim; the answer is how long
   * ago the row was written, empty when the claim was lost before the record.
   */
  private BatchedCalls<UUID, FinishedAttempt, Duration> records;
  private boolean stopping;

  public NotificationDeliveryVerticle(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  @Override
  public Future<?> start() {
    records = new BatchedCalls<>(finished -> finished.row().id(),
      batch -> dependencies.outbox().record(batch, dependencies.agent()), MAX_IN_FLIGHT,
      task -> context.runOnContext(now -> task.run()));
    vertx.setPeriodic(POLL_MS, id -> claims.request());
    vertx.setPeriodic(DEFERRED_MS, id -> summarizeDeferred());
    vertx.setPeriodic(DEPTH_MS, id -> dependencies.outbox().depth()
      .onSuccess(depth -> dependencies.metrics().outboxDepth(depth))
      .onFailure(e -> LOG.debug("Could not read the outbox's depth; reading it again in {} ms", DEPTH_MS, e)));
    return vertx.eventBus().consumer(AlertsAddresses.NOTIFICATIONS_WAKE, message -> claims.request()).completion()
      .onSuccess(ready -> claims.request());
  }

  /** Claims only what the free slots allow, in all and per address, so every claimed row is attempted at once. */
  private Future<?> claim() {
    int free = MAX_IN_FLIGHT - sending.size();
    if (stopping || free <= 0) {
      return Future.succeededFuture();
    }
    return dependencies.outbox().claim(dependencies.agent(), dependencies.lease(), free,
        new AddressSlots(PER_ADDRESS_IN_FLIGHT, sendingByAddress))
      .onSuccess(this::deliver)
      .onFailure(e -> LOG.warn("Could not claim notifications; retrying at the next poll", e));
  }

  private void deliver(List<ClaimedNotification> rows) {
    rows.forEach(row -> {
      sending.add(row);
      sendingByAddress.merge(row.address(), 1, Integer::sum);
    });
    List<Future<FinishedAttempt>> attempts = dependencies.delivery().attempt(rows);
    for (int i = 0; i < rows.size(); i++) {
      ClaimedNotification row = rows.get(i);
      attempts.get(i)
        .onComplete(done -> {
          // The receiver is done with this row: its slot is free before the record is written.
          sending.remove(row);
          sendingByAddress.computeIfPresent(row.address(), (address, n) -> n == 1 ? null : n - 1);
          claims.request();
        })
        .onSuccess(this::record)
        .onFailure(e -> LOG.warn("Could not attempt notification {}; its lease will expire and it is claimed again",
          row.id(), e));
    }
  }

  private void record(FinishedAttempt finished) {
    Future<?> recorded = records.submit(finished)
      .map(sinceWritten -> dependencies.delivery().recorded(finished, sinceWritten))
      .onFailure(e -> LOG.warn("Could not record the attempt at notification {}; its lease will expire and it is "
        + "claimed again", finished.row().id(), e));
    unrecorded.add(recorded);
    recorded.onComplete(done -> unrecorded.remove(recorded));
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
    List<Future<?>> settled = new ArrayList<>(unrecorded);
    sending.forEach(row -> settled.add(dependencies.outbox().release(row)));
    return Future.join(settled);
  }
}
