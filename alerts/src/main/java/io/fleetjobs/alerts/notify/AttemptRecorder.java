package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.store.FinishedAttempt;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.common.async.CoalescedRounds;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records finished attempts in batches: one write at a time, and every attempt that finishes meanwhile goes in
 * the next. A burst of deliveries then costs a few commits instead of one each, and no attempt waits for more
 * than the write before its own. Confined to its owner's event loop, as {@link CoalescedRounds} is.
 */
final class AttemptRecorder {
  private final OutboxRepository outbox;
  private final String agent;
  private final CoalescedRounds writes = new CoalescedRounds(this::write);
  private List<Waiting> waiting = new ArrayList<>();

  private record Waiting(FinishedAttempt finished, Promise<Optional<Duration>> recorded) {
  }

  AttemptRecorder(OutboxRepository outbox, String agent) {
    this.outbox = outbox;
    this.agent = agent;
  }

  /** @return how long ago the row was written; empty when its claim was lost before the record */
  Future<Optional<Duration>> record(FinishedAttempt finished) {
    Promise<Optional<Duration>> recorded = Promise.promise();
    waiting.add(new Waiting(finished, recorded));
    writes.request();
    return recorded.future();
  }

  private Future<?> write() {
    List<Waiting> batch = waiting;
    waiting = new ArrayList<>();
    return outbox.record(batch.stream().map(Waiting::finished).toList(), agent)
      .onSuccess(ages -> batch.forEach(w -> w.recorded().complete(
        Optional.ofNullable(ages.get(w.finished().row().id())))))
      .onFailure(e -> batch.forEach(w -> w.recorded().fail(e)));
  }
}
