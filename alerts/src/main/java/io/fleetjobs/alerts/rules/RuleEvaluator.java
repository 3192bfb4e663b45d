package io.fleetjobs.alerts.rules;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measures a rule against a snapshot: a pure function, so every edge of windows, splitting and
 * aggregation is tested without a database or a clock.
 */
public final class RuleEvaluator {
  private static final long GRAIN_SECONDS = 60;

  private RuleEvaluator() {
  }

  /**
   * @param open instances that are firing now: they are measured even without samples, so they can
   *             clear. A rule that does not split always has its one instance measured, so a
   *             "fewer than" condition fires on silence.
   */
  public static List<Evaluation> evaluate(AlertRule rule, MetricSnapshot snapshot, Collection<InstanceKey> open) {
    long windowSeconds = rule.windowSize().toSeconds();
    int minutes = (int) Math.max(1, (windowSeconds + GRAIN_SECONDS - 1) / GRAIN_SECONDS);
    List<Dimension> splitBy = rule.splitBy();

    // Per criterion, per instance: the window's per-minute totals.
    List<Map<InstanceKey, long[]>> perCriterion = new ArrayList<>();
    Set<InstanceKey> keys = new LinkedHashSet<>();
    if (splitBy.isEmpty()) {
      keys.add(InstanceKey.NONE);
    }
    for (Criterion criterion : rule.allOf()) {
      Map<InstanceKey, long[]> totals = new HashMap<>();
      for (MetricSample sample : snapshot.samples()) {
        if (sample.ageSeconds() < windowSeconds && criterion.accepts(sample)) {
          InstanceKey key = InstanceKey.of(sample, splitBy);
          totals.computeIfAbsent(key, k -> new long[minutes])[(int) (sample.ageSeconds() / GRAIN_SECONDS)]
            += sample.count();
          keys.add(key);
        }
      }
      perCriterion.add(totals);
    }
    keys.addAll(open);

    Map<InstanceKey, Evaluation> evaluations = new LinkedHashMap<>();
    for (InstanceKey key : keys) {
      List<CriterionValue> values = new ArrayList<>();
      for (int i = 0; i < rule.allOf().size(); i++) {
        Criterion criterion = rule.allOf().get(i);
        double value = criterion.timeAggregation().reduce(perCriterion.get(i).getOrDefault(key, new long[minutes]));
        values.add(new CriterionValue(criterion, value, criterion.operator().test(value, criterion.threshold())));
      }
      evaluations.put(key, new Evaluation(key, values));
    }
    return List.copyOf(evaluations.values());
  }
}
