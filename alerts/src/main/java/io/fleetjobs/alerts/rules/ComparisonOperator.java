package io.fleetjobs.alerts.rules;

/** Azure's static-threshold operators. */
public enum ComparisonOperator {
  GreaterThan(">"),
  GreaterThanOrEqual(">="),
  LessThan("<"),
  LessThanOrEqual("<="),
  Equals("="),
  NotEquals("!=");

  private final String symbol;

  ComparisonOperator(String symbol) {
    this.symbol = symbol;
  }

  public String symbol() {
    return symbol;
  }

  public boolean test(double value, double threshold) {
    return switch (this) {
      case GreaterThan -> value > threshold;
      case GreaterThanOrEqual -> value >= threshold;
      case LessThan -> value < threshold;
      case LessThanOrEqual -> value <= threshold;
      case Equals -> value == threshold;
      case NotEquals -> value != threshold;
    };
  }
}
