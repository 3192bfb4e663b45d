package io.fleetjobs.alerts.suppress;

import java.util.List;
import java.util.Locale;

/**
 * How a condition compares an alert property with its values, ignoring case. The values of Equals and Contains
 * are ORed; NotEquals and DoesNotContain hold when none of the values matches, as in Azure.
 */
public enum ConditionOperator {
  Equals,
  NotEquals,
  Contains,
  DoesNotContain;

  boolean test(String actual, List<String> values) {
    String text = actual == null ? "" : actual;
    boolean anyMatches = values
      .stream()
      .anyMatch(value -> compares(text, value));
    return negated() != anyMatches;
  }

  private boolean negated() {
    return this == NotEquals || this == DoesNotContain;
  }

  private boolean compares(String actual, String value) {
    return switch (this) {
      case Equals, NotEquals -> actual.equalsIgnoreCase(value);
      case Contains, DoesNotContain -> actual
        .toLowerCase(Locale.ROOT)
        .contains(value.toLowerCase(Locale.ROOT));
    };
  }
}
