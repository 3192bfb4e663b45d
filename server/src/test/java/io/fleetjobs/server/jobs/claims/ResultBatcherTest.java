package io.fleetjobs.server.jobs.claims;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.bus.TargetFinished;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The coalescing of results into calls, without a database or a context: each call ends when the test says so,
 * and the batcher's tasks run at once on the test's thread.
 */
class ResultBatcherTest {
  private final List<List<AttemptResult>> calls = new ArrayList<>();
  private final List<Promise<List<TargetFinished>>> answers = new ArrayList<>();
  private final ResultBatcher batcher = new ResultBatcher(batch -> {
    calls.add(batch);
    Promise<List<TargetFinished>> answer = Promise.promise();
    answers.add(answer);
    return answer.future();
  }, 3, Runnable::run);

  @Test
  void results_that_arrive_during_a_call_go_together_in_the_next() {
    List<AttemptResult> results = IntStream.range(0, 4).mapToObj(i -> result(UUID.randomUUID(), 1)).toList();
    List<Future<Optional<TargetFinished>>> recorded = results.stream().map(batcher::finish).toList();
    assertEquals(List.of(results.subList(0, 1)), calls, "the first goes at once");

    answers.get(0).complete(List.of(recorded(results.get(0))));
    assertEquals(2, calls.size());
    assertEquals(results.subList(1, 4), calls.get(1), "the three that waited go in one call");
    answers.get(1).complete(List.of(recorded(results.get(3)), recorded(results.get(1)), recorded(results.get(2))));

    assertEquals(2, calls.size(), "four results, two calls");
    for (int i = 0; i < 4; i++) {
      assertEquals(results.get(i).targetExecutionId(), recorded.get(i).result().orElseThrow().targetExecutionId(),
        "each result gets its own row, whatever the order of the rows");
    }
  }

  @Test
  void a_result_without_a_row_was_refused_by_fencing() {
    AttemptResult first = result(UUID.randomUUID(), 1);
    AttemptResult stale = result(UUID.randomUUID(), 1);
    AttemptResult current = result(UUID.randomUUID(), 2);
    batcher.finish(first);
    Future<Optional<TargetFinished>> refused = batcher.finish(stale);
    Future<Optional<TargetFinished>> accepted = batcher.finish(current);
    answers.get(0).complete(List.of(recorded(first)));

    answers.get(1).complete(List.of(recorded(current)));

    assertEquals(Optional.empty(), refused.result());
    assertTrue(accepted.result().isPresent());
  }

  @Test
  void a_call_takes_at_most_the_cap_and_the_rest_follow_in_further_calls() {
    batcher.finish(result(UUID.randomUUID(), 1));
    IntStream.range(0, 7).forEach(i -> batcher.finish(result(UUID.randomUUID(), 1)));

    for (int call = 0; call < 4; call++) {
      answers.get(call).complete(List.of());
    }

    assertEquals(List.of(1, 3, 3, 1), calls.stream().map(List::size).toList());
  }

  @Test
  void a_failed_call_fails_each_result_of_its_batch_and_the_next_call_still_runs() {
    batcher.finish(result(UUID.randomUUID(), 1));
    Future<Optional<TargetFinished>> a = batcher.finish(result(UUID.randomUUID(), 1));
    Future<Optional<TargetFinished>> b = batcher.finish(result(UUID.randomUUID(), 1));
    answers.get(0).complete(List.of());
    RuntimeException down = new IllegalStateException("the job database is down");
    answers.get(1).fail(down);

    assertSame(down, a.cause());
    assertSame(down, b.cause());
    AttemptResult again = result(UUID.randomUUID(), 1);
    Future<Optional<TargetFinished>> retried = batcher.finish(again);
    answers.get(2).complete(List.of(recorded(again)));
    assertTrue(retried.result().isPresent());
  }

  @Test
  void two_results_of_one_target_never_share_a_call() {
    UUID target = UUID.randomUUID();
    batcher.finish(result(UUID.randomUUID(), 1));
    AttemptResult older = result(target, 1);
    AttemptResult newer = result(target, 2);
    Future<Optional<TargetFinished>> refused = batcher.finish(older);
    Future<Optional<TargetFinished>> accepted = batcher.finish(newer);
    answers.get(0).complete(List.of());

    assertEquals(List.of(older), calls.get(1));
    answers.get(1).complete(List.of());
    assertEquals(List.of(newer), calls.get(2));
    assertFalse(accepted.isComplete());
    answers.get(2).complete(List.of(recorded(newer)));

    assertEquals(Optional.empty(), refused.result());
    assertTrue(accepted.result().isPresent());
  }

  @Test
  void a_recorder_that_throws_fails_its_batch_and_not_the_caller() {
    ResultBatcher throwing = new ResultBatcher(batch -> {
      throw new IllegalArgumentException("cannot encode");
    }, 10, Runnable::run);

    Future<Optional<TargetFinished>> recorded = throwing.finish(result(UUID.randomUUID(), 1));

    assertTrue(recorded.failed());
  }

  private static AttemptResult result(UUID target, int claim) {
    return new AttemptResult(target, claim, "Succeeded", "done", null, null, null);
  }

  private static TargetFinished recorded(AttemptResult result) {
    return new TargetFinished(result.targetExecutionId(), UUID.randomUUID(), "job", 1, "step", "srv", "db",
      result.outcome(), 1, result.message());
  }
}
