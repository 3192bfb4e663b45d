package io.fleetjobs.alerts.suppress;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Which of several processing rules decides what happens to one alert's notifications. */
public final class Suppressions {
  /**
   * Drop beats Defer, since a rule that discards must not be undone by one that only postpones; among rules of the
   * same mode the latest end wins, and on a tie the earlier rule in the list.
   */
  private static final Comparator<Decision> PRECEDENCE = Comparator
    .comparing((Decision decision) -> decision.mode() == SuppressionMode.Drop)
    .thenComparing(Decision::until);

  /** The notifications of the alert are dropped or deferred until {@code until}, because of rule {@code ruleName}. */
  public record Decision(SuppressionMode mode, Instant until, String ruleName) {
  }

  private Suppressions() {
  }

  /** What {@code rules} do to an alert with {@code facts} at {@code at}; empty when no rule suppresses it. */
  public static Optional<Decision> decide(List<ProcessingRule> rules, AlertFacts facts, Instant at) {
    return rules
      .stream()
      .flatMap(rule -> rule
        .suppressesUntil(facts, at)
        .map(until -> new Decision(rule.mode(), until, rule.name()))
        .stream())
      .max(PRECEDENCE);
  }
}
