package io.fleetjobs.alerts.rules;

import java.time.Instant;

/** What one evaluation does to one alert instance. Only FIRE and RESOLVE notify anyone. */
public enum Transition {
  /** Normal, and still normal; or fired, and nothing new to record. */
  NONE,
  /** Normal (or resolved) and now breaching: a new alert fires. */
  FIRE,
  /** Fired, and its condition is clear for the first time in this stretch: the clock starts. */
  START_CLEARING,
  /** Fired, clearing, and breaching again: the clock stops; the alert never went away. */
  BREACH_AGAIN,
  /** Fired, and clear for a whole window: resolved. */
  RESOLVE;

  /**
   * The state machine Normal → Fired → Resolved. An instance resolves only after its condition stayed
   * clear for a full window, so a rule on a noisy metric does not flap; without autoMitigate it
   * stays fired until someone closes it.
   */
  public static Transition of(AlertRule rule, OpenAlert open, Evaluation evaluation, Instant now) {
    if (open == null) {
      return evaluation.breached() ? FIRE : NONE;
    }
    if (evaluation.breached()) {
      return open.clearSince() == null ? NONE : BREACH_AGAIN;
    }
    if (!rule.autoMitigate()) {
      return NONE;
    }
    if (open.clearSince() == null) {
      return START_CLEARING;
    }
    return open.clearSince().plus(rule.windowSize()).isAfter(now) ? NONE : RESOLVE;
  }
}
