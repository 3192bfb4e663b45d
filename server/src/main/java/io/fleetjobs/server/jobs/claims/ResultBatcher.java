package io.fleetjobs.server.jobs.claims;

import io.fleetjobs.common.async.BatchedCalls;
import io.fleetjobs.server.bus.TargetFinished;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Records an executor's results in batches ({@link BatchedCalls}, by target): the job database's work per call (a
 * transaction, the metrics, settling each step) is then paid per batch rather than per target. A second result
 * of the same target (an older claim) waits for the next batch, so each returned row answers exactly one result.
 * A failed call fails every result of its batch, which its caller may record again.
 */
public final class ResultBatcher {
  /** Records one batch: the rows of the results it recorded, none for a stale claim. */
  @FunctionalInterface
  public interface Recorder {
    Future<List<TargetFinished>> record(List<AttemptResult> batch);
  }

  private final BatchedCalls<UUID, AttemptResult, TargetFinished> batches;

  /** @param confined runs each task after the previous one, on one context (an executor passes its own) */
  public ResultBatcher(Recorder recorder, int maxBatch, Executor confined) {
    this.batches = new BatchedCalls<>(AttemptResult::targetExecutionId,
      batch -> recorder.record(batch).map(rows -> rows.stream()
        .collect(Collectors.toMap(TargetFinished::targetExecutionId, Function.identity(), (a, b) -> a))),
      maxBatch, confined);
  }

  /** @return the recorded result, or empty when the attempt's claim was stale */
  public Future<Optional<TargetFinished>> finish(AttemptResult result) {
    return batches.submit(result);
  }
}
