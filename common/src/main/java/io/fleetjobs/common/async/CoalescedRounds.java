package io.fleetjobs.common.async;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * One round at a time. A request while a round runs is remembered, and however many arrive, they cause
 * exactly one more round after it: a request says that work may have arrived, so the next round sees all of
 * it, and no request waits on the running round or is lost. A round reports its own failures; the rounds go
 * on regardless.
 *
 * <p>Some rounds have a fuller variant: the dispatcher settles finished steps first, alert evaluation takes
 * every rule instead of the due ones. {@link #requestFull()} asks for it, and the next round to start runs
 * full when any request since the previous round started asked so.
 *
 * <p>Not thread-safe: its owners confine it to their event loop.
 */
public final class CoalescedRounds {
  /** One round; {@code full} when a request since the previous round started asked for the fuller variant. */
  @FunctionalInterface
  public interface Round {
    Future<?> run(boolean full);
  }

  private final Round round;
  private boolean running;
  private boolean wanted;
  private boolean fullWanted;
  private boolean delayed;
  private boolean closed;
  /** Completed when the round running at {@link #close()} has ended. */
  private Promise<Void> ended;

  /** Rounds without a fuller variant. */
  public CoalescedRounds(Supplier<? extends Future<?>> round) {
    this(full -> round.get());
  }

  public CoalescedRounds(Round round) {
    this.round = round;
  }

  /** A round now, or one more after the running one. */
  public void request() {
    if (closed) {
      return;
    }
    if (running) {
      wanted = true;
      return;
    }
    running = true;
    start();
  }

  /**
   * A round now if none runs; otherwise nothing. For a ticker whose next tick comes soon anyway: a slow
   * round is not followed at once by another.
   */
  public void requestIfIdle() {
    if (!running) {
      request();
    }
  }

  /** As {@link #request()}, and the round it causes runs full. */
  public void requestFull() {
    fullWanted = true;
    request();
  }

  /**
   * A request once {@code delay} completes, so that a burst of events becomes one round. Until then, further
   * calls add nothing. A delay that fails, such as a timer canceled on undeploy, requests nothing.
   */
  public void requestAfter(Supplier<? extends Future<?>> delay) {
    if (delayed) {
      return;
    }
    delayed = true;
    delay.get().onComplete(elapsed -> {
      delayed = false;
      if (elapsed.succeeded()) {
        request();
      }
    });
  }

  /** As {@link #requestAfter}; the round runs full, and so does any that starts before the delay ends. */
  public void requestFullAfter(Supplier<? extends Future<?>> delay) {
    fullWanted = true;
    requestAfter(delay);
  }

  /**
   * No round starts after this; the future completes when the running round, if any, has ended. For a verticle's
   * stop(): a round cut off half-way (work claimed, not yet handed over) would leave that work to wait for its
   * lease to expire.
   */
  public Future<Void> close() {
    closed = true;
    wanted = false;
    if (!running) {
      return Future.succeededFuture();
    }
    if (ended == null) {
      ended = Promise.promise();
    }
    return ended.future();
  }

  private void start() {
    boolean full = fullWanted;
    wanted = false;
    fullWanted = false;
    Future<?> done;
    try {
      done = round.run(full);
    } catch (RuntimeException e) {
      // The caller sees the bug; the next request still runs a round.
      running = false;
      throw e;
    }
    done.onComplete(finished -> {
      if (wanted && !closed) {
        start();
      } else {
        running = false;
        if (ended != null) {
          ended.tryComplete();
        }
      }
    });
  }
}
