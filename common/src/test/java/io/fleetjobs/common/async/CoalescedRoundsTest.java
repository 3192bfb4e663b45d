package io.fleetjobs.common.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescedRoundsTest {
  /** Rounds that end when the test says so; each remembers whether it ran full. */
  private final List<Promise<Void>> rounds = new ArrayList<>();
  private final List<Boolean> fullness = new ArrayList<>();
  private final CoalescedRounds coalesced = new CoalescedRounds(full -> {
    fullness.add(full);
    Promise<Void> round = Promise.promise();
    rounds.add(round);
    return round.future();
  });

  @Test
  void a_request_when_idle_starts_a_round_at_once() {
    coalesced.request();

    assertEquals(1, rounds.size());
  }

  @Test
  void requests_during_a_round_coalesce_into_one_more_round() {
    coalesced.request();
    coalesced.request();
    coalesced.request();
    coalesced.request();
    assertEquals(1, rounds.size());

    rounds.get(0).complete();
    assertEquals(2, rounds.size());

    rounds.get(1).complete();
    assertEquals(2, rounds.size());
  }

  @Test
  void rounds_never_overlap() {
    coalesced.request();
    coalesced.request();
    rounds.get(0).complete();
    coalesced.request();

    assertEquals(2, rounds.size());
    rounds.get(1).complete();
    assertEquals(3, rounds.size());
  }

  @Test
  void a_request_after_the_rounds_went_idle_starts_a_new_one() {
    coalesced.request();
    rounds.get(0).complete();

    coalesced.request();

    assertEquals(2, rounds.size());
  }

  @Test
  void a_failed_round_still_runs_the_round_requested_during_it() {
    coalesced.request();
    coalesced.request();

    rounds.get(0).fail("the job database blinked");

    assertEquals(2, rounds.size());
  }

  @Test
  void a_round_requested_by_itself_runs_once_more() {
    CoalescedRounds[] self = new CoalescedRounds[1];
    List<Promise<Void>> own = new ArrayList<>();
    self[0] = new CoalescedRounds(() -> {
      Promise<Void> round = Promise.promise();
      own.add(round);
      // As the dispatcher does when it claimed a full tier: there may be more.
      if (own.size() == 1) {
        self[0].request();
      }
      return round.future();
    });

    self[0].request();
    own.get(0).complete();
    own.get(1).complete();

    assertEquals(2, own.size());
  }

  @Test
  void a_request_if_idle_during_a_round_adds_nothing() {
    coalesced.request();
    coalesced.requestIfIdle();

    rounds.get(0).complete();

    assertEquals(1, rounds.size());
  }

  @Test
  void a_request_if_idle_when_idle_starts_a_round_that_takes_a_pending_full_request() {
    Promise<Void> delay = Promise.promise();
    coalesced.requestFullAfter(delay::future);

    coalesced.requestIfIdle();

    assertEquals(List.of(true), fullness);
  }

  @Test
  void a_full_request_makes_only_the_next_round_full() {
    coalesced.request();
    coalesced.request();
    coalesced.requestFull();
    coalesced.request();

    rounds.get(0).complete();
    rounds.get(1).complete();
    coalesced.request();

    assertEquals(List.of(false, true, false), fullness);
  }

  @Test
  void a_full_request_when_idle_runs_full_at_once() {
    coalesced.requestFull();

    assertEquals(List.of(true), fullness);
  }

  @Test
  void requests_within_a_delay_become_one_request() {
    Promise<Void> delay = Promise.promise();
    int[] delays = new int[1];

    for (int i = 0; i < 5; i++) {
      coalesced.requestAfter(() -> {
        delays[0]++;
        return delay.future();
      });
    }
    assertEquals(1, delays[0]);
    assertEquals(0, rounds.size());

    delay.complete();
    assertEquals(1, rounds.size());
  }

  @Test
  void a_delay_ending_during_a_round_causes_one_more_round() {
    Promise<Void> delay = Promise.promise();
    coalesced.request();
    coalesced.requestAfter(delay::future);

    delay.complete();
    assertEquals(1, rounds.size());

    rounds.get(0).complete();
    assertEquals(2, rounds.size());
  }

  @Test
  void a_full_request_after_a_delay_makes_a_round_that_starts_meanwhile_full() {
    Promise<Void> delay = Promise.promise();
    coalesced.requestFullAfter(delay::future);
    coalesced.request();
    rounds.get(0).complete();

    delay.complete();

    assertEquals(List.of(true, false), fullness);
  }

  @Test
  void a_failed_delay_requests_nothing_and_the_next_delay_is_waited_for_again() {
    Promise<Void> canceled = Promise.promise();
    coalesced.requestAfter(canceled::future);
    canceled.fail("timer canceled");
    assertEquals(0, rounds.size());

    Promise<Void> next = Promise.promise();
    coalesced.requestAfter(next::future);
    next.complete();

    assertEquals(1, rounds.size());
  }

  @Test
  void a_round_that_throws_fails_its_caller_and_leaves_the_rounds_usable() {
    boolean[] thrown = new boolean[1];
    List<Promise<Void>> own = new ArrayList<>();
    CoalescedRounds throwing = new CoalescedRounds(() -> {
      if (!thrown[0]) {
        thrown[0] = true;
        throw new IllegalStateException("a bug in the round");
      }
      Promise<Void> round = Promise.promise();
      own.add(round);
      return round.future();
    });

    assertThrows(IllegalStateException.class, throwing::request);
    throwing.request();

    assertEquals(1, own.size());
  }

  @Test
  void a_round_already_done_when_it_returns_leaves_the_rounds_idle() {
    int[] runs = new int[1];
    CoalescedRounds instant = new CoalescedRounds(() -> {
      runs[0]++;
      return Future.succeededFuture();
    });

    instant.request();
    instant.request();

    assertEquals(2, runs[0]);
  }

  @Test
  void close_waits_for_the_running_round_and_starts_no_other() {
    coalesced.request();
    coalesced.request();
    Future<Void> closed = coalesced.close();
    assertFalse(closed.isComplete(), "the running round has not ended");

    rounds.get(0).complete();
    assertTrue(closed.succeeded());
    assertEquals(1, rounds.size(), "the request made during the round is dropped");
    coalesced.request();
    assertEquals(1, rounds.size(), "and so is any after it");
  }

  @Test
  void close_when_idle_is_done_at_once() {
    assertTrue(coalesced.close().succeeded());
    coalesced.request();
    assertEquals(0, rounds.size());
  }
}
