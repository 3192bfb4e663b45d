package io.fleetjobs.server.jobs.claims;

import io.fleetjobs.common.async.CoalescedRounds;
import io.fleetjobs.server.bus.TargetFinished;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * Records an executor's results in batches: one call at a time, and the results that arrive while it runs go
 * together in the next, at most {@code maxBatch} per call. The job database's work per call (a transaction, the
 * metrics, settling each step) is then paid per batch rather than per target. Each result still gets its own
 * answer; a failed call fails every result of its batch, which its caller may record again.
 *
 * <p>Its state is touched only by tasks of {@code confined} (an executor passes its own context): a result may
 * come from a callback on any thread, as the futures a step's run chains are completed where they were made.
 */
public final class ResultBatcher {
  /** Records one batch: the rows of the results it recorded, none for a stale claim. */
  @FunctionalInterface
  public interface Recorder {
    Future<List<TargetFinished>> record(List<AttemptResult> batch);
  }

  private record Waiting(AttemptResult result, Promise<Optional<TargetFinished>> recorded) {
  }

  private final Recorder recorder;
  private final int maxBatch;
  private final Executor confined;
  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private final CoalescedRounds rounds = new CoalescedRounds(this::round);

  /** @param confined runs each task after the previous one, on one context */
  public ResultBatcher(Recorder recorder, int maxBatch, Executor confined) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, not " + maxBatch);
    }
    this.recorder = recorder;
    this.maxBatch = maxBatch;
    this.confined = confined;
  }

  /** @return the recorded result, or empty when the attempt's claim was stale */
  public Future<Optional<TargetFinished>> finish(AttemptResult result) {
    Promise<Optional<TargetFinished>> recorded = Promise.promise();
    confined.execute(() -> {
      queue.add(new Waiting(result, recorded));
      rounds.request();
    });
    return recorded.future();
  }

  private Future<?> round() {
    List<Waiting> batch = nextBatch();
    if (!queue.isEmpty()) {
      rounds.request();
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<List<TargetFinished>> call;
    try {
      call = recorder.record(batch.stream().map(Waiting::result).toList());
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    Promise<Void> answered = Promise.promise();
    call.onComplete(done -> confined.execute(() -> {
      answer(batch, done);
      answered.complete();
    }));
    return answered.future();
  }

  private static void answer(List<Waiting> batch, AsyncResult<List<TargetFinished>> done) {
    if (done.failed()) {
      batch.forEach(waiting -> waiting.recorded().fail(done.cause()));
      return;
    }
    Map<UUID, TargetFinished> rows = new HashMap<>();
    done.result().forEach(row -> rows.put(row.targetExecutionId(), row));
    batch.forEach(waiting -> waiting.recorded()
      .complete(Optional.ofNullable(rows.get(waiting.result().targetExecutionId()))));
  }

  /**
   * The oldest results, one per target: a second result of the same target (an older claim) waits for the next
   * batch, so each returned row answers exactly one result.
   */
  private List<Waiting> nextBatch() {
    List<Waiting> batch = new ArrayList<>();
    Set<UUID> targets = new HashSet<>();
    Iterator<Waiting> waiting = queue.iterator();
    while (waiting.hasNext() && batch.size() < maxBatch) {
      Waiting next = waiting.next();
      if (targets.add(next.result().targetExecutionId())) {
        batch.add(next);
        waiting.remove();
      }
    }
    return batch;
  }
}
