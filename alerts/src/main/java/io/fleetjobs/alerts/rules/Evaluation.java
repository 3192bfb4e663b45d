package io.fleetjobs.alerts.rules;

import java.util.List;

/** One alert instance's measurement: it breaches when every criterion does (allOf). */
public record Evaluation(InstanceKey key, List<CriterionValue> values) {
  public Evaluation {
    values = List.copyOf(values);
  }

  public boolean breached() {
    return values.stream().allMatch(CriterionValue::breached);
  }
}
