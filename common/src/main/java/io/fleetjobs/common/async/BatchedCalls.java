package io.fleetjobs.common.async;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Items handed in one at a time, written in batches: one call at a time, and the items that arrive while it runs
 * go together in the next, at most {@code maxBatch} per call. The work per call (a round trip, a transaction) is
 * then paid per batch rather than per item. Each item still gets its own answer, found by its key in what the
 * call returns; a failed call fails every item of its batch, which its caller may hand in again.
 *
 * <p>A batch holds at most one item per key; a second item of the same key waits for the next batch, so each
 * answer belongs to exactly one item.
 *
 * <p>Its state is touched only by tasks of {@code confined} (its owner's context): an item may be handed in from
 * a callback on any thread.
 *
 * @param <K> what identifies an item and its answer
 * @param <I> an item
 * @param <O> an item's answer; absent from the call's result when the call had none for it
 */
public final class BatchedCalls<K, I, O> {
  private record Waiting<I, O>(I item, Promise<Optional<O>> answered) {
  }

  private final Function<I, K> key;
  private final Function<List<I>, Future<Map<K, O>>> call;
  private final int maxBatch;
  private final Executor confined;
  private final ArrayDeque<Waiting<I, O>> queue = new ArrayDeque<>();
  private final CoalescedRounds rounds = new CoalescedRounds(this::round);

  /**
   * @param call     writes one batch and answers by key
   * @param confined runs each task after the previous one, on one context
   */
  public BatchedCalls(Function<I, K> key, Function<List<I>, Future<Map<K, O>>> call, int maxBatch,
                      Executor confined) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, not " + maxBatch);
    }
    this.key = key;
    this.call = call;
    this.maxBatch = maxBatch;
    this.confined = confined;
  }

  /** @return the item's answer, or empty when the call had none for it */
  public Future<Optional<O>> submit(I item) {
    Promise<Optional<O>> answered = Promise.promise();
    confined.execute(() -> {
      queue.add(new Waiting<>(item, answered));
      rounds.request();
    });
    return answered.future();
  }

  private Future<?> round() {
    List<Waiting<I, O>> batch = nextBatch();
    if (!queue.isEmpty()) {
      rounds.request();
    }
    if (batch.isEmpty()) {
      return Future.succeededFuture();
    }
    Future<Map<K, O>> called;
    try {
      called = call.apply(batch.stream().map(Waiting::item).toList());
    } catch (RuntimeException e) {
      called = Future.failedFuture(e);
    }
    Promise<Void> answered = Promise.promise();
    called.onComplete(done -> confined.execute(() -> {
      answer(batch, done);
      answered.complete();
    }));
    return answered.future();
  }

  private void answer(List<Waiting<I, O>> batch, AsyncResult<Map<K, O>> done) {
    if (done.failed()) {
      batch.forEach(waiting -> waiting.answered().fail(done.cause()));
      return;
    }
    batch.forEach(waiting -> waiting.answered()
      .complete(Optional.ofNullable(done.result().get(key.apply(waiting.item())))));
  }

  /** The oldest items, at most one per key. */
  private List<Waiting<I, O>> nextBatch() {
    List<Waiting<I, O>> batch = new ArrayList<>();
    Set<K> keys = new HashSet<>();
    Iterator<Waiting<I, O>> waiting = queue.iterator();
    while (waiting.hasNext() && batch.size() < maxBatch) {
      Waiting<I, O> next = waiting.next();
      if (keys.add(key.apply(next.item()))) {
        batch.add(next);
        waiting.remove();
      }
    }
    return batch;
  }
}
